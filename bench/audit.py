"""Audit speed: one account with 1,000 payments on a 100,000-block chain.

Seeded on `gigledger-node start --dev` (sealed blocks, so every seal is checked
too): 4,000 full gig lifecycles by `gigledger.testing.seeding.Seeder`, 500 gigs
per phase, each phase after batched `evm_mine` calls of empty blocks so the
payments are spread over the whole chain; dev account 0 is the client of every
fourth gig, so it has 1,000 deposits. Then `gigledger.audit.audit_account` runs
twice from the pinned genesis hash: cold (every header fetched, hashed, linked,
seal-checked and bloom-tested) and warm (the header cache from the first run, so
only the account's matching blocks are read again). `--quick` runs a tenth of
the sizes.

Why not Anvil: its `anvil_mine` costs more per block the longer the chain
(Anvil 1.7.1: 5,000 empty blocks took 14 s from height 0 and 97 s from height
5,000, whatever the count per call), so 100,000 blocks took hours; that, not the
audit, was what made the last full-size attempt crawl. The dev node seals an
empty block in about 1.5 ms at any height. (Hardhat's `hardhat_mine` is instant,
but its reserved blocks have a zero parentHash: no hash chain to audit.)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import httpx
from web3 import HTTPProvider, Web3

from gigledger.audit import audit_account
from gigledger.deployment import Deployment
from gigledger.devchain import DevNode
from gigledger.testing.seeding import Seeder

BLOCKS = 100_000
PAYMENTS = 1_000
#: Dev account 0 is the client of one gig in four that the seeder runs.
GIGS_PER_PAYMENT = 4
GIGS_PER_PHASE = 500
#: evm_mine calls per JSON-RPC batch.
MINE_BATCH = 500


def _mine(url: str, blocks: int) -> None:
    """``blocks`` empty sealed blocks, in batches of evm_mine."""
    with httpx.Client(timeout=600) as client:
        for start in range(0, blocks, MINE_BATCH):
            count = min(MINE_BATCH, blocks - start)
            answers = client.post(url, json=[{"jsonrpc": "2.0", "id": i, "method": "evm_mine", "params": []} for i in range(count)]).json()
            failed = [a for a in answers if "error" in a]
            if failed:
                raise RuntimeError(f"evm_mine: {failed[0]['error']}")


def _seeded_chain(url: str, deployment: Deployment, blocks: int, payments: int) -> str:
    """Seeds the chain; returns the account with ``payments`` payments."""
    seeder = Seeder(url, deployment.escrow)
    phases = max(payments * GIGS_PER_PAYMENT // GIGS_PER_PHASE, 1)
    gap = blocks // (phases + 1)
    try:
        for _ in range(phases):
            _mine(url, gap)
            seeder.seed(GIGS_PER_PHASE, per_block=GIGS_PER_PHASE)
        head = int(seeder._call("eth_blockNumber"), 16)
        if head < blocks:
            _mine(url, blocks - head)
    finally:
        seeder.close()
    return seeder.accounts[0]


def run(quick: bool = False) -> list[dict]:
    """Cold and warm audit times of one account, and the machine's load around them."""
    scale = 10 if quick else 1
    blocks, payments = BLOCKS // scale, PAYMENTS // scale
    with tempfile.TemporaryDirectory() as root, DevNode(Path(root) / "data", log_path=Path(root) / "node.log").start() as node:
        deployment = Deployment.load(node.manifest)
        started = time.perf_counter()
        account = _seeded_chain(node.url, deployment, blocks, payments)
        rows = [{"benchmark": "seeding the chain (not the audit)", "value": time.perf_counter() - started, "unit": "s"}]
        w3 = Web3(HTTPProvider(node.url, request_kwargs={"timeout": 300}))
        with tempfile.TemporaryDirectory() as cache:
            for label in ("cold (no header cache)", "warm (header cache)"):
                load = os.getloadavg()[0]
                started = time.perf_counter()
                report = audit_account(w3, deployment, account, cache_dir=Path(cache))
                elapsed = time.perf_counter() - started
                assert report.ok, report.mismatches[:5]
                coverage = report.coverage
                rows.append({
                    "benchmark": f"audit of {len(report.rows):,} payments over {coverage.head + 1:,} blocks, {label}",
                    "value": elapsed,
                    "unit": "s",
                    "note": (
                        f"{coverage.blocks_scanned:,} blooms scanned, {coverage.blocks_matched:,} blocks matched, "
                        f"seals checked, registry record {'proven' if report.registry and report.registry.proven else 'unproven'}; "
                        f"load average {load:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
                    ),
                })
        return rows


def notes(rows: list[dict]) -> str:
    """Markdown under the table: what was measured, and on what."""
    return (
        "One account (dev account 0, client of every fourth gig) audited by `gigledger.audit.audit_account` "
        "from the pinned genesis hash on `gigledger-node start --dev`: cold verifies every header (hash, "
        "parent link, seal, bloom) from genesis to the head; warm reuses the header cache and re-reads only "
        "the matched blocks' receipts and transactions, the endpoint's logs and the state proofs (escrow "
        "ETH, registry record). The machine's two cores are shared with other work while this runs: the "
        "load average before and after each audit is in its note."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    args = parser.parse_args()
    for row in run(quick=args.quick):
        print(row)


if __name__ == "__main__":
    main()
