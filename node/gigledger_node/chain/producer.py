"""Builds, seals and commits blocks, packing every pending transaction in one pass.

py-evm's ``MiningChain.apply_transaction`` rebuilds the block (and its
transaction and receipt tries) after every transaction, which is quadratic in
block size. Here a block is built the way py-evm imports one: pre-processing,
each transaction applied once to a single state, the tries built once, the
state root computed once in ``finalize_block``. The sealed block, its receipts
and its log index entries are then committed to disk together.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from eth.abc import BlockAPI, ReceiptAPI, SignedTransactionAPI, VirtualMachineAPI
from eth_keys import keys
from eth_utils import ValidationError

from gigledger_node.chain.chain import Ledger
from gigledger_node.chain.sealing import SIGNATURE_LENGTH, VANITY_LENGTH, seal

logger = logging.getLogger(__name__)

VANITY = b"gigledger".ljust(VANITY_LENGTH, b"\0")


@dataclass(frozen=True)
class ProducedBlock:
    """A committed block and its receipts."""

    block: BlockAPI
    receipts: tuple[ReceiptAPI, ...]
    seconds: float = 0.0  # building, sealing and committing it took this long


class BlockProducer:
    """Turns transactions into sealed, durably committed blocks."""

    def __init__(self, ledger: Ledger, authority_key: keys.PrivateKey) -> None:
        self.ledger = ledger
        self.authority_key = authority_key
        self.authority = authority_key.public_key.to_canonical_address()

    def produce(self, transactions: Sequence[SignedTransactionAPI], timestamp: int) -> ProducedBlock:
        """Build a block of ``transactions`` (in order) on the head, seal and commit it.

        A transaction that turns out invalid against the state it meets (say its
        sender's balance was spent earlier in the block) is left out and logged;
        the rest of the block is unaffected.
        """
        started = time.perf_counter()
        parent = self.ledger.head()
        vm = self.ledger.vm_on_top_of(
            parent,
            timestamp=max(timestamp, parent.timestamp + 1),
            # The operator's genesis gas limit holds for every block: py-evm would
            # drift it as PoW miners vote, and a transaction admitted against the
            # head's limit must still fit the next block.
            gas_limit=parent.gas_limit,
            coinbase=self.authority,
            extra_data=VANITY + b"\0" * SIGNATURE_LENGTH,
        )
        try:
            block, receipts = self._execute(vm, transactions)
            block = block.copy(header=seal(block.header, self.authority_key))
            self.ledger.chaindb.persist_block(block)
            self.ledger.log_index.add(block, receipts)
            self.ledger.store.commit()
        except BaseException:
            self.ledger.store.discard()
            raise
        return ProducedBlock(block, receipts, time.perf_counter() - started)

    @staticmethod
    def _execute(
        vm: VirtualMachineAPI, transactions: Sequence[SignedTransactionAPI]
    ) -> tuple[BlockAPI, tuple[ReceiptAPI, ...]]:
        vm.block_preprocessing(vm.get_block())
        header = vm.get_header().copy(gas_used=0)
        included, receipts = [], []
        for tx in transactions:
            snapshot = vm.state.snapshot()
            try:
                receipt, _ = vm.apply_transaction(header, tx)
            except ValidationError as error:
                vm.state.revert(snapshot)
                logger.info("dropping tx %s: %s", tx.hash.hex(), error)
                continue
            header = vm.add_receipt_to_header(header, receipt)
            included.append(tx)
            receipts.append(receipt)
        block = vm.set_block_transactions_and_withdrawals(vm.get_block(), header, included, receipts)
        block = vm.block_postprocessing(block)
        # finalize_block, not mine_block: mine_block re-validates the block we just
        # built, rebuilding its transaction trie the slow way to compare roots.
        return vm.finalize_block(block).block, tuple(receipts)
