"""Audit speed: one account with 1,000 payments on a 100,000-block chain.

Seeded cheaply on Anvil (no seals; `--disable-block-gas-limit`): 4,000 full gig
lifecycles by `gigledger.testing.seeding.Seeder`, 500 gigs per phase, each phase after
`anvil_mine` of empty blocks (1,000 per call) so the payments are spread over the whole chain;
dev account 0 is the client of every fourth gig, so it has 1,000 deposits. Then
`gigledger.audit.audit_account` runs twice from the pinned genesis hash: cold
(every header fetched, linked and bloom-tested) and warm (the header cache from
the first run, so only the account's matching blocks are read again).
`--quick` runs a tenth of the sizes.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from web3 import HTTPProvider, Web3

from gigledger.audit import audit_account
from gigledger.deployment import deploy
from gigledger.devchain import dev_account
from gigledger.testing import AnvilProcess
from gigledger.testing.seeding import ANVIL_FLAGS, Seeder

BLOCKS = 100_000
PAYMENTS = 1_000
#: Dev account 0 is the client of one gig in four that the seeder runs.
GIGS_PER_PAYMENT = 4
GIGS_PER_PHASE = 500
#: Empty blocks per anvil_mine call (one call for many more outlasts an HTTP timeout).
MINE_CHUNK = 1_000


def _mine(seeder: Seeder, blocks: int) -> None:
    for start in range(0, blocks, MINE_CHUNK):
        seeder._call("anvil_mine", [hex(min(MINE_CHUNK, blocks - start))])


def _seeded_chain(url: str, blocks: int, payments: int):
    deployment = deploy(Web3(HTTPProvider(url)), dev_account(0))
    seeder = Seeder(url, deployment.escrow)
    phases = max(payments * GIGS_PER_PAYMENT // GIGS_PER_PHASE, 1)
    gap = blocks // (phases + 1)
    try:
        for _ in range(phases):
            _mine(seeder, gap)
            seeder.seed(GIGS_PER_PHASE, per_block=GIGS_PER_PHASE)
        head = int(seeder._call("eth_blockNumber"), 16)
        if head < blocks:
            _mine(seeder, blocks - head)
    finally:
        seeder.close()
    return deployment, seeder.accounts[0]


def run(quick: bool = False) -> list[dict]:
    """Cold and warm audit times of one account."""
    scale = 10 if quick else 1
    blocks, payments = BLOCKS // scale, PAYMENTS // scale
    with AnvilProcess(*ANVIL_FLAGS) as process:
        url = process.url
        deployment, account = _seeded_chain(url, blocks, payments)
        w3 = Web3(HTTPProvider(url))
        rows = []
        with tempfile.TemporaryDirectory() as cache:
            for label in ("cold (no header cache)", "warm (header cache)"):
                started = time.perf_counter()
                report = audit_account(w3, deployment, account, require_seals=False, cache_dir=Path(cache))
                elapsed = time.perf_counter() - started
                assert report.ok, report.mismatches
                coverage = report.coverage
                rows.append({
                    "benchmark": f"audit of {len(report.rows):,} payments over {coverage.head + 1:,} blocks, {label}",
                    "value": elapsed,
                    "unit": "s",
                    "note": f"{coverage.blocks_scanned:,} blooms scanned, {coverage.blocks_matched:,} blocks matched (Anvil)",
                })
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    args = parser.parse_args()
    for row in run(quick=args.quick):
        print(row)


if __name__ == "__main__":
    main()
