"""Proof bundles: an audit written to a file and checked offline against a pinned genesis hash."""

from __future__ import annotations

import json

import pytest

from gigledger import report as verdict
from gigledger.anchor import TrustAnchor
from gigledger.bundle import BUNDLE_INCOMPLETE, BundleError, verify_bundle, write_bundle
from gigledger.deployment import Deployment

from .story import web3_of


@pytest.fixture(scope="module")
def bundle(story, tmp_path_factory):
    """Bob's audit on the story's chain, written as a bundle: (path, the chain audit)."""
    path = tmp_path_factory.mktemp("bundle") / "bob.json"
    anchor = TrustAnchor.pinned(story.deployment.genesis_hash)
    verified = write_bundle(path, web3_of(story.url), story.deployment, story.parties["bob"], anchor=anchor, require_seals=False)
    return path, verified


def _tampered(path, tmp_path, change) -> object:
    document = json.loads(path.read_text())
    change(document)
    target = tmp_path / "tampered.json"
    target.write_text(json.dumps(document))
    return target


def _answers(document, method):
    return [entry for entry in document["answers"] if entry[0] == method]


def test_a_bundle_verifies_offline_to_the_same_payments(bundle, story):
    path, verified = bundle

    report = verify_bundle(path, story.deployment.genesis_hash)

    assert report.ok, report.mismatches
    assert [r.payment for r in report.rows] == [v.payment for v in verified.payments]
    assert report.coverage.blocks_matched == verified.coverage.blocks_matched


def test_a_bundle_checked_against_another_genesis_fails(bundle):
    path, _ = bundle

    assert verify_bundle(path, "0x" + "12" * 32).names() == {verdict.GENESIS_MISMATCH}


def test_a_bundle_with_a_forged_receipt_fails_the_receipts_root(bundle, story, tmp_path):
    path, _ = bundle

    def forge(document):
        receipts = next(entry[2] for entry in _answers(document, "eth_getBlockReceipts") if entry[2] and entry[2][0]["logs"])
        receipts[0]["logs"][0]["data"] = "0x" + "ff" * 32 + receipts[0]["logs"][0]["data"][66:]

    report = verify_bundle(_tampered(path, tmp_path, forge), story.deployment.genesis_hash)

    assert verdict.RECEIPTS_ROOT_MISMATCH in report.names()


def test_a_bundle_with_a_changed_header_fails_its_hash(bundle, story, tmp_path):
    path, _ = bundle

    def forge(document):
        header = next(entry[2] for entry in _answers(document, "eth_getBlockByNumber") if entry[1][0] == "0x3" and not entry[1][1])
        header["gasUsed"] = hex(int(header["gasUsed"], 16) + 1)

    report = verify_bundle(_tampered(path, tmp_path, forge), story.deployment.genesis_hash)

    assert verdict.HEADER_HASH_MISMATCH in report.names()


def test_a_bundle_carries_the_proved_registry_record_of_its_account(bundle, story):
    path, verified = bundle

    report = verify_bundle(path, story.deployment.genesis_hash)

    assert report.registry == verified.registry and report.registry.proven
    assert report.registry.counters["completed"] == 2


def test_a_bundle_with_an_inflated_registry_record_fails_its_proof(bundle, story, tmp_path):
    path, _ = bundle

    def forge(document):
        proof = next(e[2] for e in _answers(document, "eth_getProof") if e[1][0].lower() == story.deployment.registry.lower())
        proof["storageProof"][0]["value"] = hex(int(proof["storageProof"][0]["value"], 16) + 1)

    report = verify_bundle(_tampered(path, tmp_path, forge), story.deployment.genesis_hash)

    assert report.names() == {verdict.REGISTRY_PROOF_INVALID} and report.registry is None


def test_a_bundle_with_an_answer_removed_is_incomplete(bundle, story, tmp_path):
    path, _ = bundle

    def drop(document):
        document["answers"] = [entry for entry in document["answers"] if entry[0] != "eth_getProof"]

    report = verify_bundle(_tampered(path, tmp_path, drop), story.deployment.genesis_hash)

    assert report.names() == {BUNDLE_INCOMPLETE}


def test_a_file_that_is_not_a_bundle_is_refused(tmp_path, story):
    other = tmp_path / "deployment.json"
    story.deployment.save(other)

    with pytest.raises(BundleError, match="not a"):
        verify_bundle(other, story.deployment.genesis_hash)


def test_the_bundle_names_the_deployment_it_was_made_for(bundle, story):
    path, _ = bundle

    document = json.loads(path.read_text())
    assert Deployment(**document["deployment"]) == story.deployment


def test_a_bundle_of_sealed_blocks_verifies_offline_and_names_its_authority(sealed_payments, tmp_path):
    url, deployment, _queries, freelancer = sealed_payments
    path = tmp_path / "sealed.json"
    write_bundle(path, web3_of(url), deployment, freelancer, anchor=TrustAnchor.pinned(deployment.genesis_hash))

    report = verify_bundle(path, deployment.genesis_hash)

    assert report.ok, report.mismatches
    assert report.authorities == deployment.authorities and report.rows
