"""The eth_ namespace: state, blocks, transactions, calls, fees and logs."""

from __future__ import annotations

from typing import Any

import orjson
from eth.vm.forks.london.headers import calculate_expected_base_fee_per_gas
from eth_utils import to_checksum_address, to_wei

from gigledger_node.chain import calls
from gigledger_node.chain.accesslists import create_access_list
from gigledger_node.chain.proofs import prove_account
from gigledger_node.rpc import params
from gigledger_node.rpc.context import RpcContext
from gigledger_node.rpc.errors import InvalidParams, ServerError
from gigledger_node.rpc.filters import LogCriteria
from gigledger_node.rpc.serialize import (
    base_fee,
    block_json,
    effective_gas_price,
    hex_address,
    hex_bytes,
    hex_int,
    receipt_json,
    transaction_json,
)

# One authority, no auction: a fixed tip is enough to be included next block.
SUGGESTED_TIP = to_wei(1, "gwei")
MAX_FEE_HISTORY_BLOCKS = 1024
MAX_PROOF_KEYS = 1024


class EthNamespace:
    """Handlers for eth_*; each method answers one JSON-RPC method."""

    def __init__(self, ctx: RpcContext) -> None:
        self.ctx = ctx

    def methods(self) -> dict[str, Any]:
        names = [
            "chainId", "blockNumber", "syncing", "mining", "coinbase", "accounts", "getBalance",
            "getTransactionCount", "getCode", "getStorageAt", "call", "estimateGas",
            "gasPrice", "maxPriorityFeePerGas", "feeHistory", "sendRawTransaction",
            "getTransactionByHash", "getTransactionReceipt", "getBlockByNumber",
            "getBlockByHash", "getBlockTransactionCountByNumber",
            "getBlockTransactionCountByHash", "getTransactionByBlockNumberAndIndex",
            "getTransactionByBlockHashAndIndex", "getBlockReceipts", "getLogs", "getProof", "createAccessList",
        ]
        if self.ctx.local_accounts:
            names.append("sendTransaction")
        return {"eth_" + name: getattr(self, name) for name in names}

    # -- chain -------------------------------------------------------------------

    def chainId(self) -> str:
        return hex_int(self.ctx.ledger.chain_id)

    def blockNumber(self) -> str:
        return hex_int(self.ctx.ledger.head().block_number)

    def syncing(self) -> bool:
        return False

    def mining(self) -> bool:
        """Always sealing: blocks are produced whenever transactions are pending."""
        return True

    def coinbase(self) -> str:
        return hex_address(self.ctx.node.producer.authority)

    def accounts(self) -> list[str]:
        return [hex_address(a) for a in self.ctx.local_accounts]

    # -- state -------------------------------------------------------------------

    def getBalance(self, address: Any, block: Any = "latest") -> str:
        return hex_int(self._state(block).get_balance(params.address(address)))

    def getTransactionCount(self, address: Any, block: Any = "latest") -> str:
        sender = params.address(address)
        if block == "pending":
            return hex_int(self.ctx.node.pending_nonce(sender))
        return hex_int(self._state(block).get_nonce(sender))

    def getCode(self, address: Any, block: Any = "latest") -> str:
        return hex_bytes(self._state(block).get_code(params.address(address)))

    def getStorageAt(self, address: Any, slot: Any, block: Any = "latest") -> str:
        value = self._state(block).get_storage(params.address(address), params.storage_slot(slot))
        return hex_bytes(value.to_bytes(32, "big"))

    def getProof(self, address: Any, storage_keys: Any, block: Any = "latest") -> dict[str, Any]:
        """EIP-1186: the account and storage slots with their Merkle proofs to the block's stateRoot."""
        if not isinstance(storage_keys, list) or len(storage_keys) > MAX_PROOF_KEYS:
            raise InvalidParams(f"invalid argument: storage keys must be a list of at most {MAX_PROOF_KEYS}")
        slots = [params.storage_slot(key) for key in storage_keys]
        header = self.ctx.state_header(block)
        proven = prove_account(self.ctx.ledger.store, header.state_root, params.address(address), slots)
        return {
            "address": hex_address(proven.address),
            "accountProof": [hex_bytes(node) for node in proven.proof],
            "balance": hex_int(proven.balance),
            "codeHash": hex_bytes(proven.code_hash),
            "nonce": hex_int(proven.nonce),
            "storageHash": hex_bytes(proven.storage_root),
            "storageProof": [
                {"key": key, "value": hex_int(slot.value), "proof": [hex_bytes(node) for node in slot.proof]}
                for key, slot in zip(storage_keys, proven.storage, strict=True)
            ],
        }

    def call(self, transaction: Any, block: Any = "latest", overrides: Any = None) -> str:
        if overrides is not None:
            raise InvalidParams("state overrides are not supported")
        request = params.call_request(transaction)
        at, timestamp = self.ctx.state_header(block), self._next_block_time(block, "pending")
        return hex_bytes(calls.call(self.ctx.ledger, request, at, timestamp, self.ctx.call_limits))

    def estimateGas(self, transaction: Any, block: Any = "latest") -> str:
        request = params.call_request(transaction)
        at, timestamp = self.ctx.state_header(block), self._next_block_time(block, "latest", "pending")
        return hex_int(calls.estimate_gas(self.ctx.ledger, request, at, timestamp, self.ctx.call_limits))

    def createAccessList(self, transaction: Any, block: Any = "latest") -> dict[str, Any]:
        request = params.call_request(transaction)
        at, timestamp = self.ctx.state_header(block), self._next_block_time(block, "pending")
        found = create_access_list(self.ctx.ledger, request, at, timestamp, self.ctx.call_limits)
        answer: dict[str, Any] = {
            "accessList": [
                {"address": hex_address(a), "storageKeys": [hex_bytes(s.to_bytes(32, "big")) for s in slots]}
                for a, slots in found.access_list
            ],
            "gasUsed": hex_int(found.gas_used),
        }
        if found.error is not None:
            answer["error"] = found.error
        return answer

    def _next_block_time(self, block: Any, *next_block_tags: str) -> int | None:
        """The next block's time when ``block`` is one of the tags that mean "in the next
        block"; None (in that block's own context, as geth) otherwise. A call at "latest"
        thus replays a failed transaction as it ran, and an estimate sees time travel."""
        return self.ctx.node.clock.peek() if block in next_block_tags else None

    def _state(self, block: Any):
        return self.ctx.ledger.state_at(self.ctx.state_header(block))

    # -- fees --------------------------------------------------------------------

    def gasPrice(self) -> str:
        return hex_int(self.ctx.node.next_base_fee() + SUGGESTED_TIP)

    def maxPriorityFeePerGas(self) -> str:
        return hex_int(SUGGESTED_TIP)

    def feeHistory(self, block_count: Any, newest: Any, percentiles: Any = None) -> dict[str, Any]:
        count = min(params.quantity(block_count, "blockCount"), MAX_FEE_HISTORY_BLOCKS)
        newest_header = self.ctx.state_header(newest)
        first = max(0, newest_header.block_number - count + 1)
        headers = [self.ctx.ledger.canonical_header(n) for n in range(first, newest_header.block_number + 1)]
        wanted = _percentiles(percentiles)
        history: dict[str, Any] = {
            "oldestBlock": hex_int(first),
            "baseFeePerGas": [hex_int(base_fee(h)) for h in headers]
            + [hex_int(calculate_expected_base_fee_per_gas(newest_header))],
            "gasUsedRatio": [h.gas_used / h.gas_limit for h in headers],
            "baseFeePerBlobGas": [hex_int(1)] * (len(headers) + 1),
            "blobGasUsedRatio": [0.0] * len(headers),
        }
        if wanted is not None:
            history["reward"] = [[hex_int(r) for r in self._rewards(h, wanted)] for h in headers]
        return history

    def _rewards(self, header, percentiles: list[float]) -> list[int]:
        """Tips paid at each gas-weighted percentile of the block, as geth computes."""
        transactions = self.ctx.ledger.transactions(header)
        if not transactions:
            return [0] * len(percentiles)
        receipts = self.ctx.ledger.receipts(header)
        used = [r.gas_used - (receipts[i - 1].gas_used if i else 0) for i, r in enumerate(receipts)]
        tips = sorted(
            (effective_gas_price(tx, header.base_fee_per_gas) - header.base_fee_per_gas, gas)
            for tx, gas in zip(transactions, used, strict=False)
        )
        rewards, cumulative, index = [], tips[0][1], 0
        for p in percentiles:
            threshold = header.gas_used * p / 100
            while cumulative < threshold and index < len(tips) - 1:
                index += 1
                cumulative += tips[index][1]
            rewards.append(tips[index][0])
        return rewards

    # -- transactions --------------------------------------------------------------

    def sendRawTransaction(self, raw: Any) -> str:
        tx_hash = self.ctx.node.submit(params.data(raw, "transaction"))
        self.ctx.announce_pending(tx_hash)
        self.ctx.wake_producer()
        return hex_bytes(tx_hash)

    def sendTransaction(self, transaction: Any) -> str:
        """Sign with one of the dev accounts and submit (only registered in --dev)."""
        fields = params.obj(transaction, "transaction")
        sender = params.address(fields.get("from"), "from")
        account = self.ctx.local_accounts.get(sender)
        if account is None:
            raise ServerError("unknown account")
        signed = account.sign_transaction(self._fill(fields, sender))
        return self.sendRawTransaction(hex_bytes(signed.raw_transaction))

    def _fill(self, fields: dict[str, Any], sender: bytes) -> dict[str, Any]:
        request = params.call_request(fields)
        tip = params.quantity(fields.get("maxPriorityFeePerGas", hex_int(SUGGESTED_TIP)))
        max_fee = fields.get("maxFeePerGas", fields.get("gasPrice"))
        tx: dict[str, Any] = {
            "chainId": self.ctx.ledger.chain_id,
            "nonce": params.quantity(fields["nonce"]) if "nonce" in fields else self.ctx.node.pending_nonce(sender),
            "value": request.value,
            "data": request.data,
            "gas": request.gas
            or calls.estimate_gas(
                self.ctx.ledger, request, self.ctx.ledger.head(), self.ctx.node.clock.peek(), self.ctx.call_limits
            ),
            "maxPriorityFeePerGas": tip,
            "maxFeePerGas": params.quantity(max_fee) if max_fee is not None else 2 * self.ctx.node.next_base_fee() + tip,
        }
        if request.to:
            tx["to"] = to_checksum_address(request.to)
        return tx

    def getTransactionByHash(self, tx_hash: Any) -> dict[str, Any] | None:
        wanted = params.fixed_data(tx_hash, 32, "transaction hash")
        location = self.ctx.ledger.locate_transaction(wanted)
        if location is not None:
            tx = self.ctx.ledger.transactions(location.header)[location.index]
            return transaction_json(tx, location.header, location.index)
        pooled = self.ctx.node.pool.get(wanted)
        return transaction_json(pooled.tx, None, None) if pooled else None

    def getTransactionReceipt(self, tx_hash: Any) -> dict[str, Any] | None:
        location = self.ctx.ledger.locate_transaction(params.fixed_data(tx_hash, 32, "transaction hash"))
        if location is None:
            return None
        return receipt_json(self.ctx.ledger, location.header, location.index)

    # -- blocks --------------------------------------------------------------------

    def getBlockByNumber(self, block: Any, full: Any) -> dict[str, Any] | None:
        header = self.ctx.header(_number_or_tag(block))
        return block_json(self.ctx.ledger, header, params.boolean(full, "full")) if header else None

    def getBlockByHash(self, block_hash: Any, full: Any) -> dict[str, Any] | None:
        header = self.ctx.ledger.header_by_hash(params.fixed_data(block_hash, 32, "block hash"))
        return block_json(self.ctx.ledger, header, params.boolean(full, "full")) if header else None

    def getBlockTransactionCountByNumber(self, block: Any) -> str | None:
        header = self.ctx.header(_number_or_tag(block))
        return hex_int(len(self.ctx.ledger.transactions(header))) if header else None

    def getBlockTransactionCountByHash(self, block_hash: Any) -> str | None:
        header = self.ctx.ledger.header_by_hash(params.fixed_data(block_hash, 32, "block hash"))
        return hex_int(len(self.ctx.ledger.transactions(header))) if header else None

    def getTransactionByBlockNumberAndIndex(self, block: Any, index: Any) -> dict[str, Any] | None:
        return self._transaction_at(self.ctx.header(_number_or_tag(block)), index)

    def getTransactionByBlockHashAndIndex(self, block_hash: Any, index: Any) -> dict[str, Any] | None:
        header = self.ctx.ledger.header_by_hash(params.fixed_data(block_hash, 32, "block hash"))
        return self._transaction_at(header, index)

    def _transaction_at(self, header, index: Any) -> dict[str, Any] | None:
        position = params.quantity(index, "index")
        if header is None:
            return None
        transactions = self.ctx.ledger.transactions(header)
        if position >= len(transactions):
            return None
        return transaction_json(transactions[position], header, position)

    def getBlockReceipts(self, block: Any) -> list[dict[str, Any]] | None:
        header = self.ctx.header(block)
        if header is None:
            return None
        count = len(self.ctx.ledger.transactions(header))
        return [receipt_json(self.ctx.ledger, header, i) for i in range(count)]

    def getLogs(self, criteria: Any) -> orjson.Fragment:
        return LogCriteria.parse(criteria).logs_json(self.ctx)


def _number_or_tag(block: Any) -> Any:
    if isinstance(params.block_id(block), bytes):
        raise InvalidParams("invalid argument: expected a block number or tag")
    return block


def _percentiles(value: Any) -> list[float] | None:
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) > 100
        or not all(isinstance(p, (int, float)) and not isinstance(p, bool) and 0 <= p <= 100 for p in value)
        or value != sorted(value)
    ):
        raise InvalidParams("invalid argument: rewardPercentiles must be ascending numbers in 0..100")
    return [float(p) for p in value]
