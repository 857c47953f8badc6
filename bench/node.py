"""Node throughput over JSON-RPC, next to eth-tester's in-process py-evm.

Starts `gigledger-node start --dev`, pre-signs ETH transfers (eth-account, with
coincurve doing the secp256k1 work), sends them as JSON-RPC batches from several
HTTP connections at once, and measures sustained transfers per second from the
first send to the last transaction's inclusion; the same for GigEscrow.create_gig
calls (contracts deployed with the SDK). Then fills the chain with 10,000
events and times one eth_getLogs over all of them (answered from the log index).
eth-tester (in process, one block per transaction, its default) does the same
work on the same machine in the same run, as the baseline.

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
PINGER = ROOT / "tests" / "node" / "contracts" / "Pinger.vy"
TRANSFERS = 4000
CONNECTIONS = 4
BATCH = 50
BASELINE_TRANSFERS = 200
LOG_EVENTS = 10_000
EVENTS_PER_TX = 100
CHAIN_ID = 1337
RECIPIENT = "0x" + "42" * 20
GAS_PRICE = 10**12
ESCROW_CALLS = 1000
BASELINE_ESCROW_CALLS = 100
ESCROW_CALL_GAS = 1_000_000
GIG_AMOUNT = 10**15


def dev_accounts() -> list[LocalAccount]:
    from gigledger_node.cli import _dev_accounts

    return _dev_accounts()


def sign(account: LocalAccount, nonce: int, chain_id: int, **fields) -> str:
    """A signed EIP-1559 transaction as 0x-hex."""
    tx = {"type": 2, "chainId": chain_id, "nonce": nonce, "maxFeePerGas": GAS_PRICE,
          "maxPriorityFeePerGas": 10**9, **fields}
    return account.sign_transaction(tx).raw_transaction.to_0x_hex()


def signed_transfers(accounts: list[LocalAccount], count: int, chain_id: int) -> list[str]:
    """``count`` transfers spread round-robin over ``accounts``, nonces from 0."""
    return [
        sign(accounts[i % len(accounts)], i // len(accounts), chain_id, to=RECIPIENT, value=1, gas=21_000)
        for i in range(count)
    ]


def signed_log_bursts(account: LocalAccount, nonce: int, chain_id: int) -> tuple[str, list[str]]:
    """Deploy Pinger, then enough burst() calls for LOG_EVENTS events: (address, raw txs)."""
    import vyper

    bytecode = vyper.compile_code(PINGER.read_text(), output_formats=["bytecode"])["bytecode"]
    address = to_checksum_address(generate_contract_address(to_canonical_address(account.address), nonce))
    burst = "0x" + (function_signature_to_4byte_selector("burst(uint256)") + encode(["uint256"], [EVENTS_PER_TX])).hex()
    raws = [sign(account, nonce, chain_id, data=bytecode, gas=1_000_000)]
    raws += [sign(account, nonce + 1 + i, chain_id, to=address, data=burst, gas=2_000_000)
             for i in range(LOG_EVENTS // EVENTS_PER_TX)]
    return address, raws


def signed_gig_creations(w3, accounts: list[LocalAccount], count: int) -> list[str]:
    """Deploy GigLedger with the SDK, then ``count`` signed GigEscrow.create_gig calls
    (ETH gigs; client i, freelancer i+1, arbiter i+2, round-robin over accounts 1..9)."""
    from gigledger.contracts import abi
    from gigledger.deployment import deploy

    escrow = w3.eth.contract(address=deploy(w3, accounts[0]).escrow, abi=abi("GigEscrow"))
    clients = accounts[1:]
    deadline = int(time.time()) + 30 * 86_400
    chain_id = w3.eth.chain_id
    raws = []
    for i in range(count):
        client = clients[i % len(clients)]
        freelancer, arbiter = clients[(i + 1) % len(clients)], clients[(i + 2) % len(clients)]
        args = [freelancer.address, arbiter.address, "0x" + "00" * 20, GIG_AMOUNT, [], deadline, 86_400,
                b"\x01" * 32, []]
        data = escrow.encode_abi("create_gig", args=args)
        nonce = w3.eth.get_transaction_count(client.address) + i // len(clients)
        raws.append(sign(client, nonce, chain_id, to=escrow.address, data=data, value=GIG_AMOUNT, gas=ESCROW_CALL_GAS))
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

    def wait_until_mined(self, accounts: list[LocalAccount], nonce: int) -> None:
        for account in accounts:
            while int(self.call("eth_getTransactionCount", account.address, "latest"), 16) < nonce:
                time.sleep(0.01)

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


def node_transfers_per_second(node: Node, accounts: list[LocalAccount]) -> tuple[float, float]:
    """(transfers per wall-clock second, transfers per second of the node's own CPU time).

    The second figure says what the node would sustain with a core to itself; it
    matters on a shared machine where other processes take the CPU.
    """
    raws = signed_transfers(accounts, TRANSFERS, CHAIN_ID)
    # Each connection gets whole per-sender runs so nonces arrive in order per sender.
    lanes = [[raw for i, raw in enumerate(raws) if (i % len(accounts)) % CONNECTIONS == lane] for lane in range(CONNECTIONS)]
    started, cpu_started = time.perf_counter(), node.cpu_seconds()
    threads = [threading.Thread(target=send_batches, args=(node.url, lane)) for lane in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    node.wait_until_mined(accounts, TRANSFERS // len(accounts))
    return TRANSFERS / (time.perf_counter() - started), TRANSFERS / (node.cpu_seconds() - cpu_started)


def node_escrow_calls_per_second(node: Node, accounts: list[LocalAccount]) -> float:
    """create_gig calls per second over JSON-RPC, like the transfers."""
    from web3 import HTTPProvider, Web3

    raws = signed_gig_creations(Web3(HTTPProvider(node.url)), accounts, ESCROW_CALLS)
    clients = accounts[1:]
    lanes = [[raw for i, raw in enumerate(raws) if (i % len(clients)) % CONNECTIONS == lane] for lane in range(CONNECTIONS)]
    started = time.perf_counter()
    threads = [threading.Thread(target=send_batches, args=(node.url, lane)) for lane in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients:
        while int(node.call("eth_getTransactionCount", client.address, "latest"), 16) < int(
            node.call("eth_getTransactionCount", client.address, "pending"), 16
        ):
            time.sleep(0.01)
    return ESCROW_CALLS / (time.perf_counter() - started)


def node_get_logs_seconds(node: Node, account: LocalAccount) -> float:
    """Emit LOG_EVENTS events from one contract, then time one eth_getLogs over them all."""
    nonce = int(node.call("eth_getTransactionCount", account.address, "pending"), 16)
    address, raws = signed_log_bursts(account, nonce, CHAIN_ID)
    send_batches(node.url, raws)
    node.wait_until_mined([account], nonce + len(raws))
    started = time.perf_counter()
    logs = node.call("eth_getLogs", {"fromBlock": "0x0", "toBlock": "latest", "address": address})
    elapsed = time.perf_counter() - started
    assert len(logs) == LOG_EVENTS, len(logs)
    return elapsed


def eth_tester(accounts: list[LocalAccount]):
    """eth-tester's py-evm backend with ``accounts`` funded; it mines a block per transaction."""
    from eth_tester import EthereumTester, PyEVMBackend

    state = PyEVMBackend.generate_genesis_state(num_accounts=0)
    for account in accounts:
        state[to_canonical_address(account.address)] = {"balance": 10**24, "nonce": 0, "code": b"", "storage": {}}
    genesis = PyEVMBackend.generate_genesis_params()
    return EthereumTester(PyEVMBackend(genesis_parameters=genesis, genesis_state=state))


def eth_tester_transfers_per_second(accounts: list[LocalAccount]) -> float:
    tester = eth_tester(accounts)
    raws = signed_transfers(accounts, BASELINE_TRANSFERS, tester.backend.chain.chain_id)
    started = time.perf_counter()
    for raw in raws:
        tester.send_raw_transaction(raw)
    return BASELINE_TRANSFERS / (time.perf_counter() - started)


def eth_tester_escrow_calls_per_second(accounts: list[LocalAccount]) -> float:
    from web3 import EthereumTesterProvider, Web3

    tester = eth_tester(accounts)
    raws = signed_gig_creations(Web3(EthereumTesterProvider(tester)), accounts, BASELINE_ESCROW_CALLS)
    started = time.perf_counter()
    for raw in raws:
        tester.send_raw_transaction(raw)
    return BASELINE_ESCROW_CALLS / (time.perf_counter() - started)


def eth_tester_get_logs_seconds(accounts: list[LocalAccount]) -> float:
    tester = eth_tester(accounts)
    address, raws = signed_log_bursts(accounts[0], 0, tester.backend.chain.chain_id)
    for raw in raws:
        tester.send_raw_transaction(raw)
    started = time.perf_counter()
    log_filter = tester.create_log_filter(from_block=0, address=address)
    logs = tester.get_all_filter_logs(log_filter)
    elapsed = time.perf_counter() - started
    assert len(logs) == LOG_EVENTS, len(logs)
    return elapsed


def run() -> list[dict]:
    accounts = dev_accounts()
    baseline_rate = eth_tester_transfers_per_second(accounts)
    baseline_logs = eth_tester_get_logs_seconds(accounts)
    baseline_escrow = eth_tester_escrow_calls_per_second(accounts)
    node = Node()
    try:
        node_rate, node_cpu_rate = node_transfers_per_second(node, accounts)
        escrow_rate = node_escrow_calls_per_second(node, accounts)
        logs_seconds = node_get_logs_seconds(node, accounts[0])
    finally:
        node.stop()
    return [
        {
            "benchmark": f"node: ETH transfers over JSON-RPC ({CONNECTIONS} connections, batches of {BATCH})",
            "value": round(node_rate, 1), "unit": "tx/s",
            "baseline": round(baseline_rate, 1), "ratio": round(node_rate / baseline_rate, 2),
            "note": "baseline: eth-tester py-evm in process, one block per tx",
        },
        {
            "benchmark": "node: ETH transfers per second of node CPU time",
            "value": round(node_cpu_rate, 1), "unit": "tx/CPU-s",
            "baseline": round(baseline_rate, 1), "ratio": round(node_cpu_rate / baseline_rate, 2),
            "note": "what the node sustains with a core to itself",
        },
        {
            "benchmark": f"node: GigEscrow.create_gig calls over JSON-RPC ({CONNECTIONS} connections)",
            "value": round(escrow_rate, 1), "unit": "tx/s",
            "baseline": round(baseline_escrow, 1), "ratio": round(escrow_rate / baseline_escrow, 2),
            "note": "ETH gigs; baseline: eth-tester py-evm in process, one block per tx",
        },
        {
            "benchmark": f"node: eth_getLogs over {LOG_EVENTS:,} events of one contract",
            "value": round(logs_seconds, 3), "unit": "s",
            "baseline": round(baseline_logs, 3), "ratio": round(logs_seconds / baseline_logs, 2),
            "note": "node over JSON-RPC from its log index; baseline: eth-tester filter logs in process",
        },
    ]


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
