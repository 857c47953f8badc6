"""A member's transaction cannot stall block production inside a precompile.

Within the block gas limit, a transaction calling py-evm's pure-Python pairing with
hundreds of pairs would hold the block builder (and, through the GIL, every request)
for minutes; 20 pairs took 12.5 s on the unfixed node. Each transaction in a block
runs before the producer's time budget; one that runs past it is left out and
dropped, and the block is sealed without it.
"""

from __future__ import annotations

import logging
import time

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import to_canonical_address

from gigledger.devchain import DEV_CHAIN_ID
from gigledger_node.chain.node import ChainNode
from gigledger_node.chain.producer import BlockLimits

from .conftest import sign_transfer
from .curve_inputs import bn_pairs, bn_pairs_that_hold, looping_over, static_calling

TX_TIMEOUT_SECONDS = 1.0
SLACK_SECONDS = 1.5


@pytest.fixture
def budgeted_node(chain_node) -> ChainNode:
    """chain_node whose block builder gives each transaction TX_TIMEOUT_SECONDS."""
    chain_node.producer.limits = BlockLimits(tx_timeout=TX_TIMEOUT_SECONDS)
    return chain_node


@pytest.fixture
def member(dev_accounts) -> LocalAccount:
    return dev_accounts[1]


@pytest.fixture
def other_member(dev_accounts) -> LocalAccount:
    return dev_accounts[2]


def pairing_deployment(account: LocalAccount, payload: bytes, nonce: int = 0) -> bytes:
    """A signed deployment whose creation code STATICCALLs ecPairing (0x08) with ``payload``
    and deploys the 32-byte answer as the contract's code."""
    return deployment(account, static_calling(0x08, payload), nonce)


def deployment(account: LocalAccount, code: bytes, nonce: int = 0) -> bytes:
    tx = {
        "type": 2, "chainId": DEV_CHAIN_ID, "nonce": nonce, "value": 0, "data": code,
        "gas": 3_000_000, "maxFeePerGas": 10**11, "maxPriorityFeePerGas": 10**9,
    }
    return bytes(account.sign_transaction(tx).raw_transaction)


def created_code(node: ChainNode, account: LocalAccount, nonce: int = 0) -> bytes:
    from eth._utils.address import generate_contract_address

    created = generate_contract_address(to_canonical_address(account.address), nonce)
    return node.ledger.state_at(node.head()).get_code(created)


def test_a_transaction_past_the_budget_is_left_out_and_the_block_sealed_on_time(budgeted_node, member, other_member):
    slow = budgeted_node.submit(pairing_deployment(member, bn_pairs(20)))
    transfer = budgeted_node.submit(sign_transfer(other_member, 0))
    started = time.monotonic()
    produced = budgeted_node.produce()
    assert time.monotonic() - started < TX_TIMEOUT_SECONDS + SLACK_SECONDS
    assert [tx.hash for tx in produced.block.transactions] == [transfer]
    assert produced.dropped == (slow,)


def test_a_transaction_looping_over_a_short_precompile_is_cut_off_too(budgeted_node, member):
    """126 calls of BLS12 map to G2 (0x11, 0.2 s each) within 3M gas: the loop's jumps check the deadline."""
    slow = budgeted_node.submit(deployment(member, looping_over(0x11, 128)))
    started = time.monotonic()
    produced = budgeted_node.produce(allow_empty=True)
    assert time.monotonic() - started < TX_TIMEOUT_SECONDS + SLACK_SECONDS
    assert produced.dropped == (slow,)


def test_a_transaction_cut_off_leaves_no_trace(budgeted_node, local_rpc, member):
    slow = budgeted_node.submit(pairing_deployment(member, bn_pairs(20)))
    budgeted_node.produce(allow_empty=True)
    assert local_rpc("eth_getTransactionByHash", "0x" + slow.hex())["result"] is None
    assert budgeted_node.ledger.state_at(budgeted_node.head()).get_nonce(to_canonical_address(member.address)) == 0
    assert created_code(budgeted_node, member) == b""


def test_a_transaction_cut_off_is_logged_with_its_sender(budgeted_node, member, caplog):
    slow = budgeted_node.submit(pairing_deployment(member, bn_pairs(20)))
    with caplog.at_level(logging.WARNING, logger="gigledger_node.chain.producer"):
        budgeted_node.produce()
    assert f"dropping tx 0x{slow.hex()} from {member.address.lower()}: execution aborted (timeout = 1s)" in caplog.text


def test_an_honest_two_pair_pairing_is_mined_within_the_default_budget_and_reimports(chain_node, member, reimport):
    honest = chain_node.submit(pairing_deployment(member, bn_pairs_that_hold()))
    produced = chain_node.produce()
    assert [tx.hash for tx in produced.block.transactions] == [honest]
    assert created_code(chain_node, member) == b"\x00" * 31 + b"\x01"  # deployed: the pairing held
    assert reimport(chain_node) == 1


def test_the_chain_keeps_sealing_after_a_cut_off_and_reimports(budgeted_node, member, other_member, reimport):
    budgeted_node.submit(pairing_deployment(member, bn_pairs(20)))
    budgeted_node.produce(allow_empty=True)
    budgeted_node.submit(sign_transfer(other_member, 0))
    budgeted_node.submit(sign_transfer(member, 0))
    assert len(budgeted_node.produce().block.transactions) == 2
    assert reimport(budgeted_node) == 2


def test_the_default_budget_is_the_eth_call_budget():
    from gigledger_node.chain.calls import CallLimits

    assert BlockLimits().tx_timeout == CallLimits().timeout == 5.0


def test_a_node_started_with_a_block_tx_timeout_drops_the_slow_transaction_and_mines_the_rest(
    start_node, member, other_member
):
    node = start_node("--dev", "--no-deploy", "--no-index", "--block-tx-timeout", str(TX_TIMEOUT_SECONDS))
    slow = node.rpc("eth_sendRawTransaction", "0x" + pairing_deployment(member, bn_pairs(20)).hex())["result"]
    transfer = node.rpc("eth_sendRawTransaction", "0x" + sign_transfer(other_member, 0).hex())["result"]
    receipt = node.wait_for_receipt(transfer, timeout=TX_TIMEOUT_SECONDS + SLACK_SECONDS + 1)
    assert receipt["status"] == "0x1"
    assert node.rpc("eth_getTransactionByHash", slow)["result"] is None
