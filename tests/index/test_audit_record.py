"""The account's record: the registry's slots proved against the head's stateRoot, and the
index's reputation, volume and gig rows reconciled with it and with the verified logs.

Two adversaries: an endpoint that lies about the registry (its proof, its
``summary()`` answer), and an index whose record rows were tampered with. Each
lie is named; an untouched run is ok. None of it needs seals: the proofs run on
Anvil and on the dev node (`proving_chain`), the tampered rows on Anvil.
"""

from __future__ import annotations

import pytest
from eth_abi import encode
from sqlalchemy import delete, select, update

from gigledger import report as verdict
from gigledger.audit_registry import COUNTERS
from gigledger_node.index import db
from gigledger_node.index.audit import audit_from_index

from .proxy import rpc_proxy
from .story import web3_of

ZERO = "0x" + "00" * 20


def _audit(queries, story, party: str, url: str | None = None):
    return audit_from_index(queries, web3_of(url or story.url), story.deployment, story.parties[party])


def _summary(story, party: str) -> dict[str, int]:
    registry = web3_of(story.url).eth.contract(address=story.deployment.registry, abi=_summary_abi())
    return dict(zip(COUNTERS, registry.functions.summary(story.parties[party]).call(), strict=True))


def _summary_abi() -> list[dict]:
    from gigledger.contracts import abi

    return [entry for entry in abi("ReputationRegistry") if entry.get("name") == "summary"]


def _registry_answer(story, method: str, rewrite_result):
    """A lie: the answers to ``method`` about the registry rewritten by ``rewrite_result``."""

    def rewrite(request: dict, answer: dict) -> dict:
        params = request["params"]
        about_registry = method == request["method"] and (
            (params[0]["to"] if method == "eth_call" else params[0]).lower() == story.deployment.registry.lower()
        )
        if about_registry and "result" in answer:
            answer["result"] = rewrite_result(request, answer["result"])
        return answer

    return rewrite


# ---------------------------------------------------------------- the registry's record, proved


@pytest.mark.parametrize("party", ["alice", "bob", "carol", "dave"])
def test_the_registry_record_is_proved_and_the_untouched_record_rows_pass(proof_queries, proof_story, party):
    report = _audit(proof_queries, proof_story, party)

    assert report.ok, report.mismatches
    assert report.registry.proven and report.record_ok
    assert report.registry.counters == _summary(proof_story, party)


def test_bobs_proved_record_holds_his_completions_and_volume(proof_queries, proof_story):
    report = _audit(proof_queries, proof_story, "bob")

    assert report.registry.counters["completed"] == 2 and report.registry.counters["attestations"] == 1
    earned, paid = report.registry.volumes[ZERO]
    assert earned > 0 and paid == 0


def test_a_lie_in_the_registry_storage_proof_is_named(proof_queries, proof_story):
    def inflate(_request, result):
        result["storageProof"][0]["value"] = hex(int(result["storageProof"][0]["value"], 16) + 1)
        return result

    with rpc_proxy(proof_story.url, rewrite=_registry_answer(proof_story, "eth_getProof", inflate)) as lying:
        report = _audit(proof_queries, proof_story, "bob", lying)

    assert report.names() == {verdict.REGISTRY_PROOF_INVALID}
    assert report.registry is None and not report.record_ok


def test_a_proof_of_another_account_in_place_of_the_registry_is_named(proof_queries, proof_story):
    def escrows_proof(request, _result):
        slots, head = request["params"][1], request["params"][2]
        return web3_of(proof_story.url).provider.make_request("eth_getProof", [proof_story.deployment.escrow, slots, head])["result"]

    with rpc_proxy(proof_story.url, rewrite=_registry_answer(proof_story, "eth_getProof", escrows_proof)) as lying:
        report = _audit(proof_queries, proof_story, "bob", lying)

    assert report.names() == {verdict.REGISTRY_PROOF_INVALID}
    assert "proves" in next(m.detail for m in report.mismatches)


def test_a_lie_in_the_registry_summary_answer_is_named(proof_queries, proof_story):
    summary_selector = "0x" + web3_of(proof_story.url).keccak(text="summary(address)")[:4].hex()

    def more_completions(request, result):
        if not request["params"][0]["data"].startswith(summary_selector):
            return result
        return "0x" + encode(["uint256"] * len(COUNTERS), [99] * len(COUNTERS)).hex()

    with rpc_proxy(proof_story.url, rewrite=_registry_answer(proof_story, "eth_call", more_completions)) as lying:
        report = _audit(proof_queries, proof_story, "bob", lying)

    assert report.names() == {verdict.REGISTRY_ANSWER_DIFFERS}
    assert "completed: served 99, proven 2" in report.mismatches[0].detail
    assert report.registry.counters["completed"] == 2


def test_a_lie_in_eth_getstorageat_does_not_move_the_proved_record(proof_queries, proof_story):
    lie = _registry_answer(proof_story, "eth_getStorageAt", lambda _request, _result: "0x" + "ff" * 32)

    with rpc_proxy(proof_story.url, rewrite=lie) as lying:
        report = _audit(proof_queries, proof_story, "bob", lying)

    assert report.ok and report.registry.counters == _summary(proof_story, "bob")


# ---------------------------------------------------------------- the index's record rows


def _reputation(engine, account: str):
    with engine.connect() as conn:
        return conn.execute(select(db.reputation).where(db.reputation.c.account == account)).one()


@pytest.mark.parametrize("column", ["completed", "disputes_won", "score_sum", "gigs_as_freelancer"])
def test_a_changed_reputation_counter_is_caught_and_named(queries, story, column):
    bob = story.parties["bob"]
    before = getattr(_reputation(queries.engine, bob), column)
    with queries.engine.begin() as conn:
        conn.execute(update(db.reputation).where(db.reputation.c.account == bob).values({column: before + 1}))

    report = _audit(queries, story, "bob")

    assert report.names() == {verdict.REPUTATION_DIFFERS_FROM_CHAIN} and not report.record_ok
    assert f"{column}: index {before + 1}, chain {before}" in report.mismatches[0].detail


def test_a_deleted_reputation_row_is_caught_and_named(queries, story):
    with queries.engine.begin() as conn:
        conn.execute(delete(db.reputation).where(db.reputation.c.account == story.parties["bob"]))

    report = _audit(queries, story, "bob")

    assert report.names() == {verdict.REPUTATION_DIFFERS_FROM_CHAIN}
    assert "completed: index 0, chain 2" in report.mismatches[0].detail


def test_a_changed_volume_row_is_caught_and_named(queries, story):
    alice = story.parties["alice"]
    with queries.engine.begin() as conn:
        row = conn.execute(select(db.volumes).where(db.volumes.c.account == alice)).one()
        conn.execute(update(db.volumes).where(db.volumes.c.account == alice).values(paid=row.paid * 2))

    report = _audit(queries, story, "alice")

    assert report.names() == {verdict.VOLUME_DIFFERS_FROM_CHAIN}
    assert f"index earned 0 paid {row.paid * 2}, chain earned 0 paid {row.paid}" in report.mismatches[0].detail


def test_a_deleted_volume_row_is_caught_and_named(queries, story):
    with queries.engine.begin() as conn:
        conn.execute(delete(db.volumes).where(db.volumes.c.account == story.parties["bob"]))

    report = _audit(queries, story, "bob")

    assert report.names() == {verdict.VOLUME_DIFFERS_FROM_CHAIN}


def test_a_volume_row_in_a_token_the_account_never_used_is_caught(queries, story):
    bob, token = story.parties["bob"], "0x" + "77" * 20
    with queries.engine.begin() as conn:
        conn.execute(db.volumes.insert().values(account=bob, token=web3_of(story.url).to_checksum_address(token), earned=1, paid=0))

    report = _audit(queries, story, "bob")

    assert report.names() == {verdict.VOLUME_DIFFERS_FROM_CHAIN}


@pytest.mark.parametrize(("column", "value"), [("state", "CANCELLED"), ("paid", 1), ("deadline", 1), ("updated_at", 1)])
def test_a_changed_gig_row_is_caught_and_named(queries, story, column, value):
    gig_id = story.gigs["approved"]
    with queries.engine.begin() as conn:
        conn.execute(update(db.gigs).where(db.gigs.c.gig_id == gig_id).values({column: value}))

    report = _audit(queries, story, "bob")

    assert report.names() == {verdict.GIG_DIFFERS_FROM_CHAIN}
    assert report.mismatches[0].detail.startswith(f"gig {gig_id}: {column}: index")


def test_a_deleted_gig_row_is_caught_and_named(queries, story):
    gig_id = story.gigs["working"]
    with queries.engine.begin() as conn:
        conn.execute(delete(db.gigs).where(db.gigs.c.gig_id == gig_id))

    report = _audit(queries, story, "dave")

    assert report.names() == {verdict.GIG_MISSING_FROM_INDEX}
    assert f"gig {gig_id}" in report.mismatches[0].detail


def test_a_fake_gig_row_is_caught_and_named(queries, story):
    with queries.engine.begin() as conn:
        row = conn.execute(select(db.gigs).where(db.gigs.c.gig_id == story.gigs["approved"])).one()
        conn.execute(db.gigs.insert().values(row._asdict() | {"gig_id": 9999}))

    report = _audit(queries, story, "bob")

    assert report.names() == {verdict.GIG_ROW_NOT_ON_CHAIN}
    assert "gig 9999" in report.mismatches[0].detail
