"""Following the chain: new blocks reach the index while it runs in the background."""

from __future__ import annotations

import time

from gigledger_node.index.commands import follow_in_background
from gigledger_node.index.queries import Queries, UnknownGig

from .story import ETHER, WEEK, deploy_contracts, ledgers


def _wait_for_gig(queries: Queries, gig_id: int, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return queries.gig(gig_id)
        except UnknownGig:
            assert time.monotonic() < deadline, f"gig {gig_id} never reached the index"
            time.sleep(0.05)


def test_a_gig_created_while_following_reaches_the_index(anvil, db_url, engine):
    deployment = deploy_contracts(anvil)
    thread, stop = follow_in_background(anvil, deployment, db_url, poll_interval=0.05)
    try:
        people = ledgers(anvil, deployment)
        gig_id = people["alice"].create_gig(ETHER, arbiter=people["carol"].address, deadline=WEEK).gig_id

        assert _wait_for_gig(Queries(engine), gig_id).summary.state == "OPEN"
    finally:
        stop.set()
        thread.join(timeout=10)
