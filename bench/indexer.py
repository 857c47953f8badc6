"""Indexer and query API speed: backfill events/s, and query latency at a million events.

1. Seeds 100,000 escrow events on `gigledger-node start --dev` (full gig
   lifecycles, 250 gigs per phase; the node's 30M block gas limit seals a phase
   in one or two blocks) and measures, on the same logs: a raw eth_getLogs, web3.py's own event
   decoding (the baseline), the SDK's `decode_log`, and a full backfill
   (`Indexer.sync`) into SQLite and into PostgreSQL.
2. Seeds 1,000,000 events straight into each database (events, payments and
   the aggregates they imply, over 10,000 accounts) and measures the reputation
   and payment-history queries' p50 and p99, in process and over HTTP (the
   query API served by `gigledger-node api` in its own process).

Targets: backfill >= 5,000 events/s; reputation p99 < 5 ms in process, < 20 ms
over HTTP. `--quick` runs a tenth of the sizes.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from gigledger.contracts import abi
from gigledger.deployment import Deployment, deploy
from gigledger.devchain import DevNode, dev_account, free_port
from gigledger.events import decode_log
from gigledger.testing.seeding import Seeder
from gigledger_node.index import db
from gigledger_node.index.db import open_index
from gigledger_node.index.endpoint import Endpoint
from gigledger_node.index.indexer import Indexer
from gigledger_node.index.queries import Queries
from gigledger_node.index.scratch import scratch_database

CHAIN_EVENTS = 100_000
DB_EVENTS = 1_000_000
ACCOUNTS = 10_000
SAMPLES = 1_000
BACKFILL_TARGET = 5_000


def _row(benchmark: str, value: float, unit: str, baseline: float | None = None, note: str = "") -> dict:
    ratio = value / baseline if baseline else None
    return {"benchmark": benchmark, "value": value, "unit": unit, "baseline": baseline, "ratio": ratio, "note": note}


# ---------------------------------------------------------------- databases


# ---------------------------------------------------------------- backfill


def _web3_decoder() -> Callable[[dict], object]:
    """web3.py's own decoding: the contract's event object for each log's topic0."""
    from web3 import Web3

    w3 = Web3()
    by_topic = {}
    for name in ("GigEscrow", "ReputationRegistry"):
        contract = w3.eth.contract(abi=abi(name))
        for entry in abi(name):
            if entry["type"] == "event":
                signature = f"{entry['name']}({','.join(i['type'] for i in entry['inputs'])})"
                by_topic[bytes(Web3.keccak(text=signature))] = getattr(contract.events, entry["name"])()
    return lambda log: by_topic[bytes(log["topics"][0])].process_log(log)


def _web3_log(log: dict) -> dict:
    """A raw JSON-RPC log in the shape web3.py's process_log expects."""
    from hexbytes import HexBytes

    return {
        "address": log["address"], "topics": [HexBytes(t) for t in log["topics"]], "data": HexBytes(log["data"]),
        "blockNumber": int(log["blockNumber"], 16), "transactionHash": HexBytes(log["transactionHash"]),
        "transactionIndex": int(log["transactionIndex"], 16), "blockHash": HexBytes(log["blockHash"]),
        "logIndex": int(log["logIndex"], 16), "removed": False,
    }


def _events_per_second(count: int, action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return count / (time.perf_counter() - started)


@contextmanager
def dev_node() -> Iterator[str]:
    """`gigledger-node start --dev` without contracts or index, on a free loopback port; its URL."""
    with DevNode(deploy=False, index=False) as node:
        yield node.start().url


def deploy_contracts(url: str) -> Deployment:
    """The contracts on the dev node, with a 1% fee to dev account 5."""
    from web3 import HTTPProvider, Web3
    from web3.middleware import ExtraDataToPOAMiddleware

    w3 = Web3(HTTPProvider(url))
    w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    return deploy(w3, dev_account(0), treasury=dev_account(5).address, fee_bps=100)


def backfill_rows(events: int) -> list[dict]:
    """Seed ``events`` on a dev node, then time fetching, decoding and indexing them."""
    with dev_node() as url:
        deployment = deploy_contracts(url)
        seeder = Seeder(url, deployment.escrow)
        seeder.seed(events // 4, per_block=250)
        seeder.close()
        endpoint = Endpoint(url)
        head = endpoint.head()
        started = time.perf_counter()
        logs = endpoint.logs([deployment.escrow, deployment.registry], 0, head)
        fetch = len(logs) / (time.perf_counter() - started)
        decode_web3 = _web3_decoder()
        web3_logs = [_web3_log(log) for log in logs]
        baseline = _events_per_second(len(logs), lambda: [decode_web3(log) for log in web3_logs])
        sdk = _events_per_second(len(logs), lambda: [decode_log(log) for log in logs])
        note = f"{len(logs):,} events; baseline: web3.py decoding the same logs"
        rows = [
            _row("eth_getLogs from the node (one call)", fetch, "events/s", baseline, note),
            _row("SDK decode_log", sdk, "events/s", baseline, note),
        ]
        for kind in ("sqlite", "postgresql"):
            with scratch_database(kind) as url_db:
                engine = open_index(url_db)
                indexer = Indexer(engine, Endpoint(url), deployment)
                started = time.perf_counter()
                stored = indexer.sync()
                speed = stored / (time.perf_counter() - started)
                engine.dispose()
            verdict = "meets" if speed >= BACKFILL_TARGET else "misses"
            rows.append(_row(
                f"backfill into {kind} (fetch, decode, write, checkpoint)", speed, "events/s", baseline,
                f"{stored:,} events; {verdict} the {BACKFILL_TARGET:,} events/s target; baseline: web3.py decoding alone",
            ))
        return rows


# ---------------------------------------------------------------- a million events, straight into SQL


def _address(i: int) -> str:
    from eth_utils import to_checksum_address

    return to_checksum_address(i.to_bytes(20, "big"))


def _synthetic_chunks(events: int, accounts: list[str], chunk: int = 50_000) -> Iterator[tuple[list, list]]:
    """Events and the payments they imply: four events per gig, a deposit and a release each."""
    rng = random.Random(7)
    zero = "0x" + "00" * 20
    for start in range(0, events, chunk):
        event_rows, payment_rows = [], []
        for i in range(start, min(start + chunk, events)):
            gig_id, step = divmod(i, 4)
            block = i // 200
            tx = f"0x{i:064x}"
            event_rows.append({
                "block_number": block, "block_hash": f"0x{block:064x}", "transaction_hash": tx, "transaction_index": i % 200,
                "log_index": i % 200, "address": zero, "name": ("GigCreated", "GigAccepted", "GigDelivered", "GigReleased")[step],
                "gig_id": gig_id, "topics": rng.randbytes(128), "data": rng.randbytes(96),
            })
            if step in (0, 3):
                payment_rows.append({
                    "block_number": block, "timestamp": 1_700_000_000 + block, "transaction_hash": tx, "log_index": i % 200,
                    "account": accounts[(gig_id * 7 + step) % len(accounts)], "kind": "deposit" if step == 0 else "release",
                    "direction": "in" if step == 0 else "out", "gig_id": gig_id, "token": zero, "amount": 10**18, "fee": 0,
                })
        yield event_rows, payment_rows


def seed_database(url: str, events: int) -> list[str]:
    """Fill the index at ``url`` with ``events`` synthetic events; returns the accounts."""
    accounts = [_address(i + 1) for i in range(ACCOUNTS)]
    engine = open_index(url)
    with engine.begin() as conn:
        for event_rows, payment_rows in _synthetic_chunks(events, accounts):
            conn.execute(db.events.insert(), event_rows)
            conn.execute(db.payments.insert(), payment_rows)
        skills = [f"0x{s:064x}" for s in range(1, 4)]
        per_account = events // 4 // len(accounts)
        conn.execute(db.reputation.insert(), [
            {"account": a, "completed": per_account, "on_time": per_account, "missed_deadlines": 0, "disputes_opened": 0,
             "disputes_won": 0, "disputes_lost": 0, "attestations": per_account, "score_sum": 4 * per_account,
             "gigs_as_client": per_account, "gigs_as_freelancer": per_account}
            for a in accounts
        ])
        conn.execute(db.skill_reputation.insert(), [
            {"account": a, "skill": s, "completed": per_account, "attestations": 1, "score_sum": 5} for a in accounts for s in skills
        ])
        conn.execute(db.monthly_completions.insert(), [
            {"account": a, "month": f"2026-{m:02d}", "completed": 1} for a in accounts for m in range(1, 13)
        ])
        conn.execute(db.volumes.insert(), [{"account": a, "token": "0x" + "00" * 20, "earned": 10**20, "paid": 10**20} for a in accounts])
    engine.dispose()
    return accounts


def _percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100)
    return statistics.median(samples), cuts[98]


def _latencies(call: Callable[[str], object], accounts: list[str]) -> tuple[float, float]:
    rng = random.Random(11)
    for account in accounts[:50]:
        call(account)  # warm caches and connections
    samples = []
    for _ in range(SAMPLES):
        account = rng.choice(accounts)
        started = time.perf_counter()
        call(account)
        samples.append((time.perf_counter() - started) * 1000)
    return _percentiles(samples)


@contextmanager
def api_server(url: str) -> Iterator[str]:
    """`gigledger-node api` over the index at ``url``, in its own process, on loopback."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gigledger_node.cli", "api", "--db", url, "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{base}/openapi.json")
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the query API did not start") from None
            time.sleep(0.1)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def query_rows(events: int) -> list[dict]:
    """Reputation and payment-history latency over ``events`` events, per database."""
    rows = []
    for kind in ("sqlite", "postgresql"):
        with scratch_database(kind) as url:
            accounts = seed_database(url, events)
            engine = open_index(url)
            queries = Queries(engine)
            note = f"{events:,} events, {len(accounts):,} accounts, {SAMPLES:,} random accounts"
            for name, call, target in (
                ("reputation", queries.reputation, "target p99 < 5 ms"),
                ("payment history (page of 100)", lambda a, queries=queries: queries.payment_history(a, limit=100), ""),
            ):
                p50, p99 = _latencies(call, accounts)
                rows.append(_row(f"{name} in process, {kind}: p50", p50, "ms", note=note))
                rows.append(_row(f"{name} in process, {kind}: p99", p99, "ms", note=f"{note}; {target}".rstrip("; ")))
            engine.dispose()
            with api_server(url) as base, httpx.Client(base_url=base) as client:
                for name, path, target in (
                    ("reputation", "/accounts/{}/reputation", "target p99 < 20 ms"),
                    ("payment history (page of 100)", "/accounts/{}/payments", ""),
                ):
                    p50, p99 = _latencies(lambda a, path=path: client.get(path.format(a)).raise_for_status(), accounts)
                    rows.append(_row(f"{name} over HTTP, {kind}: p50", p50, "ms", note=note))
                    rows.append(_row(f"{name} over HTTP, {kind}: p99", p99, "ms", note=f"{note}; {target}".rstrip("; ")))
    return rows


def run(quick: bool = False) -> list[dict]:
    """Every indexer benchmark row; ``quick`` runs a tenth of the sizes."""
    scale = 10 if quick else 1
    return backfill_rows(CHAIN_EVENTS // scale) + query_rows(DB_EVENTS // scale)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    args = parser.parse_args()
    for row in run(quick=args.quick):
        ratio = f" ({row['ratio']:.2f}x baseline)" if row["ratio"] else ""
        print(f"{row['benchmark']}: {row['value']:,.2f} {row['unit']}{ratio}  {row['note']}")


if __name__ == "__main__":
    main()
