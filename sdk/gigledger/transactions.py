"""Sending transactions: EIP-1559 fees from the node, local nonces, typed failures.

`TransactionSender` signs locally with an eth-account key, so it works against any
EVM JSON-RPC endpoint (no node-side accounts). It estimates gas first, which is
where a revert shows its reason; a transaction that is mined but fails is replayed
with `eth_call` to recover the reason.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Mapping, NoReturn, cast

from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from web3 import Web3
from web3.exceptions import ContractLogicError, TimeExhausted, Web3RPCError
from web3.types import TxParams

from gigledger.errors import (
    ContractError,
    GigLedgerError,
    InsufficientFunds,
    NodeError,
    NodeUnreachable,
    SenderNotAllowed,
    TransactionTimeout,
    error_for_revert,
)
from gigledger.events import Event, decode_logs

#: Extra gas over the estimate, in percent: estimates can be a little short.
GAS_MARGIN_PERCENT = 20
#: How long to wait for a receipt unless told otherwise.
DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True)
class Receipt:
    """A mined, successful transaction and the GigLedger events it emitted."""

    transaction_hash: str
    block_number: int
    block_hash: str
    gas_used: int
    effective_gas_price: int
    contract_address: str | None
    events: tuple[Event, ...]

    def event(self, event_type: type[Event]) -> Event:
        """The first event of `event_type` in this transaction."""
        for event in self.events:
            if isinstance(event, event_type):
                return event
        raise LookupError(f"transaction {self.transaction_hash} emitted no {event_type.__name__}")


class NonceManager:
    """Hands out consecutive nonces for one account without asking the node each time.

    It starts from the node's pending count and is resynchronised after any send
    that failed before the node accepted it, so a refused call does not leave a gap.
    """

    def __init__(self, w3: Web3, address: str) -> None:
        self._w3 = w3
        self._address = Web3.to_checksum_address(address)
        self._next: int | None = None
        self._lock = threading.Lock()

    def reserve(self) -> int:
        """The nonce for the next transaction; call `release` if it is never sent."""
        with self._lock:
            if self._next is None:
                self._next = self._w3.eth.get_transaction_count(self._address, "pending")
            nonce = self._next
            self._next += 1
            return nonce

    def resync(self) -> None:
        """Forget the local count; the next `reserve` asks the node again."""
        with self._lock:
            self._next = None


def rpc_error_code(error: Exception) -> int | None:
    """The JSON-RPC error code behind a web3 exception, if it carries one."""
    response = getattr(error, "rpc_response", None) or {}
    code = (response.get("error") or {}).get("code") if isinstance(response, Mapping) else None
    if code is None and error.args and isinstance(error.args[0], Mapping):
        code = error.args[0].get("code")
    return code


def translate_node_error(error: Exception, sender: str, url: str) -> GigLedgerError | None:
    """The SDK error for a failure the node or the transport reported; None for other errors."""
    if isinstance(error, GigLedgerError):
        return error
    message = _message(error)
    # web3 raises ContractLogicError; its in-process eth-tester provider, TransactionFailed.
    if isinstance(error, ContractLogicError) or message.startswith(REVERT_PREFIX):
        return error_for_revert(revert_reason(message))
    code = rpc_error_code(error)
    if code == SenderNotAllowed.rpc_code:
        return SenderNotAllowed(sender, message)
    if any(phrase in message.lower() for phrase in _NO_FUNDS_PHRASES):
        return InsufficientFunds(sender, message)
    if isinstance(error, (ConnectionError, OSError)) or type(error).__name__ in _CONNECTION_ERRORS:
        return NodeUnreachable(url, message)
    if isinstance(error, Web3RPCError):
        return NodeError(message, code)
    return None


# How nodes say the sender cannot pay: Geth/Anvil/Besu, and py-evm.
_NO_FUNDS_PHRASES = ("insufficient funds", "cannot afford")
# requests' and aiohttp's connection failures, matched by name to avoid importing them.
_CONNECTION_ERRORS = frozenset({"ConnectionError", "ConnectTimeout", "ReadTimeout", "ProviderConnectionError"})


def _message(error: Exception) -> str:
    message = getattr(error, "message", None)
    if message:
        return str(message)
    if error.args and isinstance(error.args[0], Mapping):
        return str(error.args[0].get("message", error.args[0]))
    return str(error)


REVERT_PREFIX = "execution reverted"


def revert_reason(message: str) -> str:
    """The contract's reason string from a node's revert message, without the prefix."""
    return message.removeprefix(REVERT_PREFIX).removeprefix(":").strip()


class TransactionSender:
    """Signs and sends one account's transactions, and waits for their receipts."""

    def __init__(
        self,
        w3: Web3,
        account: LocalAccount,
        *,
        url: str = "",
        timeout: float = DEFAULT_TIMEOUT,
        poll_interval: float = 0.1,
    ) -> None:
        self.w3 = w3
        self.account = account
        self.url = url
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.nonces = NonceManager(w3, account.address)
        self._chain_id: int | None = None

    @property
    def address(self) -> str:
        """The sending account's address."""
        return self.account.address

    @property
    def chain_id(self) -> int:
        """The node's chain id, asked once."""
        if self._chain_id is None:
            self._chain_id = self.w3.eth.chain_id
        return self._chain_id

    def transact(self, call: Any, *, value: int = 0) -> Receipt:
        """Sends a prepared web3 contract call (`contract.functions.f(...)`), waits, returns the receipt."""
        return self.send({"to": call.address, "data": call._encode_transaction_data(), "value": value})

    def deploy(self, bytecode: str, constructor_data: bytes = b"") -> Receipt:
        """Deploys contract code with ABI-encoded constructor arguments appended."""
        data = bytes.fromhex(bytecode.removeprefix("0x")) + constructor_data
        return self.send({"data": "0x" + data.hex(), "value": 0})

    def send(self, transaction: dict[str, Any]) -> Receipt:
        """Fills in sender, gas, fees, nonce and chain id, signs, sends and waits."""
        tx = {"from": self.address, **transaction}
        tx["gas"] = self._guarded(lambda: self._estimate_gas(tx))
        tx.update(self._guarded(self._fees))
        tx["chainId"] = self.chain_id
        tx["nonce"] = self.nonces.reserve()
        signed = self.account.sign_transaction({k: v for k, v in tx.items() if k != "from"})
        try:
            tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        except Exception as error:
            self.nonces.resync()
            self._raise_translated(error)
        return self.wait(tx_hash.to_0x_hex(), tx)

    def wait(self, transaction_hash: str, tx: dict[str, Any] | None = None) -> Receipt:
        """Waits up to `timeout` seconds for a transaction's receipt; raises if it failed."""
        try:
            raw = self.w3.eth.wait_for_transaction_receipt(
                HexStr(transaction_hash), timeout=self.timeout, poll_latency=self.poll_interval
            )
        except TimeExhausted as error:
            raise TransactionTimeout(transaction_hash, self.timeout) from error
        except Exception as error:
            self._raise_translated(error)
        if raw["status"] != 1:
            raise self._failure_of(transaction_hash, raw, tx)
        return Receipt(
            transaction_hash=transaction_hash,
            block_number=raw["blockNumber"],
            block_hash=raw["blockHash"].to_0x_hex(),
            gas_used=raw["gasUsed"],
            effective_gas_price=raw.get("effectiveGasPrice", 0),
            contract_address=raw.get("contractAddress"),
            events=tuple(decode_logs(raw["logs"])),
        )

    def _estimate_gas(self, tx: dict[str, Any]) -> int:
        estimate = self.w3.eth.estimate_gas(cast(TxParams, tx))
        return estimate * (100 + GAS_MARGIN_PERCENT) // 100

    def _fees(self) -> dict[str, int]:
        """EIP-1559 fees from the node: twice the base fee plus its suggested tip."""
        base_fee = self.w3.eth.get_block("latest").get("baseFeePerGas")
        if base_fee is None:
            return {"gasPrice": self.w3.eth.gas_price}
        tip = self._priority_fee()
        return {"maxFeePerGas": 2 * base_fee + tip, "maxPriorityFeePerGas": tip}

    def _priority_fee(self) -> int:
        try:
            return int(self.w3.eth.max_priority_fee)
        except (Web3RPCError, ValueError):
            # Nodes without eth_maxPriorityFeePerGas: a zero tip is what a PoA chain charges.
            return 0

    def _failure_of(self, transaction_hash: str, raw: Mapping[str, Any], tx: Mapping[str, Any] | None) -> ContractError:
        """Replays a failed transaction on the state its block left, to recover the revert reason.

        That state includes whatever else the block did, which is the usual cause of a
        transaction that passed estimation and failed when mined (someone moved first).
        """
        reason = ""
        if tx is not None:
            call = {k: tx[k] for k in ("from", "to", "data", "value") if k in tx}
            try:
                self.w3.eth.call(cast(TxParams, call), raw["blockNumber"])
            except Exception as error:  # the reason is a courtesy; the failure stands without it
                message = _message(error)
                reason = revert_reason(message) if message.startswith(REVERT_PREFIX) else ""
        return error_for_revert(reason, transaction_hash)

    def _guarded(self, step: Callable[[], Any]) -> Any:
        try:
            return step()
        except Exception as error:
            self._raise_translated(error)

    def _raise_translated(self, error: Exception) -> NoReturn:
        translated = translate_node_error(error, self.address, self.url)
        if translated is None:
            raise error
        raise translated from error
