"""Each thing that can go wrong surfaces as its own error type, saying what to do."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import httpx
import pytest
from eth_account import Account

from gigledger import (
    DeadlineNotPassed,
    DeadlinePassed,
    DeploymentMismatch,
    GigLedger,
    GigNotFound,
    GigOutOfDate,
    InsufficientFunds,
    InvalidArgument,
    InvalidState,
    NoAccount,
    NodeUnreachable,
    NotAuthorized,
    SenderNotAllowed,
    TransactionTimeout,
    WrongChain,
)
from gigledger.devchain import dev_account
from gigledger.errors import error_for_revert
from gigledger.testing import free_port

from .rpc_proxy import PermissioningProxy


def test_a_stranger_approving_is_not_authorized(delivered_gig, stranger):
    with pytest.raises(NotAuthorized, match="caller is not the client") as raised:
        stranger.approve(delivered_gig)
    assert raised.value.reason == "escrow: caller is not the client"


def test_approving_before_delivery_is_an_invalid_state(accepted_gig, client):
    with pytest.raises(InvalidState, match="gig is not delivered"):
        client.approve(accepted_gig)


def test_accepting_after_the_deadline_is_too_late(create_gig, freelancer, chain):
    gig = create_gig(deadline=timedelta(hours=1))
    chain.advance(2 * 3600)
    with pytest.raises(DeadlinePassed, match="deadline passed"):
        freelancer.accept(gig)


def test_refunding_before_the_deadline_is_too_early(accepted_gig, client):
    with pytest.raises(DeadlineNotPassed, match="deadline not passed"):
        client.refund(accepted_gig)


def test_claiming_during_the_review_period_is_too_early(delivered_gig, freelancer):
    with pytest.raises(DeadlineNotPassed, match="review period not over"):
        freelancer.claim(delivered_gig)


def test_acting_on_an_out_of_date_gig_says_to_read_it_again(funded_gig, accepted_gig, client):
    with pytest.raises(GigOutOfDate, match="does not match its commitment"):
        client.cancel(funded_gig)


def test_milestones_that_do_not_add_up_are_an_invalid_argument(create_gig):
    with pytest.raises(InvalidArgument, match="milestones do not add up"):
        create_gig(amount=100, milestones=[10, 20])


def test_an_unknown_gig_is_not_found(reader):
    with pytest.raises(GigNotFound):
        reader.gig(999)


def test_writing_without_an_account_asks_for_one(reader, funded_gig, monkeypatch):
    with pytest.raises(NoAccount, match="GIGLEDGER_PRIVATE_KEY"):
        reader.accept(funded_gig)


def test_an_account_without_funds_cannot_pay(chain, deployment, funded_gig):
    broke = GigLedger.connect(chain.endpoint, account=Account.create(), deployment=deployment)
    with pytest.raises(InsufficientFunds, match="fund the account"):
        broke.create_gig(10**18, arbiter=chain.accounts[3].address, deadline=timedelta(days=1))


def test_a_transaction_not_mined_in_time_times_out(chain, deployment, funded_gig):
    impatient = GigLedger.connect(chain.endpoint, account=chain.accounts[2], deployment=deployment, timeout=0.5)
    chain.set_automine(False)
    with pytest.raises(TransactionTimeout, match="may still be mined") as raised:
        impatient.accept(funded_gig)
    assert raised.value.transaction_hash.startswith("0x")


def test_a_manifest_for_another_chain_is_refused(chain, deployment):
    elsewhere = dataclasses.replace(deployment, chain_id=deployment.chain_id + 1)
    with pytest.raises(WrongChain, match=f"for chain {deployment.chain_id + 1}"):
        GigLedger.connect(chain.endpoint, deployment=elsewhere)


def test_a_manifest_whose_addresses_hold_other_code_is_refused(chain, deployment):
    swapped = dataclasses.replace(deployment, escrow=deployment.registry, registry=deployment.escrow)
    with pytest.raises(DeploymentMismatch, match="deploy again"):
        GigLedger.connect(chain.endpoint, deployment=swapped)


def test_a_manifest_pointing_at_empty_addresses_is_refused(chain, deployment):
    empty = dataclasses.replace(deployment, escrow="0x" + "11" * 20)
    with pytest.raises(DeploymentMismatch, match="has no code"):
        GigLedger.connect(chain.endpoint, deployment=empty)


def test_an_unreachable_node_says_how_to_start_one(deployment):
    with pytest.raises(NodeUnreachable, match="gigledger-node start --dev"):
        GigLedger.connect(f"http://127.0.0.1:{free_port()}", deployment=deployment)


@pytest.fixture
def permissioned_url(anvil_chain):
    """A loopback node that refuses the stranger (dev account 4) as a sender."""
    proxy = PermissioningProxy(anvil_chain.rpc_url, refused={anvil_chain.accounts[4].address})
    yield proxy.url
    proxy.stop()


def test_a_sender_the_node_refuses_gets_sender_not_allowed(permissioned_url, anvil_chain, anvil_deployment):
    refused = GigLedger.connect(permissioned_url, account=anvil_chain.accounts[4], deployment=anvil_deployment)
    with pytest.raises(SenderNotAllowed, match="allowlist") as raised:
        refused.create_gig(1, arbiter=anvil_chain.accounts[3].address, deadline=timedelta(days=1))
    assert raised.value.sender == anvil_chain.accounts[4].address


def test_a_refused_send_leaves_no_gap_in_nonces(permissioned_url, anvil_chain, anvil_deployment):
    refused = GigLedger.connect(permissioned_url, account=anvil_chain.accounts[4], deployment=anvil_deployment)
    with pytest.raises(SenderNotAllowed):
        refused.create_gig(1, arbiter=anvil_chain.accounts[3].address, deadline=timedelta(days=1))
    assert refused.sender.nonces.reserve() == anvil_chain.w3.eth.get_transaction_count(refused.address)


def test_the_dev_nodes_allowlist_refusal_is_sender_not_allowed(dev_node):
    url, manifest = dev_node
    refused = dev_account(5)
    token = (manifest.parent / "admin.token").read_text().strip()
    response = httpx.post(
        url,
        json={"jsonrpc": "2.0", "id": 1, "method": "perm_removeAccountsFromAllowlist", "params": [[refused.address]]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert "error" not in response.json(), response.text
    ledger = GigLedger.connect(url, account=refused, deployment=manifest)
    with pytest.raises(SenderNotAllowed, match="allowlist"):
        ledger.create_gig(1, arbiter=dev_account(3).address, deadline=timedelta(days=1))


@pytest.mark.parametrize(
    ("reason", "error_type"),
    [
        ("registry: escrow is not a writer", NotAuthorized),
        ("escrow: registry does not take gigs from this escrow", NotAuthorized),
        ("ownable: caller is not the owner", NotAuthorized),
        ("escrow: review period too short", InvalidArgument),
        ("escrow: amount below the minimum", InvalidArgument),
    ],
)
def test_the_writer_and_minimum_rules_map_to_their_errors(reason, error_type):
    assert type(error_for_revert(reason)) is error_type
