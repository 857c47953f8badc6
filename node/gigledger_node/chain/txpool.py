"""Pending transactions: admission rules, per-sender nonce order, replacement.

Admission applies the checks geth's pool applies, in the same order and with
the same messages, because client libraries match on those strings (web3.py,
ethers and Ape turn "nonce too low" or "insufficient funds ..." into typed
errors). Transactions whose nonce is ahead of the sender's next one are held
until the gap fills; a transaction with the same sender and nonce as a pending
one replaces it only when it raises both fee caps by at least 10%.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import rlp
from eth.abc import SignedTransactionAPI
from eth.constants import SECPK1_N
from eth.exceptions import UnrecognizedTransactionType
from eth.vm.forks.prague.transactions import PragueTransactionBuilder
from eth_keys.exceptions import BadSignature
from eth_utils import ValidationError

MAX_TX_BYTES = 128 * 1024  # geth's txMaxSize
MAX_POOL_SIZE = 20_000
REPLACEMENT_BUMP_PERCENT = 10


class TxRejected(Exception):
    """A transaction the pool refuses; ``str(error)`` is geth's message for it."""


@dataclass(frozen=True)
class AccountView:
    """What admission needs to know about the sender and the next block."""

    nonce: int
    balance: int
    base_fee: int
    block_gas_limit: int


@dataclass(frozen=True)
class PooledTx:
    """A pending transaction with its recovered sender."""

    tx: SignedTransactionAPI
    sender: bytes

    @property
    def max_fee(self) -> int:
        return self.tx.max_fee_per_gas

    @property
    def tip(self) -> int:
        return self.tx.max_priority_fee_per_gas


def decode_transaction(raw: bytes, chain_id: int) -> PooledTx:
    """Decode a signed transaction and recover its sender, or raise TxRejected."""
    if len(raw) > MAX_TX_BYTES:
        raise TxRejected("oversized data")
    try:
        tx = PragueTransactionBuilder.decode(raw)
    except (rlp.exceptions.RLPException, UnrecognizedTransactionType, ValidationError, ValueError, TypeError, IndexError) as error:
        raise TxRejected(f"rlp: invalid transaction: {error}") from error
    if tx.chain_id is None or tx.chain_id != chain_id:
        raise TxRejected("invalid chain id for signer")
    if tx.s > SECPK1_N // 2:  # EIP-2: high-s signatures are malleable copies
        raise TxRejected("invalid sender")
    try:
        sender = tx.sender  # one recovery; it fails for any invalid signature
    except (BadSignature, ValidationError, ValueError) as error:
        raise TxRejected("invalid sender") from error
    return PooledTx(tx, sender)


def check_against_state(pooled: PooledTx, account: AccountView) -> None:
    """The stateful admission checks, in geth's order."""
    tx = pooled.tx
    if tx.gas < tx.intrinsic_gas:
        raise TxRejected("intrinsic gas too low")
    if tx.gas > account.block_gas_limit:
        raise TxRejected("exceeds block gas limit")
    if pooled.tip > pooled.max_fee:
        raise TxRejected("max priority fee per gas higher than max fee per gas")
    if pooled.max_fee < account.base_fee:
        raise TxRejected("max fee per gas less than block base fee")
    if tx.nonce < account.nonce:
        raise TxRejected("nonce too low")
    if account.balance < tx.gas * pooled.max_fee + tx.value:
        raise TxRejected("insufficient funds for gas * price + value")


class TxPool:
    """Pending transactions by sender and nonce."""

    def __init__(self, max_size: int = MAX_POOL_SIZE) -> None:
        self.max_size = max_size
        self._by_sender: dict[bytes, dict[int, PooledTx]] = {}
        self._by_hash: dict[bytes, PooledTx] = {}

    def __len__(self) -> int:
        return len(self._by_hash)

    def add(self, pooled: PooledTx, account: AccountView) -> None:
        """Admit ``pooled`` (checked against ``account``) or raise TxRejected."""
        if pooled.tx.hash in self._by_hash:
            raise TxRejected("already known")
        check_against_state(pooled, account)
        queue = self._by_sender.setdefault(pooled.sender, {})
        current = queue.get(pooled.tx.nonce)
        if current is not None:
            _check_replacement(current, pooled)
            del self._by_hash[current.tx.hash]
        elif len(self._by_hash) >= self.max_size:
            raise TxRejected("txpool is full")
        queue[pooled.tx.nonce] = pooled
        self._by_hash[pooled.tx.hash] = pooled

    def get(self, tx_hash: bytes) -> PooledTx | None:
        return self._by_hash.get(tx_hash)

    def all(self) -> list[PooledTx]:
        """Every pooled transaction, executable or waiting for a nonce gap to fill."""
        return list(self._by_hash.values())

    def next_nonce(self, sender: bytes, state_nonce: int) -> int:
        """The nonce after the sender's gapless run of pending transactions."""
        queue = self._by_sender.get(sender, {})
        nonce = state_nonce
        while nonce in queue:
            nonce += 1
        return nonce

    def executable(self, nonce_of: Callable[[bytes], int], gas_limit: int) -> list[PooledTx]:
        """Ready transactions for one block: each sender's gapless run, within gas_limit."""
        chosen: list[PooledTx] = []
        gas_left = gas_limit
        for sender, queue in self._by_sender.items():
            nonce = nonce_of(sender)
            while nonce in queue and queue[nonce].tx.gas <= gas_left:
                chosen.append(queue[nonce])
                gas_left -= queue[nonce].tx.gas
                nonce += 1
        return chosen

    def remove(self, tx_hashes: set[bytes]) -> None:
        """Forget transactions (included in a block, or dropped as invalid)."""
        for tx_hash in tx_hashes:
            pooled = self._by_hash.pop(tx_hash, None)
            if pooled is not None:
                self._forget(pooled)

    def prune(self, nonce_of: Callable[[bytes], int]) -> None:
        """Forget transactions whose nonce a committed block has already used."""
        for sender in list(self._by_sender):
            floor = nonce_of(sender)
            for nonce, pooled in list(self._by_sender[sender].items()):
                if nonce < floor:
                    del self._by_hash[pooled.tx.hash]
                    self._forget(pooled)

    def clear(self) -> None:
        self._by_sender.clear()
        self._by_hash.clear()

    def _forget(self, pooled: PooledTx) -> None:
        queue = self._by_sender.get(pooled.sender, {})
        if queue.get(pooled.tx.nonce) is pooled:
            del queue[pooled.tx.nonce]
        if not queue:
            self._by_sender.pop(pooled.sender, None)


def _check_replacement(current: PooledTx, new: PooledTx) -> None:
    factor = 100 + REPLACEMENT_BUMP_PERCENT
    if new.max_fee * 100 < current.max_fee * factor or new.tip * 100 < current.tip * factor:
        raise TxRejected("replacement transaction underpriced")
