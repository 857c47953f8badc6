"""Following the chain: new blocks reach the index while it runs in the background."""

from __future__ import annotations

from gigledger_node.index.commands import follow_in_background
from gigledger_node.index.queries import Queries

from .story import ETHER, WEEK, deploy_contracts, ledgers


def test_a_gig_created_while_following_reaches_the_index(anvil, db_url, engine, wait_for_gig):
    deployment = deploy_contracts(anvil)
    thread, stop = follow_in_background(anvil, deployment, db_url, poll_interval=0.05)
    try:
        people = ledgers(anvil, deployment)
        gig_id = people["alice"].create_gig(ETHER, arbiter=people["carol"].address, deadline=WEEK).gig_id

        assert wait_for_gig(Queries(engine), gig_id).summary.state == "OPEN"
    finally:
        stop.set()
        thread.join(timeout=10)
