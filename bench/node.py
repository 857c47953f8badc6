"""The node next to Anvil and Hardhat: one web3.py workload script, one run, same machine.

Each chain is started on loopback by bench/peers.py and gets the same workloads,
with EIP-1559 transactions pre-signed before the clock starts (same count per
round, median of rounds):

- sequential: send one transaction, wait for its receipt, send the next;
- burst: send them all, then wait for the last receipt;
- 4 concurrent clients, each sequential, from its own account and connection;

for ETH transfers and for Pinger.ping (a contract call that writes storage and
emits an event); then one eth_getLogs over 10,000 events, raw JSON over HTTP and
through web3.py. Receipts are polled through web3.py every millisecond.

Every row is the node's figure with its ratio to the best peer in this run
(above 1: the node is faster). Run as a script, or through bench/run.py.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
from eth._utils.address import generate_contract_address
from eth_abi import encode
from eth_account.signers.local import LocalAccount
from eth_utils import function_signature_to_4byte_selector, to_canonical_address, to_checksum_address
from web3 import HTTPProvider, Web3

from gigledger.devchain import DEV_AUTHORITY_KEY, dev_accounts

sys.path.append(str(Path(__file__).resolve().parent))
import peers  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PINGER = ROOT / "tests" / "node" / "contracts" / "Pinger.vy"
PER_ROUND = 200
ROUNDS = 3
CLIENTS = 4
LOG_EVENTS = 10_000
EVENTS_PER_TX = 100
RECIPIENT = "0x" + "42" * 20
MAX_FEE = 10**12
TIP = 10**9
TRANSFER_GAS = 21_000
PING_GAS = 100_000
POLL_SECONDS = 0.001
RECEIPT_TIMEOUT = 120
NODE = peers.NODE
# Chain lengths for "cost must not grow with the chain"; about 1 ms of CPU per empty block to build.
# BENCH_CHAIN_LENGTHS="" skips them; `bench/node.py --chains DIR...` measures data
# directories built earlier with build_chain.
CHAIN_LENGTHS = tuple(int(n) for n in os.environ.get("BENCH_CHAIN_LENGTHS", "10000,100000").split(",") if n)


def pinger_bytecode() -> str:
    import vyper

    return vyper.compile_code(PINGER.read_text(), output_formats=["bytecode"])["bytecode"]


def calldata(signature: str, *args: int) -> str:
    types = signature[signature.index("(") + 1 : -1].split(",")
    return "0x" + (function_signature_to_4byte_selector(signature) + encode(types, list(args))).hex()


class Signer:
    """Pre-signs EIP-1559 transactions for one account on one chain, nonces in order."""

    def __init__(self, account: LocalAccount, chain_id: int, nonce: int) -> None:
        self.account, self.chain_id, self.nonce = account, chain_id, nonce

    def sign(self, **fields) -> str:
        tx = {"type": 2, "chainId": self.chain_id, "nonce": self.nonce, "maxFeePerGas": MAX_FEE,
              "maxPriorityFeePerGas": TIP, **fields}
        self.nonce += 1
        return self.account.sign_transaction(tx).raw_transaction.to_0x_hex()


def web3(url: str) -> Web3:
    return Web3(HTTPProvider(url, request_kwargs={"timeout": RECEIPT_TIMEOUT}))


def wait(w3: Web3, tx_hash) -> None:
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT, poll_latency=POLL_SECONDS)
    if receipt["status"] != 1:
        raise RuntimeError(f"transaction {tx_hash.hex()} failed")


def sequential(url: str, raws: list[str]) -> None:
    w3 = web3(url)
    for raw in raws:
        wait(w3, w3.eth.send_raw_transaction(raw))


def burst(url: str, raws: list[str]) -> None:
    w3 = web3(url)
    hashes = [w3.eth.send_raw_transaction(raw) for raw in raws]
    wait(w3, hashes[-1])


def concurrent(url: str, lanes: list[list[str]]) -> None:
    threads = [threading.Thread(target=sequential, args=(url, lane)) for lane in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


class Workloads:
    """The workloads on one running chain."""

    def __init__(self, peer: peers.Peer, accounts: list[LocalAccount]) -> None:
        self.peer = peer
        self.w3 = web3(peer.url)
        chain_id = self.w3.eth.chain_id
        self.signers = [
            Signer(a, chain_id, self.w3.eth.get_transaction_count(a.address)) for a in accounts[:CLIENTS]
        ]
        self.pinger = self._deploy_pinger(self.signers[0])

    def _deploy_pinger(self, signer: Signer) -> str:
        address = to_checksum_address(generate_contract_address(to_canonical_address(signer.account.address), signer.nonce))
        wait(self.w3, self.w3.eth.send_raw_transaction(signer.sign(data=pinger_bytecode(), gas=1_000_000)))
        return address

    def transfer(self, signer: Signer) -> str:
        return signer.sign(to=RECIPIENT, value=1, gas=TRANSFER_GAS)

    def ping(self, signer: Signer) -> str:
        return signer.sign(to=self.pinger, data=calldata("ping(uint256,uint256)", signer.nonce, signer.nonce + 1),
                           gas=PING_GAS)

    def rate(self, make: Callable[[Workloads, Signer], str], shape: str) -> float:
        """Median transactions per second over ROUNDS rounds of PER_ROUND transactions."""
        return self.rate_and_client_cpu(make, shape)[0]

    def rate_and_client_cpu(self, make: Callable[[Workloads, Signer], str], shape: str) -> tuple[float, float]:
        """Median transactions per second over ROUNDS rounds of PER_ROUND transactions, and
        the median CPU milliseconds this (client) process spent per transaction while the
        clock ran (all its threads; the signing before the clock is not counted)."""
        rates, cpu = [], []
        for _ in range(ROUNDS):
            if shape == "concurrent":
                lanes = [[make(self, s) for _ in range(PER_ROUND // CLIENTS)] for s in self.signers]
                started, cpu_started = time.perf_counter(), time.process_time()
                concurrent(self.peer.url, lanes)
            else:
                raws = [make(self, self.signers[0]) for _ in range(PER_ROUND)]
                started, cpu_started = time.perf_counter(), time.process_time()
                (sequential if shape == "sequential" else burst)(self.peer.url, raws)
            rates.append(PER_ROUND / (time.perf_counter() - started))
            cpu.append((time.process_time() - cpu_started) * 1000 / PER_ROUND)
        return statistics.median(rates), statistics.median(cpu)

    def fill_logs(self) -> dict:
        """LOG_EVENTS events from a fresh Pinger; the eth_getLogs filter that finds them all."""
        signer = self.signers[1]
        address = self._deploy_pinger(signer)
        burst_call = calldata("burst(uint256)", EVENTS_PER_TX)
        burst(self.peer.url, [signer.sign(to=address, data=burst_call, gas=3_000_000)
                              for _ in range(LOG_EVENTS // EVENTS_PER_TX)])
        return {"fromBlock": "0x0", "toBlock": "latest", "address": address}

    def get_logs_seconds(self, criteria: dict) -> tuple[float, float]:
        """Median seconds of one eth_getLogs: (raw JSON over HTTP, through web3.py)."""
        raw_times, web3_times = [], []
        body = {"jsonrpc": "2.0", "id": 1, "method": "eth_getLogs", "params": [criteria]}
        with httpx.Client(timeout=RECEIPT_TIMEOUT) as client:
            for _ in range(ROUNDS):
                started = time.perf_counter()
                logs = json.loads(client.post(self.peer.url, json=body).content)["result"]
                raw_times.append(time.perf_counter() - started)
                assert len(logs) == LOG_EVENTS, len(logs)
                started = time.perf_counter()
                logs = self.w3.eth.get_logs(criteria)
                web3_times.append(time.perf_counter() - started)
                assert len(logs) == LOG_EVENTS, len(logs)
        return statistics.median(raw_times), statistics.median(web3_times)


SHAPES = ("sequential", "burst", "concurrent")
KINDS = {"ETH transfers": Workloads.transfer, "Pinger.ping (storage write + event)": Workloads.ping}


COST_ROW = "ETH transfers, sequential"


def measure(name: str, accounts: list[LocalAccount]) -> tuple[str, dict[str, float], dict[str, float]]:
    """Every figure on one chain, keyed by row label; the chain's name with version; and,
    per transaction row, the client's CPU milliseconds per transaction (rate_and_client_cpu)."""
    with peers.running(name) as peer:
        work = Workloads(peer, accounts)
        figures, client_ms = {}, {}
        for kind, make in KINDS.items():
            for shape in SHAPES:
                label = f"{kind}, {shape}"
                figures[label], client_ms[label] = work.rate_and_client_cpu(make, shape)
        raw, through_web3 = work.get_logs_seconds(work.fill_logs())
        figures["eth_getLogs 10,000 events, raw JSON"] = raw
        figures["eth_getLogs 10,000 events, web3.py"] = through_web3
        return peer.name, figures, client_ms


def cost_rows(results: dict[str, dict[str, float]], client_ms: dict[str, dict[str, float]]) -> list[dict]:
    """Where the time goes: the web3.py client's own CPU against each chain's sequential
    round trip, and for every transaction row what its target needs against what the
    client alone spends, all from this run."""
    out = []
    for peer, figures in results.items():
        round_trip = 1000 / figures[COST_ROW]
        own = client_ms[peer][COST_ROW]
        out.append({
            "benchmark": f"{peer}: one sequential ETH transfer, round trip", "value": round(round_trip, 2),
            "unit": "ms", "baseline": round(own, 2), "ratio": round(own / round_trip, 2),
            "note": "baseline: the web3.py client's own CPU in it (send, receipt, this process); "
                    "ratio: the client's share",
        })
    for label in client_ms[NODE]:
        best = max((p for p in results if p != NODE), key=lambda p: results[p][label])
        needed = 1000 / (results[best][label] * target(label))
        own = client_ms[NODE][label]
        peer_own, peer_wall = client_ms[best][label], 1000 / results[best][label]
        out.append({
            "benchmark": f"what {target(label)}x {best} on {label} needs", "value": round(needed, 2),
            "unit": "ms/tx", "baseline": round(own, 2), "ratio": round(needed / own, 2),
            "note": f"wall time per transaction the target allows, client included; baseline: the client's own CPU "
                    f"per transaction against the node (all its threads; ratio below 1: no server can meet the target "
                    f"with this client); {best}: client {peer_own:.2f} of {peer_wall:.2f} ms",
        })
    return out


def build_chain(data_dir: Path, blocks: int) -> tuple[int, float]:
    """Grow a dev-genesis data directory's chain to at least ``blocks`` blocks with
    empty ones; returns how many it built and the seconds each took.

    Built in process through ChainNode.produce, the node's own block path and the
    one anvil_mine runs (each block sealed and committed), with the per-block
    fsync off (it changes nothing in what is stored).
    """
    from gigledger_node.chain.node import ChainNode
    from gigledger_node.cli import _create_dev_data_dir

    if not data_dir.exists():
        _create_dev_data_dir(data_dir)
    node = ChainNode.open(data_dir, DEV_AUTHORITY_KEY, durable=False)
    started, first = time.perf_counter(), node.head().block_number
    try:
        while node.head().block_number < blocks:
            node.produce(allow_empty=True)
        built = node.head().block_number - first
    finally:
        node.ledger.close()
    return built, (time.perf_counter() - started) / max(built, 1)


def rates_on(data_dir: Path, accounts: list[LocalAccount]) -> tuple[int, dict[str, float]]:
    """(head block number, ETH transfers/s per shape) of an operator-mode node on ``data_dir``."""
    with peers.node_on(data_dir) as peer:
        work = Workloads(peer, accounts)
        return work.w3.eth.block_number, {shape: work.rate(Workloads.transfer, shape) for shape in SHAPES}


def long_chain_rows(accounts: list[LocalAccount], lengths: Sequence[int]) -> list[dict]:
    """Transfers on chains of each length (one chain, grown between runs)."""
    rates, builds = {}, {}
    with tempfile.TemporaryDirectory(prefix="gigledger-bench-chain-") as scratch:
        data_dir = Path(scratch) / "chain"
        for blocks in sorted(lengths):
            builds[blocks] = build_chain(data_dir, blocks)
            head, figures = rates_on(data_dir, accounts)
            rates[head] = figures
    return chain_rows(rates) + [
        {"benchmark": f"node: growing the chain to {blocks:,} blocks with empty ones", "value": round(seconds * 1000, 2),
         "unit": "ms/block", "note": f"{built:,} blocks, each sealed and committed, as anvil_mine builds them"}
        for blocks, (built, seconds) in sorted(builds.items()) if built
    ]


def chain_rows(rates: dict[int, dict[str, float]]) -> list[dict]:
    """Rows for transfers/s by chain length, each against the shortest chain: the cost
    of a block must not grow with the chain."""
    shortest = min(rates)
    return [
        {"benchmark": f"node, operator mode (fsync per block): ETH transfers, {shape}, at {blocks:,} blocks",
         "value": round(figures[shape], 1), "unit": "tx/s", "baseline": round(rates[shortest][shape], 1),
         "ratio": round(figures[shape] / rates[shortest][shape], 2),
         "note": f"baseline: the same chain at {shortest:,} blocks"}
        for blocks, figures in sorted(rates.items())
        for shape in SHAPES
    ]


def target(label: str) -> float | None:
    """The issue's target for a row, as a ratio to the best peer (eth_getLogs raw: to
    Anvil); the web3.py eth_getLogs row has none (web3.py's decoding dominates it)."""
    if label.startswith("eth_getLogs"):
        return 1.0 if label.endswith("raw JSON") else None
    return 3.0 if label.endswith("concurrent") else 1.5


def rows(results: dict[str, dict[str, float]], names: dict[str, str]) -> list[dict]:
    """The node's figure per row, with its ratio to the best peer (above 1: node faster)."""
    out = []
    for label, value in results[NODE].items():
        seconds = label.startswith("eth_getLogs")
        others = {peer: figures[label] for peer, figures in results.items() if peer != NODE}
        best = "anvil" if label.endswith("raw JSON") else (min if seconds else max)(others, key=others.get)
        ratio = others[best] / value if seconds else value / others[best]
        listed = ", ".join(f"{names[p]}: {v:,.3f} s" if seconds else f"{names[p]}: {v:,.1f}" for p, v in others.items())
        size = "" if seconds else f" ({PER_ROUND} tx{f', {CLIENTS} clients' if label.endswith('concurrent') else ''})"
        goal = target(label)
        verdict = "no target" if goal is None else f"target >= {goal}x: {'met' if ratio >= goal else 'missed'}"
        out.append({
            "benchmark": f"node: {label}{size}",
            "value": round(value, 3 if seconds else 1), "unit": "s" if seconds else "tx/s",
            "baseline": round(others[best], 3 if seconds else 1), "ratio": round(ratio, 2),
            "note": f"vs {best}; {verdict}; {listed}",
        })
    return out


def run() -> list[dict]:
    accounts = dev_accounts()
    results, names, client_ms = {}, {}, {}
    for name in peers.PEERS:
        print(f"  measuring {name} ...", flush=True)
        names[name], results[name], client_ms[name] = measure(name, accounts)
    table = rows(results, names) + cost_rows(results, client_ms)
    if not CHAIN_LENGTHS:
        return table
    print(f"  building and measuring chains of {CHAIN_LENGTHS} blocks ...", flush=True)
    return table + long_chain_rows(accounts, CHAIN_LENGTHS)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--chains"]:
        measured = dict(rates_on(Path(d), dev_accounts()) for d in sys.argv[2:])
        print(json.dumps(chain_rows(measured), indent=2))
    else:
        print(json.dumps(run(), indent=2))


def notes(table_rows: list[dict]) -> str:
    """What the table says about the issue's targets, and what explains the misses."""
    missed = [r["benchmark"].removeprefix("node: ") for r in table_rows if "missed" in r.get("note", "")]
    summary = "Targets met on every row." if not missed else "Targets missed: " + "; ".join(missed) + "."
    return "\n\n".join([
        f"Ratio: the node's figure over the best peer's in this run (for eth_getLogs: the peer's seconds "
        f"over the node's); above 1 the node is faster. {ROUNDS} rounds of {PER_ROUND} pre-signed "
        f"EIP-1559 transactions per figure, median; receipts polled through web3.py every "
        f"{POLL_SECONDS * 1000:g} ms. {summary}",
        WHY_MISSED,
    ])


WHY_MISSED = """\
How to read the misses. Each "what Nx <peer> on <row> needs" row gives the wall time
per transaction the target allows (client included) against the web3.py client's
own CPU per transaction on the node (this process, all threads, while the clock
runs; signing is done before it). Below 1, no server can meet the target with this
client. Until this round the client's CPU row also counted the signing (about 1 ms
per transaction on the loaded machine), which overstated the client's share.

Sequential (transfers, pings): the client alone takes most of Anvil's round trip
(the "round trip" rows), so 1.5x Anvil leaves the node next to nothing ("needs"
ratio about 1 or below). The node's own share is its CPU: cProfile (2026-12-01,
idle, in process, one-transfer blocks) put a block at about 2.4 ms of CPU, of which
py-evm's state root and trie writes (`finalize_block`, pure-Python HexaryTrie, RLP
and nibbles) are a third, executing the transaction a quarter, and persisting,
sealing and building the next block's VM most of the rest; each request costs about
0.5 ms more (uvicorn's h11, admission's decoding and sender recovery, the receipt).
What would close the node's share: a block path that is not pure Python (an
in-memory trie of the head with native hashing and RLP, one LMDB write per block;
revm through a binding), then a native HTTP/1.1 parser such as httptools.

Burst (one client sends 200 back to back, then waits for the last receipt). Profile
(2026-12-01, load 4-5.5 on 2 cores; the bench's workload functions against
`start --dev`, per-thread CPU from /proc, cProfile per thread): group commit worked
(what arrived while block N was built went into N+1) but blocks held 1.8-2.5
transactions, because a send arrives every 2-4 ms and a block takes longer. A
block's own cost dominates: in process, 4.2-5.7 ms of CPU for one transfer, 11.5-15
ms for 10, 34 ms for 50 (about 5.8 ms per block + 0.6 ms per transfer, loaded; about
half that idle). The producer thread also held the GIL the event loop needed: the
loop's `socket.send` took 7.9 ms on average (waiting to get the GIL back), the
producer's LMDB reads 0.25 ms. Now, while nobody waits for a receipt, the producer
lets a stream gather (rpc/server.py `Gathering`: 10 ms quiet, 50 ms at most): 7-25
transactions per block, node CPU 2.0-3.0 ms per transfer instead of 3.5-4.6 in a
same-run A/B. What is left is per send: the client's CPU (the "needs" baseline) plus
the loop's own cost per request (h11 parsing, then admission: 0.3-0.8 ms in process,
half of it sender recovery: the unsigned transaction's RLP, keccak and coincurve),
one send at a time. Closing 1.5x needs the node to answer a send in the "needs"
value minus the client's CPU: a native HTTP parser (httptools, not in this venv)
and a block path off the GIL (native trie and EVM, or a producer process).

Concurrent (4 client threads in one process, each sends and waits for its receipt):
the client's threads run their Python one at a time under its GIL, so its CPU per
transaction bounds every chain: 3x the best peer needs about a third of what the
client alone spends ("needs" ratio about 0.3), and no server can meet it with this
client. Against Anvil, which answers a pending receipt with null at once, the
threads poll every millisecond (client CPU 8.5-10.8 ms per transfer in the profile
harness, loaded, against 4.2-4.9 on the node, which holds a receipt poll until the
block commits). On the node, blocks hold 1.6-2.0 transactions (each client waits
for its receipt, so nothing gathers); a receipt poll now waits for its own block,
not just the next one: 2,156 receipt look-ups for 601 transfers before, 1,101 after.

Tried without a result to show: `sys.setswitchinterval(0.0005)` (default 5 ms)
shrank the GIL waits in the profile (the loop's `recv` 0.93 to 0.10 ms, coincurve's
signature parse 0.57 to 0.18 ms, the producer's sealing key call 3.0 to 0.46 ms) and
made burst blocks larger, but in two same-run A/B pairs burst transfers went up
(206/211 to 311/279 tx/s) while burst pings went down (154/186 to 133/117) and the
concurrent rows moved both ways: not landed.

eth_getLogs over 10,000 events: cProfile put nearly all of it in building 10,000
log objects; each log's JSON is now encoded once per block and kept (64 MiB), the
decoded block logs too, and the answer is an orjson fragment. The raw row's time
includes the client's `json.loads` of the 6.3 MB answer, the same for every chain:
53-85 ms of it in an ad-hoc run on the loaded machine (2026-12-01), where a request
cost the node 20-30 ms of CPU (/proc, 10 ms ticks; JSON cached) of 33-97 ms wall,
against Anvil's 49-160 ms wall. cProfile of those requests: the log index's
per-log filter and the per-log cache look-ups (10,000 of each per request) are
most of the node's CPU, then copying the 6 MB body (orjson, h11, the transport).
The raw row is not reliably at Anvil's: 1.20x and 1.27x in runs on a loaded
machine, 0.73x in an idle one, so that target is missed too; closing it needs the
node's 20-30 ms to shrink (one cached JSON array per block when a filter takes a
whole block's logs, one copy of the body) rather than anything in the transport.

Chain length: the rows "at N blocks" run an operator-mode node (fsync per block) on
one chain grown with empty blocks through `ChainNode.produce` (the path anvil_mine
and hardhat_mine take, each block sealed and committed) to each length in
`BENCH_CHAIN_LENGTHS` (default 10,000 and 100,000), each compared with the
shortest; the workloads add about 2,000 blocks of their own."""
