"""The log index answers eth_getLogs from postings and per-block blobs."""

import pytest
from eth._utils.address import generate_contract_address
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector, to_canonical_address

from gigledger_node.chain.logindex import LogIndex

CHAIN_ID = 1337


@pytest.fixture
def pinger_address(chain_node, dev_accounts, pinger_artifact):
    """A Pinger deployed on the in-process chain."""
    deployer = dev_accounts[0]
    tx = {"type": 2, "chainId": CHAIN_ID, "nonce": 0, "data": pinger_artifact["bytecode"], "gas": 1_000_000,
          "maxFeePerGas": 10**11, "maxPriorityFeePerGas": 10**9}
    chain_node.submit(bytes(deployer.sign_transaction(tx).raw_transaction))
    chain_node.produce()
    return generate_contract_address(to_canonical_address(deployer.address), 0)


def burst(chain_node, account, nonce, address, count):
    """Mine one Pinger.burst(count) call: ``count`` logs tagged 0..count-1."""
    data = function_signature_to_4byte_selector("burst(uint256)") + encode(["uint256"], [count])
    tx = {"type": 2, "chainId": CHAIN_ID, "nonce": nonce, "to": address, "data": data, "gas": 1_000_000,
          "maxFeePerGas": 10**11, "maxPriorityFeePerGas": 10**9}
    chain_node.submit(bytes(account.sign_transaction(tx).raw_transaction))
    return chain_node.produce().block


def test_logs_of_a_block_come_back_in_order_with_their_positions(chain_node, dev_accounts, pinger_address):
    block = burst(chain_node, dev_accounts[0], 1, pinger_address, 3)
    entries = chain_node.ledger.log_index.block_logs(block.header)
    assert [(e.log_index, int.from_bytes(e.topics[2], "big")) for e in entries] == [(0, 0), (1, 1), (2, 2)]


def test_topic_filter_selects_matching_logs_only(chain_node, dev_accounts, pinger_address):
    burst(chain_node, dev_accounts[0], 1, pinger_address, 5)
    tag_three = (3).to_bytes(32, "big")
    found = chain_node.ledger.log_index.logs(0, 10, [pinger_address], [None, None, [tag_three]])
    assert [e.topics[2] for e in found] == [tag_three]


def test_blocks_outside_the_range_are_not_returned(chain_node, dev_accounts, pinger_address):
    first = burst(chain_node, dev_accounts[0], 1, pinger_address, 1)
    burst(chain_node, dev_accounts[0], 2, pinger_address, 1)
    found = chain_node.ledger.log_index.logs(0, first.number, [pinger_address])
    assert {e.header.block_number for e in found} == {first.number}


def test_rewound_blocks_leave_the_index(chain_node, dev_accounts, pinger_address):
    burst(chain_node, dev_accounts[0], 1, pinger_address, 2)
    chain_node.rewind(1)
    assert chain_node.ledger.log_index.logs(0, 10) == []


def test_a_block_indexed_as_rlp_by_an_earlier_version_still_reads(chain_node, dev_accounts, pinger_address):
    import rlp

    block = burst(chain_node, dev_accounts[0], 1, pinger_address, 2)
    index = chain_node.ledger.log_index
    current = index.block_logs(block.header)
    legacy = [[e.tx_hash, e.tx_index, e.address, list(e.topics), e.data] for e in current]
    chain_node.ledger.store[b"gl:log:blob:" + block.number.to_bytes(8, "big")] = rlp.encode(legacy)
    reopened = LogIndex(chain_node.ledger.store, chain_node.ledger.header_by_number)  # nothing decoded yet
    assert reopened.block_logs(block.header) == current


def test_a_block_rewound_and_replaced_at_the_same_height_reads_its_own_logs(chain_node, dev_accounts, pinger_address):
    first = burst(chain_node, dev_accounts[0], 1, pinger_address, 2)
    assert len(chain_node.ledger.log_index.logs(first.number, first.number)) == 2  # now decoded and remembered
    chain_node.rewind(first.number - 1)
    second = burst(chain_node, dev_accounts[0], 1, pinger_address, 3)
    assert second.number == first.number
    assert len(chain_node.ledger.log_index.logs(first.number, first.number)) == 3


def test_a_log_with_no_topics_and_long_data_round_trips(chain_node, dev_accounts):
    # LOG0 of 300 bytes of memory: PUSH2 300 PUSH1 0 LOG0 STOP, as creation code
    tx = {"type": 2, "chainId": CHAIN_ID, "nonce": 0, "data": "0x61012c6000a000", "gas": 100_000,
          "maxFeePerGas": 10**11, "maxPriorityFeePerGas": 10**9}
    chain_node.submit(bytes(dev_accounts[1].sign_transaction(tx).raw_transaction))
    block = chain_node.produce().block
    (entry,) = chain_node.ledger.log_index.block_logs(block.header)
    assert (entry.topics, entry.data, entry.tx_index) == ((), b"\0" * 300, 0)
