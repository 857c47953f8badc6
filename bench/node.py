"""Node throughput over JSON-RPC, next to eth-tester's in-process py-evm.

Starts `gigledger-node start --dev`, pre-signs ETH transfers (eth-account, with
coincurve doing the secp256k1 work), sends them as JSON-RPC batches from several
HTTP connections at once, and measures sustained transfers per second from the
first send to the last transaction's inclusion. Then fills the chain with 10,000
events and times one eth_getLogs over all of them (answered from the log index).
eth-tester (in process, one block per transaction, its default) is measured on
the same machine in the same run as the baseline.

Run as a script, or through bench/run.py (which calls run()).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from eth._utils.address import generate_contract_address
from eth_abi import encode
from eth_account.signers.local import LocalAccount
from eth_utils import function_signature_to_4byte_selector, to_canonical_address, to_checksum_address

ROOT = Path(__file__).resolve().parents[1]
TRANSFERS = 4000
CONNECTIONS = 4
BATCH = 50
BASELINE_TRANSFERS = 200
LOG_EVENTS = 10_000
EVENTS_PER_TX = 100
CHAIN_ID = 1337
RECIPIENT = "0x" + "42" * 20


def dev_accounts() -> list[LocalAccount]:
    from gigledger_node.cli import _dev_accounts

    return _dev_accounts()


def signed_transfers(accounts: list[LocalAccount], count: int, chain_id: int, gas_price: int) -> list[str]:
    """``count`` transfers spread over ``accounts``, nonces from 0, as 0x-hex raw txs."""
    raws = []
    for i in range(count):
        sender = accounts[i % len(accounts)]
        tx = {"type": 2, "chainId": chain_id, "nonce": i // len(accounts), "to": RECIPIENT, "value": 1,
              "gas": 21_000, "maxFeePerGas": gas_price, "maxPriorityFeePerGas": 10**9}
        raws.append(sender.sign_transaction(tx).raw_transaction.to_0x_hex())
    return raws


class Node:
    """A `gigledger-node start --dev` subprocess on a free port."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="gigledger-bench-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gigledger_node.cli", "start", "--dev", "--no-deploy", "--port", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        self.client = httpx.Client(timeout=120)
        self._wait()

    def _wait(self) -> None:
        for _ in range(300):
            try:
                self.call("eth_chainId")
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise TimeoutError("node did not start")

    def call(self, method: str, *params):
        answer = self.client.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).json()
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["result"]

    def cpu_seconds(self) -> float:
        """User + system CPU time the node process has used (Linux /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.client.close()
        self.process.terminate()
        self.process.wait(timeout=30)


def send_batches(url: str, raws: list[str]) -> None:
    """Send raw transactions as JSON-RPC batches over one connection."""
    with httpx.Client(timeout=120) as client:
        for start in range(0, len(raws), BATCH):
            batch = [
                {"jsonrpc": "2.0", "id": i, "method": "eth_sendRawTransaction", "params": [raw]}
                for i, raw in enumerate(raws[start:start + BATCH])
            ]
            for answer in client.post(url, json=batch).json():
                if "error" in answer:
                    raise RuntimeError(answer["error"])


def wait_until_mined(node: Node, accounts: list[LocalAccount], nonce: int) -> None:
    for account in accounts:
        while int(node.call("eth_getTransactionCount", account.address, "latest"), 16) < nonce:
            time.sleep(0.01)


def node_transfers_per_second(node: Node, accounts: list[LocalAccount]) -> tuple[float, float]:
    """(transfers per wall-clock second, transfers per second of the node's own CPU time).

    The second figure says what the node would sustain with a core to itself; it
    matters on a shared machine where other processes take the CPU.
    """
    raws = signed_transfers(accounts, TRANSFERS, CHAIN_ID, 10**11)
    # Each connection gets whole per-sender runs so nonces arrive in order per sender.
    lanes = [[raw for i, raw in enumerate(raws) if (i % len(accounts)) % CONNECTIONS == lane] for lane in range(CONNECTIONS)]
    started, cpu_started = time.perf_counter(), node.cpu_seconds()
    threads = [threading.Thread(target=send_batches, args=(node.url, lane)) for lane in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wait_until_mined(node, accounts, TRANSFERS // len(accounts))
    return TRANSFERS / (time.perf_counter() - started), TRANSFERS / (node.cpu_seconds() - cpu_started)


def eth_tester_transfers_per_second(accounts: list[LocalAccount]) -> float:
    """eth-tester's py-evm backend, in process, mining one block per transaction."""
    from eth_tester import EthereumTester, PyEVMBackend

    genesis = PyEVMBackend.generate_genesis_params()
    state = PyEVMBackend.generate_genesis_state(num_accounts=0)
    for account in accounts:
        state[bytes.fromhex(account.address[2:])] = {"balance": 10**24, "nonce": 0, "code": b"", "storage": {}}
    tester = EthereumTester(PyEVMBackend(genesis_parameters=genesis, genesis_state=state))
    raws = signed_transfers(accounts, BASELINE_TRANSFERS, tester.backend.chain.chain_id, 10**11)
    started = time.perf_counter()
    for raw in raws:
        tester.send_raw_transaction(raw)
    return BASELINE_TRANSFERS / (time.perf_counter() - started)


def get_logs_seconds(node: Node, account: LocalAccount) -> float:
    """Emit LOG_EVENTS events from one contract, then time one eth_getLogs over them all."""
    import vyper

    source = (ROOT / "tests" / "node" / "contracts" / "Pinger.vy").read_text()
    bytecode = vyper.compile_code(source, output_formats=["bytecode"])["bytecode"]
    nonce = int(node.call("eth_getTransactionCount", account.address, "pending"), 16)
    address = to_checksum_address(generate_contract_address(to_canonical_address(account.address), nonce))
    calls = [bytecode] + [burst_calldata(EVENTS_PER_TX)] * (LOG_EVENTS // EVENTS_PER_TX)
    raws = [
        account.sign_transaction({
            "type": 2, "chainId": CHAIN_ID, "nonce": nonce + i, "data": data, "gas": 2_000_000,
            "maxFeePerGas": 10**12, "maxPriorityFeePerGas": 10**9, **({"to": address} if i else {}),
        }).raw_transaction.to_0x_hex()
        for i, data in enumerate(calls)
    ]
    send_batches(node.url, raws)
    wait_until_mined(node, [account], nonce + len(raws))
    started = time.perf_counter()
    logs = node.call("eth_getLogs", {"fromBlock": "0x0", "toBlock": "latest", "address": address})
    elapsed = time.perf_counter() - started
    assert len(logs) == LOG_EVENTS, len(logs)
    return elapsed


def burst_calldata(count: int) -> str:
    """Pinger.burst(count): ``count`` Pinged events in one transaction."""
    return "0x" + (function_signature_to_4byte_selector("burst(uint256)") + encode(["uint256"], [count])).hex()


def run() -> list[dict]:
    accounts = dev_accounts()
    baseline = eth_tester_transfers_per_second(accounts)
    node = Node()
    try:
        node_rate, node_cpu_rate = node_transfers_per_second(node, accounts)
        logs_seconds = get_logs_seconds(node, accounts[0])
    finally:
        node.stop()
    return [
        {
            "benchmark": f"node: ETH transfers over JSON-RPC ({CONNECTIONS} connections, batches of {BATCH})",
            "value": round(node_rate, 1), "unit": "tx/s",
            "baseline": round(baseline, 1), "ratio": round(node_rate / baseline, 2),
            "note": "baseline: eth-tester py-evm in process, one block per tx",
        },
        {
            "benchmark": "node: ETH transfers per second of node CPU time",
            "value": round(node_cpu_rate, 1), "unit": "tx/CPU-s",
            "baseline": round(baseline, 1), "ratio": round(node_cpu_rate / baseline, 2),
            "note": "what the node sustains with a core to itself",
        },
        {
            "benchmark": f"node: eth_getLogs over {LOG_EVENTS:,} events (one contract, whole chain)",
            "value": round(logs_seconds, 3), "unit": "s",
            "baseline": None, "ratio": None, "note": "answered from the log index",
        },
    ]


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
