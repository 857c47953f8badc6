"""Pending transactions: admission rules, per-sender nonce order, replacement, limits.

Admission applies the checks geth's pool applies, in the same order and with
the same messages, because client libraries match on those strings (web3.py,
ethers and Ape turn "nonce too low" or "insufficient funds ..." into typed
errors). It also applies every rule the block builder applies (intrinsic gas,
the EIP-7623 calldata floor, the block gas limit, py-evm's own field checks),
so a transaction that got a hash back is either mined or visibly dropped.

Transactions whose nonce is ahead of the sender's next one are "queued" until
the gap fills; the sender's gapless run from its state nonce is "pending"
(executable). A transaction with the same sender and nonce as a pooled one
replaces it only when it raises both fee caps by at least 10%.

Limits follow geth's defaults: each account may queue 64 transactions; the
pool holds 4096 pending and 1024 queued in all. Each account is guaranteed 16
pending slots: when pending is full, a newcomer within its 16 evicts the
highest-nonce transaction of the account holding the most pending ones, and
when queued is full, the highest-nonce queued transaction of the account
queueing the most. One account can therefore never lock the others out.

Queued transactions also expire, as in geth (``txpool.lifetime``, 3 hours): an
account's heartbeat starts when its first queued transaction arrives and is
renewed whenever one of its transactions becomes executable (sent at the next
nonce, a gap filled, a pending one replaced). Another gapped transaction, or a
repriced one, does not renew it, or an account could keep its 64 parked
transactions alive forever with one free resubmission now and then. Once the
heartbeat is older than the lifetime, the account's queued transactions are
dropped; its executable ones stay, since the next block will mine or drop them.
There is no eviction thread: every call into the pool first drops what has
expired, and since heartbeats are kept oldest first that costs one look when
nothing has. The lifetime runs on a monotonic clock, not on block time, so dev
time travel (evm_increaseTime) does not expire anything. The pool lives in memory
only: a restart starts it empty.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Concatenate, ParamSpec, TypeVar

import rlp
from eth.abc import SignedTransactionAPI
from eth.constants import GAS_TX, SECPK1_N
from eth.exceptions import UnrecognizedTransactionType
from eth.vm.forks.cancun.constants import BLOB_TX_TYPE
from eth.vm.forks.prague.constants import (
    MAGIC,
    SET_CODE_TRANSACTION_TYPE,
    STANDARD_TOKEN_COST,
    TOTAL_COST_FLOOR_PER_TOKEN,
)
from eth.vm.forks.prague.transactions import PragueTransactionBuilder
from eth.vm.forks.shanghai.constants import MAX_INITCODE_SIZE
from eth_keys import keys
from eth_keys.exceptions import BadSignature
from eth_keys.exceptions import ValidationError as KeyValidationError
from eth_utils import ValidationError

logger = logging.getLogger(__name__)

MAX_TX_BYTES = 128 * 1024  # geth's txMaxSize
REPLACEMENT_BUMP_PERCENT = 10
ACCOUNT_SLOTS = 16  # geth's AccountSlots: pending slots each account is guaranteed
ACCOUNT_QUEUE = 64  # geth's AccountQueue: queued transactions per account
GLOBAL_SLOTS = 4096  # geth's GlobalSlots: pending transactions in all
GLOBAL_QUEUE = 1024  # geth's GlobalQueue: queued transactions in all
LIFETIME = 3 * 60 * 60.0  # geth's Lifetime: seconds an account's queued transactions may wait idle


class TxRejected(Exception):
    """A transaction the pool refuses; ``str(error)`` starts with geth's message for it."""


@dataclass(frozen=True)
class AccountView:
    """What admission needs to know about the sender and the next block."""

    nonce: int
    balance: int
    base_fee: int
    block_gas_limit: int


@dataclass(frozen=True)
class PooledTx:
    """A pending transaction with its recovered sender and EIP-7702 authorities."""

    tx: SignedTransactionAPI
    sender: bytes
    authorities: tuple[bytes, ...] = ()

    @property
    def max_fee(self) -> int:
        return self.tx.max_fee_per_gas

    @property
    def tip(self) -> int:
        return self.tx.max_priority_fee_per_gas

    @property
    def cost(self) -> int:
        return self.tx.gas * self.max_fee + self.tx.value

    @property
    def acts_for(self) -> tuple[bytes, ...]:
        """Every account whose nonce, code or identity this transaction uses."""
        return (self.sender, *self.authorities)


@dataclass(frozen=True)
class PoolLimits:
    """How many transactions the pool holds, and how long queued ones may idle; geth's defaults."""

    account_slots: int = ACCOUNT_SLOTS
    account_queue: int = ACCOUNT_QUEUE
    global_slots: int = GLOBAL_SLOTS
    global_queue: int = GLOBAL_QUEUE
    lifetime: float = LIFETIME


# -- stateless admission -------------------------------------------------------------


def decode_transaction(raw: bytes, chain_id: int) -> PooledTx:
    """Decode a signed transaction, check what needs no state, recover who it acts for.

    Raises TxRejected with geth's message for each rule broken.
    """
    if len(raw) > MAX_TX_BYTES:
        raise TxRejected("oversized data")
    tx = _decode(raw)
    if tx.type_id == BLOB_TX_TYPE:
        # Without sidecars a blob transaction can never be valid here, and py-evm
        # would only find out while building a block.
        raise TxRejected(
            "transaction type not supported: blob transactions (type 3) need blob sidecars, which this chain does not carry"
        )
    if tx.chain_id is None or tx.chain_id != chain_id:
        raise TxRejected("invalid chain id for signer")
    if tx.s > SECPK1_N // 2:  # EIP-2: high-s signatures are malleable copies
        raise TxRejected("invalid sender")
    if tx.type_id == SET_CODE_TRANSACTION_TYPE:
        _check_set_code_shape(tx)
    if not tx.to and len(tx.data) > MAX_INITCODE_SIZE:
        # EIP-3860 makes such a transaction invalid; py-evm would mine it as out of gas.
        raise TxRejected(f"max initcode size exceeded: code size {len(tx.data)}, limit {MAX_INITCODE_SIZE}")
    check_intrinsic_gas(tx)
    try:
        tx.validate()  # py-evm's own field checks, as block import applies them
    except ValidationError as error:
        raise TxRejected(f"invalid transaction: {error}") from error
    try:
        sender = tx.sender  # one recovery; it fails for any invalid signature
    except (BadSignature, KeyValidationError, ValidationError, ValueError) as error:
        raise TxRejected("invalid sender") from error
    return PooledTx(tx, sender, _authorities(tx))


def _decode(raw: bytes) -> SignedTransactionAPI:
    try:
        return PragueTransactionBuilder.decode(raw)
    except (rlp.RLPException, UnrecognizedTransactionType, ValidationError, ValueError, TypeError, IndexError) as error:
        raise TxRejected(f"rlp: invalid transaction: {error}") from error


def _check_set_code_shape(tx: SignedTransactionAPI) -> None:
    if not tx.authorization_list:
        raise TxRejected("EIP-7702 transaction with empty auth list")
    if not tx.to:
        raise TxRejected("EIP-7702 transaction cannot be used to create contract")


def check_intrinsic_gas(tx: SignedTransactionAPI) -> None:
    """Gas must cover the intrinsic cost and (Prague, EIP-7623) the calldata floor."""
    if tx.gas < tx.intrinsic_gas:
        raise TxRejected(f"intrinsic gas too low: gas {tx.gas}, minimum needed {tx.intrinsic_gas}")
    floor = calldata_floor_gas(tx.data)
    if tx.gas < floor:
        raise TxRejected(f"insufficient gas for floor data gas cost: gas {tx.gas}, minimum needed {floor}")


def calldata_floor_gas(data: bytes) -> int:
    """EIP-7623's least gas a transaction carrying ``data`` is charged."""
    zeros = data.count(0)
    tokens = zeros + (len(data) - zeros) * STANDARD_TOKEN_COST
    return GAS_TX + TOTAL_COST_FLOOR_PER_TOKEN * tokens


def _authorities(tx: SignedTransactionAPI) -> tuple[bytes, ...]:
    """The accounts an EIP-7702 transaction's authorizations would act for.

    Recovered exactly as py-evm does when it applies them; an authorization whose
    signature recovers no key can never take effect, so it acts for nobody.
    """
    if tx.type_id != SET_CODE_TRANSACTION_TYPE:
        return ()
    found: list[bytes] = []
    for auth in tx.authorization_list:
        message = MAGIC + rlp.encode([auth.chain_id, auth.address, auth.nonce])
        try:
            signature = keys.Signature(vrs=(auth.y_parity, auth.r, auth.s))
            authority = signature.recover_public_key_from_msg(message).to_canonical_address()
        except (BadSignature, KeyValidationError, ValidationError, ValueError):
            continue
        if authority not in found:
            found.append(authority)
    return tuple(found)


def check_against_state(pooled: PooledTx, account: AccountView, queued_cost: int = 0) -> None:
    """The stateful admission checks, in geth's order.

    ``queued_cost`` is what the sender's other pooled transactions may spend, so
    two transactions that each fit the balance but not together are refused
    at the door (geth's overdraft check), not when the block is built.
    """
    tx = pooled.tx
    if tx.gas > account.block_gas_limit:
        raise TxRejected("exceeds block gas limit")
    if pooled.tip > pooled.max_fee:
        raise TxRejected("max priority fee per gas higher than max fee per gas")
    if pooled.max_fee < account.base_fee:
        raise TxRejected("max fee per gas less than block base fee")
    if tx.nonce < account.nonce:
        raise TxRejected("nonce too low")
    if account.balance < pooled.cost:
        raise TxRejected("insufficient funds for gas * price + value")
    if account.balance < pooled.cost + queued_cost:
        raise TxRejected(
            f"insufficient funds for gas * price + value: balance {account.balance}, "
            f"queued cost {queued_cost}, overshot {pooled.cost + queued_cost - account.balance}"
        )


# -- the pool ------------------------------------------------------------------------


@dataclass
class _AccountTxs:
    """One sender's pooled transactions by nonce, with running counts and cost.

    Kept incrementally, since a sender may pool thousands of transactions and
    admission must not rescan them all for each new one.
    """

    state_nonce: int
    txs: dict[int, PooledTx] = field(default_factory=dict)
    pending: int = 0  # length of the gapless run from state_nonce
    cost: int = 0  # what all of them may spend

    @property
    def queued(self) -> int:
        return len(self.txs) - self.pending

    def put(self, pooled: PooledTx) -> PooledTx | None:
        """Add or replace the transaction at its nonce; returns the one replaced."""
        nonce = pooled.tx.nonce
        replaced = self.txs.get(nonce)
        self.txs[nonce] = pooled
        self.cost += pooled.cost - (replaced.cost if replaced else 0)
        if nonce == self.state_nonce + self.pending:
            while self.state_nonce + self.pending in self.txs:
                self.pending += 1
        return replaced

    def pop(self, nonce: int) -> PooledTx:
        pooled = self.txs.pop(nonce)
        self.cost -= pooled.cost
        if self.is_pending(nonce):
            self.pending = nonce - self.state_nonce
        return pooled

    def move_to(self, state_nonce: int) -> list[PooledTx]:
        """Follow the sender's state nonce; returns the transactions it has used up."""
        used = [self.pop(n) for n in sorted(self.txs) if n < state_nonce]
        self.state_nonce, self.pending = state_nonce, 0
        while state_nonce + self.pending in self.txs:
            self.pending += 1
        return used

    def is_pending(self, nonce: int) -> bool:
        return self.state_nonce <= nonce < self.state_nonce + self.pending

    def highest(self, pending: bool) -> PooledTx:
        """The highest-nonce pending (or queued) transaction: the one to evict."""
        return self.txs[max(n for n in self.txs if self.is_pending(n) == pending)]


P = ParamSpec("P")
R = TypeVar("R")


def _touching(method: Callable[Concatenate[TxPool, P], R]) -> Callable[Concatenate[TxPool, P], R]:
    """Run a pool method under the pool's lock, with whatever outlived the lifetime already gone."""

    @functools.wraps(method)
    def touching(pool: TxPool, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with pool._lock:
            pool._expire()
            return method(pool, *args, **kwargs)

    return touching


class TxPool:
    """Pooled transactions by sender and nonce, within geth-style limits and lifetime.

    Every call holds the pool's own lock, because RPC reads (``get``, ``all``,
    ``next_nonce``) run beside the producer thread and any call may expire
    transactions. ``clock`` gives seconds and must never go backwards.
    """

    def __init__(self, limits: PoolLimits | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or PoolLimits()
        self._clock = clock
        self._accounts: dict[bytes, _AccountTxs] = {}
        self._by_hash: dict[bytes, PooledTx] = {}
        self._pending = 0
        self._queued = 0
        # Heartbeat of each account that has queued transactions, oldest first.
        self._beats: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.RLock()

    @_touching
    def __len__(self) -> int:
        return len(self._by_hash)

    @_touching
    def status(self) -> tuple[int, int]:
        """(pending, queued) transaction counts, as txpool_status reports them."""
        return self._pending, self._queued

    @_touching
    def add(self, pooled: PooledTx, account: AccountView) -> None:
        """Admit ``pooled`` (checked against ``account``) or raise TxRejected."""
        if pooled.tx.hash in self._by_hash:
            raise TxRejected("already known")
        txs = self._account(pooled.sender, account.nonce)
        nonce = pooled.tx.nonce
        current = txs.txs.get(nonce)
        check_against_state(pooled, account, txs.cost - (current.cost if current else 0))
        if current is not None:
            _check_replacement(current, pooled)
            del self._by_hash[current.tx.hash]
        else:
            self._make_room(pooled.sender, txs, pending=nonce == txs.state_nonce + txs.pending)
        self._accounts[pooled.sender] = txs
        # Replacing a pending transaction is activity too (geth bumps the heartbeat).
        with self._counting(pooled.sender, active=current is not None and txs.is_pending(nonce)):
            txs.put(pooled)
        self._by_hash[pooled.tx.hash] = pooled

    @_touching
    def get(self, tx_hash: bytes) -> PooledTx | None:
        return self._by_hash.get(tx_hash)

    @_touching
    def all(self) -> list[PooledTx]:
        """Every pooled transaction, pending or queued."""
        return list(self._by_hash.values())

    @_touching
    def next_nonce(self, sender: bytes, state_nonce: int) -> int:
        """The nonce after the sender's gapless run of pending transactions."""
        txs = self._accounts.get(sender)
        nonce = state_nonce
        while txs is not None and nonce in txs.txs:
            nonce += 1
        return nonce

    @_touching
    def executable(self, nonce_of: Callable[[bytes], int], gas_limit: int) -> list[PooledTx]:
        """Ready transactions for one block: each sender's gapless run, within gas_limit."""
        chosen: list[PooledTx] = []
        gas_left = gas_limit
        for sender, txs in self._accounts.items():
            nonce = nonce_of(sender)
            while nonce in txs.txs and txs.txs[nonce].tx.gas <= gas_left:
                chosen.append(txs.txs[nonce])
                gas_left -= txs.txs[nonce].tx.gas
                nonce += 1
        return chosen

    @_touching
    def remove(self, tx_hashes: Iterable[bytes]) -> None:
        """Forget transactions (included in a block, or dropped as invalid)."""
        self._remove(tx_hashes)

    @_touching
    def remove_acting_for(self, accounts: set[bytes]) -> list[PooledTx]:
        """Forget every transaction that acts for one of ``accounts``; returns them."""
        gone = [p for p in self._by_hash.values() if accounts.intersection(p.acts_for)]
        self._remove(p.tx.hash for p in gone)
        return gone

    @_touching
    def prune(self, nonce_of: Callable[[bytes], int]) -> None:
        """Forget transactions whose nonce a committed block has already used."""
        for sender in list(self._accounts):
            with self._counting(sender):
                for used in self._accounts[sender].move_to(nonce_of(sender)):
                    del self._by_hash[used.tx.hash]

    def clear(self) -> None:
        with self._lock:
            self._accounts.clear()
            self._by_hash.clear()
            self._beats.clear()
            self._pending = self._queued = 0

    # -- lifetime ------------------------------------------------------------------------

    def _expire(self) -> None:
        """Drop the queued transactions of every account idle for longer than the lifetime.

        Heartbeats are kept oldest first, so this stops at the first account still
        within it: one look when nothing has expired, never a scan of the pool.
        """
        while self._beats:
            sender = next(iter(self._beats))
            if self._beats[sender] >= self._clock() - self.limits.lifetime:  # geth: idle for *more* than it
                return
            self._drop_queued(sender)

    def _drop_queued(self, sender: bytes) -> None:
        txs = self._accounts[sender]
        idle = [p for nonce, p in txs.txs.items() if not txs.is_pending(nonce)]
        logger.info(
            "txpool: dropping %d queued transactions of 0x%s: none became executable within the %g s lifetime",
            len(idle), sender.hex(), self.limits.lifetime,
        )
        for pooled in idle:
            logger.debug("txpool: dropping tx 0x%s (lifetime)", pooled.tx.hash.hex())
        self._remove(p.tx.hash for p in idle)
        self._beats.pop(sender, None)  # already gone with its queue; never loop on it

    def _beat(self, sender: bytes, txs: _AccountTxs, active: bool) -> None:
        """Keep the account's heartbeat: set when it starts queueing, renewed on activity,
        forgotten once it queues nothing."""
        if not txs.queued:
            self._beats.pop(sender, None)
        elif active or sender not in self._beats:
            self._beats[sender] = self._clock()
            self._beats.move_to_end(sender)

    # -- bookkeeping ---------------------------------------------------------------------

    def _remove(self, tx_hashes: Iterable[bytes]) -> None:
        for tx_hash in tx_hashes:
            pooled = self._by_hash.pop(tx_hash, None)
            if pooled is None:
                continue
            txs = self._accounts.get(pooled.sender)
            if txs is not None and txs.txs.get(pooled.tx.nonce) is pooled:
                with self._counting(pooled.sender):
                    txs.pop(pooled.tx.nonce)

    def _account(self, sender: bytes, state_nonce: int) -> _AccountTxs:
        """The sender's pooled transactions (registered only once one is added)."""
        txs = self._accounts.get(sender)
        if txs is None:
            return _AccountTxs(state_nonce)
        if txs.state_nonce != state_nonce:
            with self._counting(sender):
                for used in txs.move_to(state_nonce):
                    del self._by_hash[used.tx.hash]
        return txs

    @contextlib.contextmanager
    def _counting(self, sender: bytes, active: bool = False) -> Iterator[None]:
        """Keep the pool's totals and the sender's heartbeat right across a change to
        its transactions; a transaction becoming executable (``pending`` reaching a
        nonce it did not reach before) is activity, as ``active`` says others are."""
        txs = self._accounts[sender]
        self._pending -= txs.pending
        self._queued -= txs.queued
        reached = txs.state_nonce + txs.pending
        yield
        self._pending += txs.pending
        self._queued += txs.queued
        promoted = txs.pending > 0 and txs.state_nonce + txs.pending > reached
        self._beat(sender, txs, active or promoted)
        if not txs.txs:
            del self._accounts[sender]

    def _make_room(self, sender: bytes, txs: _AccountTxs, pending: bool) -> None:
        """Evict one transaction if the new one would overflow a limit, or refuse it."""
        limits = self.limits
        if not pending:
            if txs.queued >= limits.account_queue:
                raise TxRejected(f"account limit exceeded: {txs.queued} queued (nonce-gapped) transactions")
            if self._queued >= limits.global_queue:
                self._evict(sender, pending=False, guaranteed=0)
        elif self._pending >= limits.global_slots:
            if txs.pending >= limits.account_slots:
                raise TxRejected(f"txpool is full: account has {txs.pending} pending transactions")
            self._evict(sender, pending=True, guaranteed=limits.account_slots)

    def _evict(self, newcomer: bytes, pending: bool, guaranteed: int) -> None:
        """Drop the highest-nonce transaction of the heaviest account, if heavier than the newcomer."""

        def held(sender: bytes) -> int:
            txs = self._accounts.get(sender)
            return 0 if txs is None else txs.pending if pending else txs.queued

        heaviest = max(self._accounts, key=held)
        if heaviest == newcomer or held(heaviest) <= max(guaranteed, held(newcomer) + 1):
            raise TxRejected("txpool is full")
        victim = self._accounts[heaviest].highest(pending)
        logger.info("txpool full: evicting tx 0x%s of 0x%s", victim.tx.hash.hex(), heaviest.hex())
        self._remove([victim.tx.hash])


def _check_replacement(current: PooledTx, new: PooledTx) -> None:
    factor = 100 + REPLACEMENT_BUMP_PERCENT
    if new.max_fee * 100 < current.max_fee * factor or new.tip * 100 < current.tip * factor:
        raise TxRejected("replacement transaction underpriced")
