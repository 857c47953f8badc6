"""Builds, seals and commits blocks, packing every pending transaction in one pass.

py-evm's ``MiningChain.apply_transaction`` rebuilds the block (and its
transaction and receipt tries) after every transaction, which is quadratic in
block size. Here a block is built the way py-evm imports one: pre-processing,
each transaction applied once to a single state, the tries built once, the
state root computed once in ``finalize_block``. The sealed block, its receipts
and its log index entries are then committed to disk together.

Each transaction runs before a deadline (``BlockLimits.tx_timeout``, 5 s, the
same as an eth_call's): gas bounds a transaction's work, but py-evm's
pure-Python precompiles do as little as 0.06M gas a second, so a member's
transaction within the block gas limit could otherwise stall sealing, and every
request, for minutes (see precompiles.py). One that runs past its deadline is
undone and dropped like an invalid one, and logged with its sender: the block is
built without it. Whether a transaction is cut off depends on the machine, but
nobody else ever sees that decision: a sealed block only holds transactions
that ran to completion, which py-evm re-executes to the same receipts on import
(no deadline applies there), so validating or replaying sealed blocks is
unaffected.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import lmdb
from eth.abc import BlockAPI, BlockHeaderAPI, ReceiptAPI, SignedTransactionAPI, StateAPI, VirtualMachineAPI
from eth.vm.base import VM
from eth_keys.datatypes import PrivateKey

from gigledger_node.chain.chain import Ledger
from gigledger_node.chain.deadline import NO_DEADLINE, Deadline
from gigledger_node.chain.sealing import SIGNATURE_LENGTH, VANITY_LENGTH, seal
from gigledger_node.chain.txpool import check_intrinsic_gas

logger = logging.getLogger(__name__)

VANITY = b"gigledger".ljust(VANITY_LENGTH, b"\0")
STORAGE_ERRORS = (OSError, lmdb.Error)


@dataclass(frozen=True)
class BlockLimits:
    """How long one transaction may run while a block is built (``--block-tx-timeout``)."""

    tx_timeout: float = 5.0


@dataclass(frozen=True)
class ProducedBlock:
    """A committed block, its receipts, and the transactions left out of it as invalid."""

    block: BlockAPI
    receipts: tuple[ReceiptAPI, ...]
    dropped: tuple[bytes, ...] = ()
    seconds: float = 0.0  # building, sealing and committing it took this long
    # The state after the block, as it was built (read-only from here on): the
    # next admissions read the new head through it instead of a VM built anew.
    state: StateAPI | None = None


class BlockProducer:
    """Turns transactions into sealed, durably committed blocks."""

    def __init__(self, ledger: Ledger, authority_key: PrivateKey, limits: BlockLimits = BlockLimits()) -> None:
        self.ledger = ledger
        self.limits = limits
        self.authority_key = authority_key
        self.authority = authority_key.public_key.to_canonical_address()

    def produce(self, transactions: Sequence[SignedTransactionAPI], timestamp: int) -> ProducedBlock:
        """Build a block of ``transactions`` (in order) on the head, seal and commit it.

        A transaction that turns out invalid against the state it meets (say its
        sender's balance was spent earlier in the block), or runs past
        ``limits.tx_timeout``, is left out, logged and reported in ``dropped``;
        its sender's later transactions are skipped (their nonces no longer
        follow), and the rest of the block is unaffected.

        Should building fail outright (a py-evm fault no single transaction check
        catches), the block is retried with the first half of the transactions,
        and so on down to one, which is then dropped: the chain never stops on a
        transaction. Those left out but not dropped stay for the next block.
        """
        candidates = list(transactions)
        while True:
            try:
                return self._produce_once(candidates, timestamp)
            except STORAGE_ERRORS:
                raise
            except Exception:
                if not candidates:
                    raise  # even an empty block fails: no transaction is to blame
                logger.exception("building a block of %d transactions failed; retrying with fewer", len(candidates))
            if len(candidates) == 1:
                produced = self._produce_once([], timestamp)
                return ProducedBlock(
                    produced.block, produced.receipts, (candidates[0].hash,), produced.seconds, produced.state
                )
            candidates = candidates[: len(candidates) // 2]

    def _produce_once(self, transactions: Sequence[SignedTransactionAPI], timestamp: int) -> ProducedBlock:
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
            # block_preprocessing/postprocessing live on py-evm's VM, not on its ABC.
            block, receipts, dropped = self._execute(cast(VM, vm), transactions, self.limits)
            block = block.copy(header=seal(block.header, self.authority_key))
            self.ledger.chaindb.persist_block(block)
            self.ledger.log_index.add(block, receipts)
            self.ledger.store.commit()
        except BaseException:
            self.ledger.store.discard()
            raise
        return ProducedBlock(block, receipts, dropped, time.perf_counter() - started, vm.state)

    @classmethod
    def _execute(
        cls, vm: VM, transactions: Sequence[SignedTransactionAPI], limits: BlockLimits
    ) -> tuple[BlockAPI, tuple[ReceiptAPI, ...], tuple[bytes, ...]]:
        vm.block_preprocessing(vm.get_block())
        header = vm.get_header().copy(gas_used=0)
        included, receipts, dropped = [], [], []
        stalled: set[bytes] = set()  # senders with a dropped transaction in this block
        for tx in transactions:
            if stalled and tx.sender in stalled:
                continue
            try:
                receipt = cls._apply(vm, header, tx, Deadline.after(limits.tx_timeout))
            except STORAGE_ERRORS:
                raise  # the disk failed, not the transaction
            except Exception as error:  # no transaction, however malformed or slow, may stop the chain
                logger.warning("dropping tx 0x%s from 0x%s: %s", tx.hash.hex(), tx.sender.hex(), error)
                dropped.append(tx.hash)
                stalled.add(tx.sender)
                continue
            header = vm.add_receipt_to_header(header, receipt)
            included.append(tx)
            receipts.append(receipt)
        block = vm.set_block_transactions_and_withdrawals(vm.get_block(), header, included, receipts)
        block = vm.block_postprocessing(block)
        # finalize_block, not mine_block: mine_block re-validates the block we just
        # built, rebuilding its transaction trie the slow way to compare roots.
        return vm.finalize_block(block).block, tuple(receipts), tuple(dropped)

    @staticmethod
    def _apply(
        vm: VirtualMachineAPI, header: BlockHeaderAPI, tx: SignedTransactionAPI, deadline: Deadline
    ) -> ReceiptAPI:
        """py-evm's ``VM.apply_transaction`` before ``deadline``, undone completely if the
        transaction fails or runs past it.

        py-evm's version calls ``state.lock_changes()`` itself, which drops the
        journal checkpoints of the accessed-state tracker: a snapshot taken before
        it cannot be reverted ("No checkpoint N was found"). Here the snapshot is
        taken after locking, so a failure leaves the state as it was.
        """
        vm.validate_transaction_against_header(header, tx)
        check_intrinsic_gas(tx)  # py-evm does not enforce the EIP-7623 floor itself
        vm.state.lock_changes()
        snapshot = vm.state.snapshot()
        state: Any = vm.state  # a GigLedgerState (vm.py); StateAPI has no deadline
        state.deadline = deadline
        try:
            computation = vm.state.apply_transaction(tx)
            receipt = vm.make_receipt(header, tx, computation, vm.state)
            vm.validate_receipt(receipt)
        except BaseException:
            vm.state.revert(snapshot)
            raise
        finally:
            state.deadline = NO_DEADLINE
        return receipt
