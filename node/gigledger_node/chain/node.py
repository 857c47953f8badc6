"""The node's chain half in one object: admission, block production, dev controls.

:class:`ChainNode` ties the ledger, pool, producer and allowlist together and is
the only thing the RPC layer talks to. Blocks are built on the server's producer
thread while the event loop admits transactions and serves reads: one block is
built at a time (``_production_lock``), the pool and the head state it is
checked against are touched under ``_pool_lock``, and the store keeps a block's
writes invisible to other threads until it is committed. The pool also locks
each of its own calls: RPC reads reach it directly, and any call may expire
queued transactions.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from eth.abc import BlockHeaderAPI, StateAPI
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas
from eth_keys.datatypes import PrivateKey
from eth_typing import Address
from eth_utils import to_canonical_address

from gigledger_node.chain.chain import Ledger
from gigledger_node.chain.permissioning import PERMISSIONS_FILE, Allowlist, SenderNotAllowed
from gigledger_node.chain.producer import BlockLimits, BlockProducer, ProducedBlock
from gigledger_node.chain.txpool import AccountView, PooledTx, PoolLimits, TxPool, TxRejected, decode_transaction

logger = logging.getLogger(__name__)

BlockListener = Callable[[ProducedBlock], None]


@dataclass
class Clock:
    """Block timestamps: wall time plus a dev offset, or a one-off override."""

    offset: int = 0
    next_timestamp: int | None = None

    def now(self) -> int:
        return int(time.time()) + self.offset

    def jump_to(self, timestamp: int) -> None:
        """Make the next block carry ``timestamp`` and later blocks follow on from it."""
        self.next_timestamp = timestamp
        self.offset = timestamp - int(time.time())

    def resume_from(self, timestamp: int) -> None:
        """After a rewind: forget time travel done since, so blocks follow on from ``timestamp``."""
        self.next_timestamp = None
        self.offset = max(0, timestamp - int(time.time()))

    def peek(self) -> int:
        """The timestamp the next block will carry, if it were sealed now."""
        return self.now() if self.next_timestamp is None else self.next_timestamp

    def take(self) -> int:
        """The timestamp for the next block (consumes a one-off override)."""
        if self.next_timestamp is not None:
            stamp, self.next_timestamp = self.next_timestamp, None
            return stamp
        return self.now()


@dataclass(frozen=True)
class _HeadView:
    """What admission needs from the head block."""

    header: BlockHeaderAPI
    state: StateAPI
    next_base_fee: int


@dataclass
class ChainNode:
    """Ledger + pool + producer + allowlist, as one consistent unit."""

    ledger: Ledger
    producer: BlockProducer
    allowlist: Allowlist
    pool: TxPool = field(default_factory=TxPool)
    clock: Clock = field(default_factory=Clock)
    listeners: list[BlockListener] = field(default_factory=list)
    _head: _HeadView | None = field(default=None, init=False, repr=False)
    _pool_lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)
    _production_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def open(
        cls,
        data_dir: Path,
        authority_key: PrivateKey,
        durable: bool = True,
        pool_limits: PoolLimits | None = None,
        block_limits: BlockLimits = BlockLimits(),
    ) -> ChainNode:
        ledger = Ledger.open(data_dir, durable)
        return cls(
            ledger=ledger,
            producer=BlockProducer(ledger, authority_key, block_limits),
            allowlist=Allowlist(data_dir / PERMISSIONS_FILE),
            pool=TxPool(pool_limits),
        )

    # -- admission ---------------------------------------------------------------

    def submit(self, raw: bytes) -> bytes:
        """Admit a signed transaction to the pool; returns its hash.

        Raises SenderNotAllowed before touching the pool when the sender, or the
        authority of any EIP-7702 authorization, is off the allowlist (so no
        refused account's nonce or code moves), and TxRejected for the pool rules.
        """
        pooled = decode_transaction(raw, self.ledger.chain_id)
        # Under the pool lock, so a removal from the allowlist cannot fall between the
        # check and the add and leave a refused account's transaction in the pool.
        with self._pool_lock:
            try:
                if not self._allowed(pooled, {}):
                    raise SenderNotAllowed(SenderNotAllowed.message)
                self.pool.add(pooled, self.account_view(pooled.sender))
            except (SenderNotAllowed, TxRejected) as error:
                logger.warning("refused transaction 0x%s from 0x%s: %s", pooled.tx.hash.hex(), pooled.sender.hex(), error)
                raise
        return pooled.tx.hash

    def remove_from_allowlist(self, accounts: Iterable[str]) -> None:
        """Take accounts off the allowlist and drop every pooled transaction acting for them.

        All or nothing, as ``Allowlist.remove``: an invalid or absent account
        raises AllowlistError and changes nothing.
        """
        accounts = list(accounts)
        with self._pool_lock:
            self.allowlist.remove(accounts)
            gone = self.pool.remove_acting_for({to_canonical_address(a) for a in accounts})
        for pooled in gone:
            logger.info("dropping tx 0x%s: account removed from the allowlist", pooled.tx.hash.hex())

    def _allowed(self, pooled: PooledTx, verdicts: dict[bytes, bool]) -> bool:
        """Whether every account ``pooled`` acts for is allowed (``verdicts`` caches answers)."""
        for account in pooled.acts_for:
            if account not in verdicts:
                verdicts[account] = self.allowlist.allows("0x" + account.hex())
            if not verdicts[account]:
                return False
        return True

    def account_view(self, sender: bytes) -> AccountView:
        head = self._head_view()
        return AccountView(
            nonce=head.state.get_nonce(Address(sender)),
            balance=head.state.get_balance(Address(sender)),
            base_fee=head.next_base_fee,
            block_gas_limit=head.header.gas_limit,
        )

    def pending_nonce(self, sender: bytes) -> int:
        with self._pool_lock:
            return self.pool.next_nonce(sender, self._head_view().state.get_nonce(Address(sender)))

    def next_base_fee(self) -> int:
        return self._head_view().next_base_fee

    def _head_view(self) -> _HeadView:
        """Read-only state and next base fee of the head, built once per head.

        Admission reads these for every transaction; building a py-evm VM each
        time would cost more than the checks themselves.
        """
        header = self.ledger.head()
        if self._head is None or self._head.header.hash != header.hash:
            self._head = _HeadView(header, self.ledger.state_at(header), calculate_expected_base_fee_per_gas(header))
        return self._head

    # -- production --------------------------------------------------------------

    def produce(self, allow_empty: bool = False) -> ProducedBlock | None:
        """Seal every executable pending transaction into one committed block.

        The allowlist is checked again first (it may have changed since
        admission); transactions the block builder drops (invalid, or past the
        producer's time budget) leave the pool, so their hashes become unknown
        instead of pending forever.
        """
        with self._production_lock:
            with self._pool_lock:
                self._drop_disallowed()
                chosen = self._executable()
            if not chosen and not allow_empty:
                return None
            produced = self.producer.produce([p.tx for p in chosen], self.clock.take())
            with self._pool_lock:
                if produced.state is not None:  # the state it was built on, not a VM built anew
                    header = produced.block.header
                    self._head = _HeadView(header, produced.state, calculate_expected_base_fee_per_gas(header))
                self.pool.remove(tx.hash for tx in produced.block.transactions)
                self.pool.remove(produced.dropped)
                self.pool.prune(self._state_nonce_reader())
            for listener in self.listeners:
                listener(produced)
            return produced

    def _drop_disallowed(self) -> None:
        verdicts: dict[bytes, bool] = {}
        refused = [p for p in self.pool.all() if not self._allowed(p, verdicts)]
        self.pool.remove(p.tx.hash for p in refused)
        for pooled in refused:
            logger.info("dropping tx 0x%s: it acts for an account off the allowlist", pooled.tx.hash.hex())

    def _executable(self) -> list[PooledTx]:
        return self.pool.executable(self._state_nonce_reader(), self.ledger.head().gas_limit)

    def _state_nonce_reader(self) -> Callable[[bytes], int]:
        state = self._head_view().state
        return lambda sender: state.get_nonce(Address(sender))

    # -- dev chain controls --------------------------------------------------------

    def rewind(self, number: int) -> None:
        """Return the chain to block ``number``, and the clock to that block's time;
        pending transactions are dropped."""
        with self._production_lock, self._pool_lock:
            self.pool.clear()
            self.ledger.rewind(number)
            self.clock.resume_from(self.ledger.head().timestamp)

    def head(self) -> BlockHeaderAPI:
        return self.ledger.head()
