"""Chain objects as Ethereum JSON-RPC JSON, field for field as execution-apis specifies.

Blocks carry a Clique seal in extraData (32-byte vanity + 65-byte signature),
which web3.py refuses (it allows 32 bytes) unless every client adds
``ExtraDataToPOAMiddleware`` -- and Ape 0.8 with web3 7 fails to detect that it
should. So ``extraData`` is served as the 32-byte vanity, and the whole sealed
value as ``sealedExtraData``: web3.py, Ape and ethers read blocks unchanged,
and ``hash`` is still the keccak of the header rebuilt with ``sealedExtraData``
(which is what :func:`gigledger.seal.checked_header` does).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import rlp
from eth._utils.address import generate_contract_address
from eth.abc import BlockAPI, BlockHeaderAPI, ReceiptAPI, SignedTransactionAPI

from gigledger_node.chain.chain import Ledger
from gigledger_node.chain.logindex import LogEntry
from gigledger_node.chain.sealing import VANITY_LENGTH


def hex_int(value: int) -> str:
    return hex(value)


def hex_bytes(value: bytes) -> str:
    return "0x" + value.hex()


def hex_address(value: bytes) -> str:
    """Lower-case hex, as geth serves addresses (and no keccak per address)."""
    return "0x" + value.hex()


def base_fee(header: BlockHeaderAPI) -> int:
    """A header's base fee: the ABC allows none (before London); this chain's headers all have one."""
    fee = header.base_fee_per_gas
    if fee is None:
        raise ValueError(f"block {header.block_number} has no base fee")
    return fee


def header_json(header: BlockHeaderAPI) -> dict[str, Any]:
    """The header fields of a block (also what newHeads subscribers receive)."""
    # A Prague header: the ABC types its later forks' fields Optional (or not at all).
    prague: Any = header
    return {
        "hash": hex_bytes(header.hash),
        "parentHash": hex_bytes(header.parent_hash),
        "sha3Uncles": hex_bytes(header.uncles_hash),
        "miner": hex_address(header.coinbase),
        "stateRoot": hex_bytes(header.state_root),
        "transactionsRoot": hex_bytes(header.transaction_root),
        "receiptsRoot": hex_bytes(header.receipt_root),
        "logsBloom": hex_bytes(header.bloom.to_bytes(256, "big")),
        "difficulty": hex_int(header.difficulty),
        "number": hex_int(header.block_number),
        "gasLimit": hex_int(header.gas_limit),
        "gasUsed": hex_int(header.gas_used),
        "timestamp": hex_int(header.timestamp),
        "extraData": hex_bytes(header.extra_data[:VANITY_LENGTH]),
        "sealedExtraData": hex_bytes(header.extra_data),
        "mixHash": hex_bytes(header.mix_hash),
        "nonce": hex_bytes(header.nonce),
        "baseFeePerGas": hex_int(base_fee(header)),
        "withdrawalsRoot": hex_bytes(prague.withdrawals_root),
        "blobGasUsed": hex_int(prague.blob_gas_used),
        "excessBlobGas": hex_int(prague.excess_blob_gas),
        "parentBeaconBlockRoot": hex_bytes(prague.parent_beacon_block_root),
        "requestsHash": hex_bytes(prague.requests_hash),
    }


def block_json(ledger: Ledger, header: BlockHeaderAPI, full_transactions: bool) -> dict[str, Any]:
    block = ledger.block(header)
    if full_transactions:
        transactions: list[Any] = [
            transaction_json(tx, header, index) for index, tx in enumerate(block.transactions)
        ]
    else:
        transactions = [hex_bytes(tx.hash) for tx in block.transactions]
    return {
        **header_json(header),
        "size": hex_int(len(rlp.encode(block))),
        "totalDifficulty": hex_int(0),
        "transactions": transactions,
        "uncles": [],
        "withdrawals": [],
    }


def transaction_json(
    tx: SignedTransactionAPI, header: BlockHeaderAPI | None, index: int | None
) -> dict[str, Any]:
    """A transaction, mined (with its block) or pending (header None)."""
    tx_type = getattr(tx, "type_id", None) or 0
    fields: dict[str, Any] = {
        "type": hex_int(tx_type),
        "hash": hex_bytes(tx.hash),
        "from": hex_address(tx.sender),
        "to": hex_address(tx.to) if tx.to else None,
        "nonce": hex_int(tx.nonce),
        "gas": hex_int(tx.gas),
        "value": hex_int(tx.value),
        "input": hex_bytes(tx.data),
        "r": hex_int(tx.r),
        "s": hex_int(tx.s),
        "blockHash": hex_bytes(header.hash) if header else None,
        "blockNumber": hex_int(header.block_number) if header else None,
        "blockTimestamp": hex_int(header.timestamp) if header else None,
        "transactionIndex": hex_int(index) if header is not None and index is not None else None,
    }
    if tx_type == 0:
        legacy: Any = tx  # only legacy transactions carry v; the ABC does not say
        fields["gasPrice"] = hex_int(tx.gas_price)
        fields["v"] = hex_int(legacy.v)
        if tx.chain_id is not None:
            fields["chainId"] = hex_int(tx.chain_id)
        return fields
    fields["chainId"] = hex_int(tx.chain_id or 0)  # typed transactions always carry one
    fields["accessList"] = [
        {"address": hex_address(a), "storageKeys": [hex_bytes(k.to_bytes(32, "big")) for k in keys]}
        for a, keys in tx.access_list
    ]
    fields["yParity"] = hex_int(tx.y_parity)
    fields["v"] = hex_int(tx.y_parity)
    if tx_type == 1:
        fields["gasPrice"] = hex_int(tx.gas_price)
        return fields
    fields["maxFeePerGas"] = hex_int(tx.max_fee_per_gas)
    fields["maxPriorityFeePerGas"] = hex_int(tx.max_priority_fee_per_gas)
    fields["gasPrice"] = hex_int(
        effective_gas_price(tx, base_fee(header)) if header else tx.max_fee_per_gas
    )
    return fields


def effective_gas_price(tx: SignedTransactionAPI, base_fee: int) -> int:
    """What each unit of gas cost the sender in a block with ``base_fee``."""
    return min(tx.max_fee_per_gas, base_fee + tx.max_priority_fee_per_gas)


@dataclass(frozen=True)
class _BlockContents:
    """A committed block's transactions, receipts and logs, decoded once."""

    transactions: tuple
    receipts: tuple
    logs_by_tx: dict[int, tuple[dict[str, Any], ...]]


BLOCK_CONTENTS_CACHED = 64
_contents_cache: OrderedDict[tuple[Ledger, bytes], _BlockContents] = OrderedDict()
_contents_lock = threading.Lock()


def remember_block(ledger: Ledger, block: BlockAPI, receipts: Sequence[ReceiptAPI]) -> None:
    """Cache a just-committed block's contents from the objects it was built from.

    Called by the producer after the commit, so the receipts clients ask for next
    are answered without decoding the block back from the store (cProfile: that
    decoding was half of eth_getTransactionReceipt under the sequential workload).
    """
    _cache_contents((ledger, block.header.hash), _contents(ledger, block.header, block.transactions, receipts))


def _block_contents(ledger: Ledger, header: BlockHeaderAPI) -> _BlockContents:
    # Cached by block hash: a committed block never changes, and clients ask for
    # the receipts of a block's transactions one after another.
    key = (ledger, header.hash)
    with _contents_lock:
        found = _contents_cache.get(key)
        if found is not None:
            _contents_cache.move_to_end(key)
            return found
    contents = _contents(ledger, header, ledger.transactions(header), ledger.receipts(header))
    _cache_contents(key, contents)
    return contents


def _contents(
    ledger: Ledger, header: BlockHeaderAPI, transactions: Sequence[SignedTransactionAPI], receipts: Sequence[ReceiptAPI]
) -> _BlockContents:
    logs: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for entry in ledger.log_index.block_logs(header):
        logs[entry.tx_index].append(log_json(entry))
    return _BlockContents(
        tuple(transactions), tuple(receipts), {index: tuple(entries) for index, entries in logs.items()}
    )


def _cache_contents(key: tuple[Ledger, bytes], contents: _BlockContents) -> None:
    with _contents_lock:
        _contents_cache[key] = contents
        _contents_cache.move_to_end(key)
        while len(_contents_cache) > BLOCK_CONTENTS_CACHED:
            _contents_cache.popitem(last=False)


def receipt_json(ledger: Ledger, header: BlockHeaderAPI, index: int) -> dict[str, Any]:
    contents = _block_contents(ledger, header)
    tx = contents.transactions[index]
    receipts = contents.receipts
    receipt: ReceiptAPI = receipts[index]
    previous_cumulative = receipts[index - 1].gas_used if index else 0
    logs = [dict(entry) for entry in contents.logs_by_tx.get(index, ())]
    creates = generate_contract_address(tx.sender, tx.nonce) if not tx.to else None
    return {
        "type": hex_int(getattr(tx, "type_id", None) or 0),
        "transactionHash": hex_bytes(tx.hash),
        "transactionIndex": hex_int(index),
        "blockHash": hex_bytes(header.hash),
        "blockNumber": hex_int(header.block_number),
        "from": hex_address(tx.sender),
        "to": hex_address(tx.to) if tx.to else None,
        "cumulativeGasUsed": hex_int(receipt.gas_used),
        "gasUsed": hex_int(receipt.gas_used - previous_cumulative),
        "contractAddress": hex_address(creates) if creates else None,
        "logs": logs,
        "logsBloom": hex_bytes(receipt.bloom.to_bytes(256, "big")),
        "status": hex_int(1 if receipt.state_root == b"\x01" else 0),
        "effectiveGasPrice": hex_int(effective_gas_price(tx, base_fee(header))),
    }


def log_json(entry: LogEntry, removed: bool = False) -> dict[str, Any]:
    return {
        "removed": removed,
        "logIndex": hex_int(entry.log_index),
        "transactionIndex": hex_int(entry.tx_index),
        "transactionHash": hex_bytes(entry.tx_hash),
        "blockHash": hex_bytes(entry.header.hash),
        "blockNumber": hex_int(entry.header.block_number),
        "blockTimestamp": hex_int(entry.header.timestamp),
        "address": hex_address(entry.address),
        "data": hex_bytes(entry.data),
        "topics": [hex_bytes(t) for t in entry.topics],
    }


LOG_JSON_CACHED_BYTES = 64 * 1024 * 1024
_log_json_cache: OrderedDict[bytes, dict[int, bytes]] = OrderedDict()  # block hash -> log index -> JSON
_log_json_bytes = 0
_log_json_lock = threading.Lock()


def logs_json(entries: Sequence[LogEntry]) -> orjson.Fragment:
    """A JSON array of these logs, each encoded once per block and reused after.

    Committed logs never change, and a client that pages through history or an
    indexer that re-reads a range asks for the same logs again; cProfile put an
    eth_getLogs over 10,000 events almost wholly in building their JSON objects.
    """
    parts = []
    with _log_json_lock:
        for entry in entries:
            parts.append(_log_json_bytes_of(entry))
        _trim_log_json_cache()
    return orjson.Fragment(b"[" + b",".join(parts) + b"]")


def _log_json_bytes_of(entry: LogEntry) -> bytes:
    global _log_json_bytes
    block = _log_json_cache.get(entry.header.hash)
    if block is None:
        block = _log_json_cache[entry.header.hash] = {}
    else:
        _log_json_cache.move_to_end(entry.header.hash)
    encoded = block.get(entry.log_index)
    if encoded is None:
        encoded = block[entry.log_index] = orjson.dumps(log_json(entry))
        _log_json_bytes += len(encoded)
    return encoded


def _trim_log_json_cache() -> None:
    global _log_json_bytes
    while _log_json_bytes > LOG_JSON_CACHED_BYTES and len(_log_json_cache) > 1:
        _, block = _log_json_cache.popitem(last=False)
        _log_json_bytes -= sum(len(encoded) for encoded in block.values())
