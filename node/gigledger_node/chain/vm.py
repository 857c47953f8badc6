"""GigLedger's virtual machine: py-evm's Prague, adapted to a proof-of-authority chain,
with an interpreter that stops at its state's deadline (see deadline.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth.abc import BlockAPI, BlockHeaderAPI, ReceiptAPI, SignedTransactionAPI, WithdrawalAPI
from eth.vm import opcode_values
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.blocks import PragueBlock, PragueBlockHeader
from eth.vm.forks.prague.computation import PragueComputation
from eth.vm.forks.prague.constants import DEPOSIT_REQUEST_TYPE
from eth.vm.forks.prague.state import PragueState
from eth_typing import Hash32
from eth_utils import ValidationError

from gigledger_node.chain.deadline import NO_DEADLINE, Deadline, checking_deadline
from gigledger_node.chain.precompiles import BOUNDED_PRECOMPILES
from gigledger_node.chain.sealing import ADDRESS_LENGTH, SIGNATURE_LENGTH, VANITY_LENGTH
from gigledger_node.chain.trie import ordered_trie_root

MAX_AUTHORITIES = 32
# Every way EVM code can keep running: backward jumps, and new call frames.
UNBOUNDED_OPCODES = (
    opcode_values.JUMP, opcode_values.JUMPI, opcode_values.CALL, opcode_values.CALLCODE,
    opcode_values.DELEGATECALL, opcode_values.STATICCALL, opcode_values.CREATE, opcode_values.CREATE2,
)


def _shallow_copy(self: Any, *args: Any, **kwargs: Any) -> Any:
    """rlp's ``Serializable.copy``, without deep-copying the fields kept.

    rlp deep-copies every unchanged field, though every field of a header (ints,
    bytes) and of a block (the header, tuples of transactions, uncles and
    withdrawals, themselves immutable Serializables) is immutable: sharing them is
    the same value. Building a block copies its header about twenty times and the
    block (with all its transactions) several; cProfile put 17% of a one-transfer
    block in those copies. 3.1 -> 2.7 ms of CPU for a one-transfer block, and 0.62
    -> 0.52 ms per transaction in a block of 1,000.
    """
    if args:
        raise TypeError("copy() takes the changed fields by name")
    values = self.as_dict()
    unknown = kwargs.keys() - values.keys()
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    values.update(kwargs)
    return type(self)(**values)


PragueBlockHeader.copy = _shallow_copy  # type: ignore[method-assign]
PragueBlock.copy = _shallow_copy  # type: ignore[method-assign]


class GigLedgerComputation(PragueComputation):
    """Prague's interpreter, checking the state's deadline on every unbounded opcode
    and inside the expensive precompiles (precompiles.py)."""

    opcodes: dict[int, Any] = {
        value: checking_deadline(opcode) if value in UNBOUNDED_OPCODES else opcode
        for value, opcode in PragueComputation.opcodes.items()
    }
    _precompiles = {**PragueComputation.get_precompiles(), **BOUNDED_PRECOMPILES}


class GigLedgerState(PragueState):
    """Prague's state, running messages before ``deadline`` (none unless a caller sets one)."""

    computation_class = GigLedgerComputation
    deadline: Deadline = NO_DEADLINE


class GigLedgerVM(PragueVM):
    """Prague with room in extraData for a Clique seal (or the genesis authority
    list), and block assembly fast enough for blocks of thousands of transactions."""

    extra_data_max_bytes = VANITY_LENGTH + SIGNATURE_LENGTH + ADDRESS_LENGTH * MAX_AUTHORITIES
    _state_class = GigLedgerState

    def set_block_transactions_and_withdrawals(
        self,
        base_block: BlockAPI,
        new_header: BlockHeaderAPI,
        transactions: Sequence[SignedTransactionAPI],
        receipts: Sequence[ReceiptAPI],
        withdrawals: Sequence[WithdrawalAPI] | None = None,
    ) -> BlockAPI:
        """py-evm's version, with each trie built in one pass (see chain/trie.py)."""
        if withdrawals:
            raise ValidationError("a proof-of-authority chain has no beacon withdrawals")
        transaction_root, transaction_nodes = ordered_trie_root(tx.encode() for tx in transactions)
        receipt_root, receipt_nodes = ordered_trie_root(r.encode() for r in receipts)
        nodes = {Hash32(key): node for key, node in (*transaction_nodes.items(), *receipt_nodes.items())}
        self.chaindb.persist_trie_data_dict(nodes)
        header = new_header.copy(transaction_root=transaction_root, receipt_root=receipt_root)
        return base_block.copy(transactions=transactions, header=header)

    def process_deposit_request_data(self, block: BlockAPI) -> None:
        """No beacon deposit contract exists on a PoA chain: the deposit request list
        is always empty, so skip re-reading every receipt of the block to find none."""
        block.block_requests.append(DEPOSIT_REQUEST_TYPE)
