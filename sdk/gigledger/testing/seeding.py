"""Seed many escrow events on a dev chain quickly: full gig lifecycles, many per block.

Works on Anvil and on `gigledger-node start --dev`: both sign for their dev
accounts and have evm_setAutomine, so transactions go out as JSON-RPC batches
of eth_sendTransaction with automining off, and evm_mine packs a whole phase
(all creates, then all accepts, ...) into a block, or into as few blocks as the
chain's block gas limit allows (the node's is 30M). Each gig makes four events:
GigCreated, GigAccepted, GigDelivered, GigReleased. Used by the crash test and
by bench/indexer.py.
"""

from __future__ import annotations

from typing import Any

import eth_abi
import httpx
from eth_utils import keccak

GIG_TYPE = "(address,address,address,address,uint256,uint256,uint256[],uint256,uint256,uint256,uint256,uint256,uint256,uint256)"
OPEN, ACCEPTED, DELIVERED = 1, 2, 4
ZERO = "0x" + "00" * 20
EVENTS_PER_GIG = 4
GAS_PRICE = hex(50 * 10**9)
#: Gas limit of every seeding call: the dearest, approve, uses about 130,000.
GAS = hex(200_000)
#: Anvil flags that let one block hold thousands of gig operations.
ANVIL_FLAGS = ("--disable-block-gas-limit", "--accounts", "10")


def _selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


CREATE = _selector("create_gig(address,address,address,uint256,uint256[],uint256,uint256,bytes32,bytes32[])")
ACCEPT = _selector(f"accept(uint256,{GIG_TYPE})")
DELIVER = _selector(f"deliver(uint256,{GIG_TYPE},bytes32)")
APPROVE = _selector(f"approve(uint256,{GIG_TYPE})")


class Seeder:
    """Drives full gig lifecycles on the dev chain at ``url`` for ``escrow``."""

    def __init__(self, url: str, escrow: str) -> None:
        self.url = url
        self.escrow = escrow
        self.client = httpx.Client(timeout=300)
        self.accounts = self._call("eth_accounts")
        self.nonces = {a: int(self._call("eth_getTransactionCount", [a, "pending"]), 16) for a in self.accounts}
        self.fee_bps = int(self._view("fee_bps()"), 16)
        self._call("evm_setAutomine", [False])

    def close(self) -> None:
        self._call("evm_setAutomine", [True])
        self.client.close()

    def _call(self, method: str, params: list[Any] | None = None) -> Any:
        answer = self.client.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).json()
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]

    def _view(self, signature: str) -> str:
        return self._call("eth_call", [{"to": self.escrow, "data": "0x" + _selector(signature).hex()}, "latest"])

    def _send_all(self, transactions: list[dict]) -> list[str]:
        """Send in batches; returns the transaction hashes in order."""
        hashes = []
        for start in range(0, len(transactions), 2000):
            batch = [
                {"jsonrpc": "2.0", "id": i, "method": "eth_sendTransaction", "params": [tx]}
                for i, tx in enumerate(transactions[start : start + 2000])
            ]
            answers = sorted(self.client.post(self.url, json=batch).json(), key=lambda a: a["id"])
            for answer in answers:
                if "error" in answer:
                    raise RuntimeError(f"eth_sendTransaction: {answer['error']}")
                hashes.append(answer["result"])
        return hashes

    def _tx(self, sender: str, data: bytes, value: int = 0) -> dict:
        nonce = self.nonces[sender]
        self.nonces[sender] += 1
        return {
            "from": sender, "to": self.escrow, "data": "0x" + data.hex(), "value": hex(value),
            "gas": GAS, "gasPrice": GAS_PRICE, "nonce": hex(nonce),
        }

    def _mine(self, hashes: list[str]) -> list[tuple[dict, int]]:
        """Mine until every one of ``hashes`` is in a block; returns each one's first
        escrow log and block timestamp, in the order given.

        One evm_mine seals what fits under the block gas limit, so a phase may
        take several blocks. Every seeding call emits an escrow event, so a
        sealed transaction without one reverted. Logs rather than receipts,
        because one eth_getLogs per block is cheap everywhere.
        """
        included: dict[str, tuple[dict, int]] = {}
        while len(included) < len(hashes):
            self._call("evm_mine")
            block = self._call("eth_getBlockByNumber", ["latest", False])
            if not block["transactions"]:
                raise RuntimeError("evm_mine sealed an empty block while seeding transactions were pending")
            first_logs: dict[str, dict] = {}
            for log in self._call("eth_getLogs", [{"address": self.escrow, "blockHash": block["hash"]}]):
                first_logs.setdefault(log["transactionHash"], log)
            failed = [h for h in block["transactions"] if h not in first_logs]
            if failed:
                raise RuntimeError(f"{len(failed)} seeding transactions reverted, e.g. {failed[0]}")
            timestamp = int(block["timestamp"], 16)
            included.update((h, (log, timestamp)) for h, log in first_logs.items())
        return [included[h] for h in hashes]

    def seed(self, gigs: int, *, amount: int = 1_000, per_block: int = 1_000) -> int:
        """Run ``gigs`` full lifecycles, ``per_block`` gigs per phase (one block, or more
        where the block gas limit binds); returns events made."""
        for start in range(0, gigs, per_block):
            self._lifecycles(min(per_block, gigs - start), amount)
        return gigs * EVENTS_PER_GIG

    def _lifecycles(self, count: int, amount: int) -> None:
        now = int(self._call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)
        deadline = now + 30 * 86_400
        arbiter = self.accounts[9]
        gigs = []
        creates = []
        for i in range(count):
            client, freelancer = self.accounts[i % 4], self.accounts[4 + i % 5]
            gig = [client, freelancer, arbiter, ZERO, amount, 0, [], 0, deadline, 86_400, self.fee_bps, OPEN, 0, 0]
            gigs.append(gig)
            args = eth_abi.encode(
                ["address", "address", "address", "uint256", "uint256[]", "uint256", "uint256", "bytes32", "bytes32[]"],
                [freelancer, arbiter, ZERO, amount, [], deadline, 86_400, b"\x01" * 32, [b"seed".ljust(32, b"\0")]],
            )
            creates.append(self._tx(client, CREATE + args, amount))
        # The block orders transactions by sender and fee, not as sent: read each gig's id back.
        ids = [int(log["topics"][1], 16) for log, _ in self._mine(self._send_all(creates))]
        self._mine(self._send_all([
            self._tx(g[1], ACCEPT + eth_abi.encode(["uint256", GIG_TYPE], [ids[i], g])) for i, g in enumerate(gigs)
        ]))
        for gig in gigs:
            gig[11] = ACCEPTED
        delivered = self._mine(self._send_all([
            self._tx(g[1], DELIVER + eth_abi.encode(["uint256", GIG_TYPE, "bytes32"], [ids[i], g, b"\x02" * 32]))
            for i, g in enumerate(gigs)
        ]))
        for gig, (_, delivered_at) in zip(gigs, delivered, strict=True):
            gig[11], gig[12] = DELIVERED, delivered_at
        self._mine(self._send_all([
            self._tx(g[0], APPROVE + eth_abi.encode(["uint256", GIG_TYPE], [ids[i], g])) for i, g in enumerate(gigs)
        ]))
