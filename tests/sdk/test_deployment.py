"""Deploying, and the manifest that records where the contracts are."""

from __future__ import annotations

import dataclasses
import json

import pytest

from gigledger import Deployment
from gigledger.contracts import SHIPPED, load_artifact
from gigledger.errors import DeploymentMismatch
from gigledger.transactions import TransactionSender


def test_deploy_authorises_the_escrow_in_the_registry(client, deployment):
    assert client.registry.functions.accepts_gigs_from(deployment.escrow).call()
    assert client.escrow.functions.REGISTRY().call() == deployment.registry


def test_deploy_records_chain_block_and_artifact_digests(chain, deployment):
    assert deployment.chain_id == chain.w3.eth.chain_id
    assert chain.w3.eth.get_code(deployment.registry, deployment.block)
    assert deployment.artifacts == {name: load_artifact(name)["sourceDigest"] for name in SHIPPED}


def test_a_manifest_survives_save_and_load(deployment, tmp_path):
    path = tmp_path / "nested" / "deployment.json"
    deployment.save(path)
    assert Deployment.load(path) == deployment


def test_verify_accepts_the_manifest_of_this_chain(chain, deployment):
    deployment.verify(chain.w3)


def test_verify_refuses_a_market_that_hires_through_another_escrow(chain, deployment):
    """A market deployed for some other escrow would list offers this escrow cannot hire."""
    sender = TransactionSender(chain.w3, chain.accounts[0])
    other = sender.deploy(load_artifact("TalentMarket")["bytecode"], chain.w3.codec.encode(["address"], [deployment.registry]))
    foreign = dataclasses.replace(deployment, market=other.contract_address)
    with pytest.raises(DeploymentMismatch, match="hires through another escrow"):
        foreign.verify(chain.w3)


def test_a_manifest_from_before_the_market_still_loads(deployment, tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({k: v for k, v in dataclasses.asdict(deployment).items() if k != "market"}))
    assert Deployment.load(path).market is None


def test_deploy_records_the_genesis_hash_and_its_authorities(chain, deployment):
    genesis = chain.w3.eth.get_block("earliest")
    assert deployment.genesis_hash == "0x" + bytes(genesis["hash"]).hex()
    assert deployment.authorities == []  # test chains name no sealing authorities
