"""A real reorganisation on Anvil: snapshot, build a branch, index it, revert, build another.

After the indexer notices, the index must equal a fresh index of the winning
branch, table for table: rolled-back rows gone, aggregates undone, gigs that
straddle the fork refolded from the events that survive.
"""

from __future__ import annotations

from gigledger.client import GigLedger
from gigledger.testing import rpc
from gigledger_node.index.db import open_index
from gigledger_node.index.endpoint import Endpoint
from gigledger_node.index.indexer import Indexer
from gigledger_node.index.queries import Queries

from .conftest import index_contents
from .story import ETHER, WEEK, deploy_contracts, ledgers


def _hire(alice: GigLedger, bob: GigLedger, carol: GigLedger, amount: int) -> int:
    return alice.create_gig(amount, freelancer=bob.address, arbiter=carol.address, deadline=WEEK, skills=["rust"]).gig_id


def test_reorg_rolls_back_to_the_common_ancestor_and_reindexes(anvil, engine, tmp_path):
    deployment = deploy_contracts(anvil)
    people = ledgers(anvil, deployment)
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    straddling = _hire(alice, bob, carol, ETHER)
    snapshot = rpc(anvil, "evm_snapshot")

    # The losing branch: the straddling gig completes and is attested; another gig starts.
    bob.accept(straddling)
    bob.deliver(straddling)
    alice.approve(straddling)
    alice.attest(straddling, 5, "rust")
    _hire(alice, bob, carol, 2 * ETHER)
    indexer = Indexer(engine, Endpoint(anvil), deployment)
    indexer.sync()
    assert Queries(engine).reputation(bob.address).completed == 1
    losing_head = indexer.checkpoint()

    # The winning branch, longer than the losing one: the gig is disputed instead.
    rpc(anvil, "evm_revert", [snapshot])
    people = ledgers(anvil, deployment)  # fresh clients: their local nonces belong to the lost branch
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    bob.accept(straddling)
    bob.dispute(straddling)
    replacement = _hire(alice, bob, carol, 3 * ETHER)
    for _ in range(4):
        rpc(anvil, "evm_mine")
    assert rpc(anvil, "eth_getBlockByNumber", [hex(losing_head[0]), False])["hash"] != losing_head[1]

    indexer.sync()

    queries = Queries(engine)
    fresh = open_index(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    Indexer(fresh, Endpoint(anvil), deployment).sync()
    assert index_contents(engine) == index_contents(fresh)
    assert queries.gig(straddling).summary.state == "DISPUTED"
    assert queries.gig(replacement).summary.amount == 3 * ETHER
    assert queries.reputation(bob.address).completed == 0
    fresh.dispose()
