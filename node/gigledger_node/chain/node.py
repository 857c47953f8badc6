"""The node's chain half in one object: admission, block production, dev controls.

:class:`ChainNode` ties the ledger, pool, producer and allowlist together and is
the only thing the RPC layer talks to. It is synchronous and single-threaded by
design: the RPC server calls it from one event loop, so blocks, the pool and
reads never race.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from eth.abc import BlockHeaderAPI, StateAPI
from eth_keys import keys

from gigledger_node.chain.chain import Ledger
from gigledger_node.chain.permissioning import PERMISSIONS_FILE, Allowlist, SenderNotAllowed
from gigledger_node.chain.producer import BlockProducer, ProducedBlock
from gigledger_node.chain.txpool import AccountView, PooledTx, TxPool, TxRejected, decode_transaction

BlockListener = Callable[[ProducedBlock], None]

logger = logging.getLogger(__name__)


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

    @classmethod
    def open(cls, data_dir: Path, authority_key: keys.PrivateKey) -> ChainNode:
        ledger = Ledger.open(data_dir)
        return cls(
            ledger=ledger,
            producer=BlockProducer(ledger, authority_key),
            allowlist=Allowlist(data_dir / PERMISSIONS_FILE),
        )

    # -- admission ---------------------------------------------------------------

    def submit(self, raw: bytes) -> bytes:
        """Admit a signed transaction to the pool; returns its hash.

        Raises SenderNotAllowed before touching the pool, so a refused sender's
        pending nonce does not move, and TxRejected for geth's pool rules.
        """
        pooled = decode_transaction(raw, self.ledger.chain_id)
        try:
            if not self.allowlist.allows("0x" + pooled.sender.hex()):
                raise SenderNotAllowed(SenderNotAllowed.message)
            self.pool.add(pooled, self.account_view(pooled.sender))
        except (SenderNotAllowed, TxRejected) as error:
            logger.warning("refused transaction 0x%s from 0x%s: %s", pooled.tx.hash.hex(), pooled.sender.hex(), error)
            raise
        return pooled.tx.hash

    def account_view(self, sender: bytes) -> AccountView:
        head = self._head_view()
        return AccountView(
            nonce=head.state.get_nonce(sender),
            balance=head.state.get_balance(sender),
            base_fee=head.next_base_fee,
            block_gas_limit=head.header.gas_limit,
        )

    def pending_nonce(self, sender: bytes) -> int:
        return self.pool.next_nonce(sender, self._head_view().state.get_nonce(sender))

    def next_base_fee(self) -> int:
        return self._head_view().next_base_fee

    def _head_view(self) -> _HeadView:
        """Read-only state and next base fee of the head, built once per head.

        Admission reads these for every transaction; building a py-evm VM each
        time would cost more than the checks themselves.
        """
        header = self.ledger.head()
        if self._head is None or self._head.header.hash != header.hash:
            following = self.ledger.vm_on_top_of(header, timestamp=header.timestamp + 1)
            self._head = _HeadView(header, self.ledger.state_at(header), following.get_header().base_fee_per_gas)
        return self._head

    # -- production --------------------------------------------------------------

    def produce(self, allow_empty: bool = False) -> ProducedBlock | None:
        """Seal every executable pending transaction into one committed block."""
        chosen = self._executable()
        if not chosen and not allow_empty:
            return None
        produced = self.producer.produce([p.tx for p in chosen], self.clock.take())
        self.pool.remove({p.tx.hash for p in chosen})
        self.pool.prune(self._state_nonce_reader())
        for listener in self.listeners:
            listener(produced)
        return produced

    def _executable(self) -> list[PooledTx]:
        return self.pool.executable(self._state_nonce_reader(), self.ledger.head().gas_limit)

    def _state_nonce_reader(self) -> Callable[[bytes], int]:
        return self._head_view().state.get_nonce

    # -- dev chain controls --------------------------------------------------------

    def rewind(self, number: int) -> None:
        """Return the chain to block ``number``, and the clock to that block's time;
        pending transactions are dropped."""
        self.pool.clear()
        self.ledger.rewind(number)
        self.clock.resume_from(self.ledger.head().timestamp)

    def head(self) -> BlockHeaderAPI:
        return self.ledger.head()
