"""The auditor trusts only a pinned genesis: every lie of the endpoint or the index is caught and named.

On Anvil (no seals) for what needs no seal; the state proofs (escrow ETH, ERC-20
balance slots) on both Anvil and the dev node (`proving_chain`); on the dev node
for seals, forks and equivocation (see the second half). Each attack is a mode of the lying proxy in
`proxy.py` in front of an honest chain.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import delete, select, update

from gigledger import audit
from gigledger import report as verdict
from gigledger.anchor import TrustAnchor
from gigledger.deployment import Deployment
from gigledger.proofs import receipts_root
from gigledger_node.chain.sealing import genesis_extra_data
from gigledger_node.cli import DEV_AUTHORITY_KEY
from gigledger_node.index import db
from gigledger_node.index.audit import audit_from_index
from gigledger_node.index.endpoint import Endpoint
from gigledger_node.index.indexer import Indexer
from gigledger_node.index.queries import Queries

from .proxy import (
    dropped_log,
    flaky,
    forged_log,
    forked_block,
    resealed,
    rewritten_genesis,
    rpc_proxy,
    wrong_balance,
)
from .story import ETHER, WEEK, deploy_contracts, dev_account, ledgers, web3_of

ATTACKER = "0x" + "66" * 20


def _audit(queries, story, party: str, url: str | None = None, **options):
    return audit_from_index(queries, web3_of(url or story.url), story.deployment, story.parties[party], **options)


def _first_payment_of(engine, account: str):
    with engine.connect() as conn:
        return conn.execute(
            select(db.payments).where(db.payments.c.account == account).order_by(db.payments.c.id).limit(1)
        ).one()


def _release_of(story, party: str):
    """The first release payment of ``party``, as the chain has it."""
    payments = audit.chain_payments(web3_of(story.url), story.deployment, story.parties[party])
    return next(p for p in payments if p.kind == "release")


def _index_rows_implied_by_chain_changed():
    """What a change to one payment row also shows: the balance its rows imply is not the chain's."""
    return {verdict.ESCROW_BALANCE_MISMATCH, verdict.HOLDINGS_DIFFER_FROM_ROWS}


@pytest.mark.parametrize("party", ["alice", "bob"])
def test_an_untouched_index_passes_the_audit(queries, story, party):
    report = _audit(queries, story, party)

    assert report.ok, report.mismatches
    assert report.rows and all(r.log_in_receipt and r.receipts_root and r.in_index for r in report.rows)


def test_the_escrow_owner_passes_though_the_escrow_logs_it_took_ownership(queries, story):
    owner = dev_account(0).address

    report = audit_from_index(queries, web3_of(story.url), story.deployment, owner)

    assert report.ok, report.mismatches


def test_the_report_says_how_many_blocks_it_scanned_and_matched(queries, story):
    report = _audit(queries, story, "bob")

    blocks_with_bob = {r.payment.block_number for r in report.rows}
    assert report.coverage.blocks_scanned == report.coverage.head - story.deployment.block + 1
    assert len(blocks_with_bob) <= report.coverage.blocks_matched < report.coverage.blocks_scanned


def test_escrow_ether_is_proved_against_the_head_state_root(proof_queries, proof_story):
    report = _audit(proof_queries, proof_story, "alice")

    ether = next(b for b in report.balances if int(b.token, 16) == 0)
    assert ether.proven and ether.ok


def test_a_chain_without_authorities_is_reported_unsealed_when_seals_are_not_required(queries, story):
    report = _audit(queries, story, "bob")

    assert report.authorities == [] and {r.seal for r in report.rows} == {verdict.UNSEALED_CHAIN}


def test_a_chain_without_authorities_fails_when_seals_are_required(queries, story):
    report = _audit(queries, story, "bob", require_seals=True)

    assert verdict.NO_AUTHORITIES in report.names()


def test_a_changed_amount_is_caught_and_named(queries, story):
    row = _first_payment_of(queries.engine, story.parties["bob"])
    with queries.engine.begin() as conn:
        conn.execute(update(db.payments).where(db.payments.c.id == row.id).values(amount=row.amount + 1))

    report = _audit(queries, story, "bob")

    assert report.names() == {verdict.DIFFERS_FROM_CHAIN} | _index_rows_implied_by_chain_changed()
    differs = next(m for m in report.mismatches if m.name == verdict.DIFFERS_FROM_CHAIN)
    assert f"amount: index {row.amount + 1}, chain {row.amount}" in differs.detail


def test_a_changed_payment_timestamp_is_caught_and_named(queries, story):
    row = _first_payment_of(queries.engine, story.parties["bob"])
    with queries.engine.begin() as conn:
        conn.execute(update(db.payments).where(db.payments.c.id == row.id).values(timestamp=row.timestamp - 3600))

    report = _audit(queries, story, "bob")

    assert report.names() == {verdict.DIFFERS_FROM_CHAIN}
    assert f"timestamp: index {row.timestamp - 3600}, chain {row.timestamp}" in report.mismatches[0].detail


def test_a_deleted_payment_is_caught_and_named(queries, story):
    row = _first_payment_of(queries.engine, story.parties["bob"])
    with queries.engine.begin() as conn:
        conn.execute(delete(db.payments).where(db.payments.c.id == row.id))

    report = _audit(queries, story, "bob")

    assert report.names() == {verdict.MISSING_FROM_INDEX} | _index_rows_implied_by_chain_changed()
    missing = next(m for m in report.mismatches if m.name == verdict.MISSING_FROM_INDEX)
    assert missing.transaction_hash == row.transaction_hash


def test_a_fake_payment_is_caught_and_named(queries, story):
    row = _first_payment_of(queries.engine, story.parties["bob"])
    fake = {c: getattr(row, c) for c in row._fields if c != "id"} | {"transaction_hash": "0x" + "ab" * 32}
    with queries.engine.begin() as conn:
        conn.execute(db.payments.insert(), [fake])

    report = _audit(queries, story, "bob")

    assert verdict.NOT_ON_CHAIN in report.names()
    assert next(m for m in report.mismatches if m.name == verdict.NOT_ON_CHAIN).transaction_hash == "0x" + "ab" * 32


def test_a_wrong_holdings_table_is_caught_against_the_payment_rows(queries, story):
    with queries.engine.begin() as conn:
        conn.execute(update(db.holdings).values(amount=5 * ETHER))

    report = _audit(queries, story, "alice")

    assert report.names() == {verdict.HOLDINGS_DIFFER_FROM_ROWS}


# ---------------------------------------------------------------- a lying endpoint


def test_a_release_log_re_addressed_everywhere_fails_the_receipts_root(queries, story):
    release = _release_of(story, "bob")
    w3 = web3_of(story.url)
    real = w3.provider.make_request("eth_getTransactionReceipt", [release.transaction_hash])["result"]
    log = next(entry for entry in real["logs"] if int(entry["logIndex"], 16) == release.log_index)
    re_addressed = [*log["topics"][:3], "0x" + ATTACKER[2:].rjust(64, "0")]

    with rpc_proxy(story.url, forged_log(release.transaction_hash, release.log_index, topics=re_addressed)) as url:
        report = _audit(queries, story, "bob", url)

    assert verdict.RECEIPTS_ROOT_MISMATCH in report.names()


def test_a_release_log_re_amounted_in_eth_getlogs_is_named_as_forged(queries, story):
    release = _release_of(story, "bob")
    w3 = web3_of(story.url)
    real = w3.provider.make_request("eth_getTransactionReceipt", [release.transaction_hash])["result"]
    log = next(entry for entry in real["logs"] if int(entry["logIndex"], 16) == release.log_index)
    re_amounted = "0x" + format(10**30, "064x") + log["data"][66:]
    lie = forged_log(release.transaction_hash, release.log_index, data=re_amounted)
    only_logs = lie.rewrite
    lie.rewrite = lambda request, answer: only_logs(request, answer) if request["method"] == "eth_getLogs" else answer

    with rpc_proxy(story.url, lie) as url:
        report = _audit(queries, story, "bob", url)

    assert report.names() == {verdict.LOG_FORGED}
    assert [r.payment.amount for r in report.rows if r.payment.key == release.key] == [release.amount]


def test_a_log_dropped_from_eth_getlogs_and_the_index_is_still_found(queries, story):
    release = _release_of(story, "bob")
    honest = _audit(queries, story, "bob")
    with queries.engine.begin() as conn:
        conn.execute(delete(db.payments).where(db.payments.c.transaction_hash == release.transaction_hash))

    with rpc_proxy(story.url, dropped_log(release.transaction_hash, release.log_index)) as url:
        report = _audit(queries, story, "bob", url)

    assert {verdict.LOG_HIDDEN, verdict.MISSING_FROM_INDEX} <= report.names()
    assert len(report.rows) == len(honest.rows)


def test_a_rewritten_genesis_does_not_match_the_pinned_hash(queries, story):
    attacker_genesis = b"\0" * 32 + bytes.fromhex(ATTACKER[2:]) + b"\0" * 65

    with rpc_proxy(story.url, rewritten_genesis(attacker_genesis)) as url:
        report = _audit(queries, story, "bob", url)

    assert report.names() == {verdict.GENESIS_MISMATCH} and not report.rows


def test_another_chains_genesis_hash_fails_the_audit(queries, story):
    report = _audit(queries, story, "bob", anchor=TrustAnchor.pinned("0x" + "12" * 32))

    assert report.names() == {verdict.GENESIS_MISMATCH}


def test_a_wrong_escrow_balance_fails_its_state_proof(proof_queries, proof_story):
    with rpc_proxy(proof_story.url, wrong_balance(proof_story.deployment.escrow, 5 * ETHER)) as url:
        report = _audit(proof_queries, proof_story, "alice", url)

    assert verdict.STATE_PROOF_INVALID in report.names()


def test_a_node_lying_about_receipts_is_caught(queries, story):
    def forge_receipts(request: dict, answer: dict) -> dict:
        if request["method"] == "eth_getBlockReceipts" and answer.get("result"):
            answer["result"][0]["cumulativeGasUsed"] = hex(int(answer["result"][0]["cumulativeGasUsed"], 16) + 1)
        return answer

    with rpc_proxy(story.url, rewrite=forge_receipts) as url:
        report = _audit(queries, story, "bob", url)

    assert report.names() == {verdict.RECEIPTS_ROOT_MISMATCH}


def test_a_node_lying_about_a_transaction_is_caught(queries, story):
    def forge_transactions(request: dict, answer: dict) -> dict:
        if request["method"] == "eth_getBlockByNumber" and request["params"][1] and answer.get("result"):
            for tx in answer["result"]["transactions"]:
                tx["value"] = hex(int(tx["value"], 16) + 1)
        return answer

    with rpc_proxy(story.url, rewrite=forge_transactions) as url:
        report = _audit(queries, story, "bob", url)

    assert report.names() == {verdict.TRANSACTIONS_ROOT_MISMATCH}


def test_a_node_lying_about_a_header_is_caught(queries, story):
    def forge_header(request: dict, answer: dict) -> dict:
        if request["method"] == "eth_getBlockByNumber" and answer.get("result"):
            answer["result"]["gasUsed"] = hex(int(answer["result"]["gasUsed"], 16) + 1)
        return answer

    with rpc_proxy(story.url, rewrite=forge_header) as url:
        report = _audit(queries, story, "bob", url)

    assert verdict.HEADER_HASH_MISMATCH in report.names()


def _no_block_receipts(request: dict) -> dict | None:
    """An endpoint without eth_getBlockReceipts, as Hardhat answers."""
    if request["method"] == "eth_getBlockReceipts":
        return {"error": {"code": -32004, "message": "Method eth_getBlockReceipts is not supported"}}
    return None


def test_an_endpoint_without_eth_getblockreceipts_is_audited_by_transaction_receipts(queries, story):
    with rpc_proxy(story.url, refuse=_no_block_receipts) as url:
        report = _audit(queries, story, "bob", url)

    assert report.ok, report.mismatches
    assert len(report.rows) == len(_audit(queries, story, "bob").rows)


def test_a_forged_transaction_receipt_fails_the_receipts_root(queries, story):
    release = _release_of(story, "bob")
    re_amounted = "0x" + format(10**30, "064x")
    lie = forged_log(release.transaction_hash, release.log_index, data=re_amounted)

    with rpc_proxy(story.url, lie, refuse=_no_block_receipts) as url:
        report = _audit(queries, story, "bob", url)

    assert verdict.RECEIPTS_ROOT_MISMATCH in report.names()


def test_a_flaky_endpoint_is_retried_to_an_honest_report(queries, story):
    with rpc_proxy(story.url, flaky(4)) as url:
        report = _audit(queries, story, "bob", url)

    assert report.ok, report.mismatches


def test_the_report_renders_as_csv_and_json(queries, story):
    report = _audit(queries, story, "bob")

    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    document = json.loads(report.to_json())
    assert len(rows) == len(report.rows) == len(document["payments"])
    assert rows[0]["status"] == "ok" and document["ok"] is True
    assert document["coverage"]["blocks_matched"] == report.coverage.blocks_matched


# ---------------------------------------------------------------- ERC-20 holdings by storage proof


@pytest.fixture
def token_gig(proving_chain, engine):
    """On Anvil or the dev node, fresh contracts and a MockERC20 gig funded by alice, indexed;
    (url, deployment, queries, token, alice)."""
    from sdk.tokens import deploy_mock_token

    deployment = deploy_contracts(proving_chain)
    people = ledgers(proving_chain, deployment)
    token = deploy_mock_token(web3_of(proving_chain), dev_account(0), holders=[people["alice"].address])
    people["alice"].create_gig(ETHER, arbiter=people["carol"].address, deadline=WEEK, token=token)
    Indexer(engine, Endpoint(proving_chain), deployment).sync()
    return proving_chain, deployment, Queries(engine), token, people["alice"].address


def test_a_storage_slot_with_an_odd_number_of_hex_digits_is_asked_as_a_32_byte_word(proving_chain):
    from gigledger.jsonrpc import RawRpc
    from gigledger.storage import slot_key

    answer = RawRpc(web3_of(proving_chain)).call("eth_getProof", [ATTACKER, [slot_key(0xABC)], "latest"])

    assert int(answer["storageProof"][0]["key"], 16) == 0xABC


def _token_balance(report, token):
    return next(b for b in report.balances if b.token.lower() == token.lower())


def test_an_erc20_holding_is_proved_by_its_balance_slot_when_the_layout_is_known(token_gig):
    from sdk.tokens import mock_token_layout

    url, deployment, queries, token, alice = token_gig

    report = audit_from_index(queries, web3_of(url), deployment, alice, token_layouts={token: mock_token_layout()})

    assert report.ok, report.mismatches
    assert _token_balance(report, token).proven and _token_balance(report, token).on_chain == ETHER


def test_an_erc20_holding_of_unknown_layout_is_marked_unproven(token_gig):
    url, deployment, queries, token, alice = token_gig

    report = audit_from_index(queries, web3_of(url), deployment, alice)

    assert report.ok and not _token_balance(report, token).proven


def test_a_lie_about_an_erc20_balance_slot_fails_its_storage_proof(token_gig):
    from sdk.tokens import mock_token_layout

    url, deployment, queries, token, alice = token_gig

    def inflate(request: dict, answer: dict) -> dict:
        if request["method"] == "eth_getProof" and request["params"][0].lower() == token.lower():
            answer["result"]["storageProof"][0]["value"] = hex(5 * ETHER)
        return answer

    with rpc_proxy(url, rewrite=inflate) as lying:
        report = audit_from_index(queries, web3_of(lying), deployment, alice, token_layouts={token: mock_token_layout()})

    assert verdict.STATE_PROOF_INVALID in report.names()


# ---------------------------------------------------------------- on the node, with real seals


def _sealed_fork_of_release(url: str, freelancer: str, deployment: Deployment) -> tuple[int, dict, list[dict]]:
    """The block of ``freelancer``'s release re-made with the release re-amounted, its receipts root
    recomputed and sealed by the real authority key: (height, forged header, forged receipts)."""
    release = next(p for p in audit.chain_payments(web3_of(url), deployment, freelancer) if p.kind == "release")
    w3 = web3_of(url)
    block = w3.provider.make_request("eth_getBlockByNumber", [hex(release.block_number), False])["result"]
    receipts = w3.provider.make_request("eth_getBlockReceipts", [hex(release.block_number)])["result"]
    for log in (entry for r in receipts for entry in r["logs"]):
        if int(log["logIndex"], 16) == release.log_index:
            log["data"] = "0x" + format(10**30, "064x") + log["data"][66:]
    forged = resealed(block, DEV_AUTHORITY_KEY, receiptsRoot="0x" + receipts_root(receipts).hex())
    return release.block_number, forged, receipts


def test_the_manifest_records_the_nodes_genesis_and_authority(sealed_payments):
    url, deployment, _queries, _freelancer = sealed_payments

    genesis = web3_of(url).provider.make_request("eth_getBlockByNumber", ["0x0", False])["result"]
    assert deployment.genesis_hash == genesis["hash"]
    assert deployment.authorities == [DEV_AUTHORITY_KEY.public_key.to_checksum_address()]


def test_payments_on_the_node_are_sealed_by_its_genesis_authority(sealed_payments):
    url, deployment, queries, freelancer = sealed_payments

    report = audit_from_index(queries, web3_of(url), deployment, freelancer)

    assert report.ok, report.mismatches
    assert report.authorities == deployment.authorities
    assert {r.seal for r in report.rows} == {f"sealed by {report.authorities[0]}"}


def test_a_genesis_rewritten_with_an_attackers_key_is_refused(sealed_payments):
    url, deployment, queries, freelancer = sealed_payments

    with rpc_proxy(url, rewritten_genesis(genesis_extra_data([ATTACKER]))) as lying:
        report = audit_from_index(queries, web3_of(lying), deployment, freelancer)

    assert report.names() == {verdict.GENESIS_MISMATCH}


def test_a_genesis_rewritten_without_authorities_is_refused_not_downgraded(sealed_payments):
    url, deployment, queries, freelancer = sealed_payments

    with rpc_proxy(url, rewritten_genesis(b"")) as lying:
        report = audit_from_index(queries, web3_of(lying), deployment, freelancer)

    assert report.names() == {verdict.GENESIS_MISMATCH}
    assert verdict.UNSEALED_CHAIN not in {r.seal for r in report.rows}


def test_a_fork_sealed_by_the_real_authority_is_not_on_the_canonical_chain(sealed_payments):
    url, deployment, queries, freelancer = sealed_payments
    height, forged, receipts = _sealed_fork_of_release(url, freelancer, deployment)

    with rpc_proxy(url, forked_block(height, forged, receipts)) as lying:
        report = audit_from_index(queries, web3_of(lying), deployment, freelancer)

    assert verdict.CHAIN_BROKEN in report.names()
    broken = next(m for m in report.mismatches if m.name == verdict.CHAIN_BROKEN)
    assert broken.evidence["parent"]["hash"] == forged["hash"]


def test_two_sealed_headers_at_one_height_are_reported_as_equivocation(sealed_payments, tmp_path):
    url, deployment, queries, freelancer = sealed_payments
    assert audit_from_index(queries, web3_of(url), deployment, freelancer, cache_dir=tmp_path).ok
    height, forged, receipts = _sealed_fork_of_release(url, freelancer, deployment)

    with rpc_proxy(url, forked_block(height, forged, receipts)) as lying:
        report = audit_from_index(queries, web3_of(lying), deployment, freelancer, cache_dir=tmp_path)

    equivocation = next(m for m in report.mismatches if m.name == verdict.EQUIVOCATION)
    assert equivocation.evidence["served"]["hash"] == forged["hash"]
    assert equivocation.evidence["verified"]["number"] == height
    assert verdict.RECEIPTS_ROOT_MISMATCH in report.names()


def test_a_later_audit_fetches_only_the_new_headers(sealed_payments, tmp_path):
    url, deployment, queries, freelancer = sealed_payments
    asked: list[str] = []

    def count(request: dict, answer: dict) -> dict:
        if request["method"] == "eth_getBlockByNumber" and not request["params"][1]:
            asked.append(request["params"][0])
        return answer

    with rpc_proxy(url, rewrite=count) as counting:
        audit_from_index(queries, web3_of(counting), deployment, freelancer, cache_dir=tmp_path)
        first = len(asked)
        report = audit_from_index(queries, web3_of(counting), deployment, freelancer, cache_dir=tmp_path)

    assert report.ok and first > report.coverage.head
    assert len(asked) - first <= 1  # the newest cached header, asked again to catch equivocation


def test_a_trusted_checkpoint_anchors_the_chain(sealed_payments):
    url, deployment, queries, freelancer = sealed_payments
    block = web3_of(url).provider.make_request("eth_getBlockByNumber", [hex(deployment.block), False])["result"]
    anchor = TrustAnchor.pinned(deployment.genesis_hash, f"{deployment.block}:{block['hash']}")

    report = audit_from_index(queries, web3_of(url), deployment, freelancer, anchor=anchor)

    assert report.ok and report.coverage.first_block == deployment.block


def test_a_checkpoint_the_chain_does_not_have_is_named(sealed_payments):
    url, deployment, queries, freelancer = sealed_payments
    anchor = TrustAnchor.pinned(deployment.genesis_hash, f"{deployment.block}:0x{'34' * 32}")

    report = audit_from_index(queries, web3_of(url), deployment, freelancer, anchor=anchor)

    assert report.names() == {verdict.CHECKPOINT_MISMATCH}
