"""web3.py against a real `gigledger-node start --dev` process."""

import pytest
from web3.exceptions import ContractLogicError

from gigledger.seal import is_sealed_by
from gigledger_node.cli import DEV_AUTHORITY_KEY, DEV_CHAIN_ID

RECIPIENT = "0x" + "42" * 20


def test_chain_id_is_the_dev_chain_id(w3):
    assert w3.eth.chain_id == DEV_CHAIN_ID


def test_eth_accounts_lists_the_ten_standard_dev_accounts(w3, dev_accounts):
    assert w3.eth.accounts == [a.address for a in dev_accounts]


def test_dev_accounts_start_with_ten_thousand_ether(w3, dev_accounts):
    assert w3.eth.get_balance(dev_accounts[9].address, 0) == w3.to_wei(10_000, "ether")


def test_send_transaction_is_mined_and_its_receipt_served(w3, dev_accounts):
    tx_hash = w3.eth.send_transaction({"from": dev_accounts[1].address, "to": RECIPIENT, "value": 5})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=20)
    assert receipt.status == 1 and receipt.gasUsed == 21_000


def test_raw_transaction_moves_value(w3, dev_accounts, transfer):
    sender = dev_accounts[2]
    before = w3.eth.get_balance(RECIPIENT)
    nonce = w3.eth.get_transaction_count(sender.address, "pending")
    tx_hash = w3.eth.send_raw_transaction(transfer(sender, nonce, value=7))
    w3.eth.wait_for_transaction_receipt(tx_hash, timeout=20)
    assert w3.eth.get_balance(RECIPIENT) == before + 7


def test_web3_reads_blocks_without_the_poa_middleware(w3, pinger):
    assert len(w3.eth.get_block("latest").extraData) == 32


def test_blocks_carry_a_seal_that_verifies_against_the_authority(w3, pinger):
    block = w3.eth.get_block("latest")
    raw = w3.provider.make_request("eth_getBlockByNumber", [hex(block.number), False])["result"]
    authority = DEV_AUTHORITY_KEY.public_key.to_checksum_address()
    assert is_sealed_by(raw, [authority])


def test_full_transactions_in_a_block_match_by_hash(w3, dev_accounts):
    tx_hash = w3.eth.send_transaction({"from": dev_accounts[3].address, "to": RECIPIENT, "value": 1})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=20)
    block = w3.eth.get_block(receipt.blockNumber, full_transactions=True)
    assert tx_hash in [tx.hash for tx in block.transactions]


def test_contract_call_reads_what_a_transaction_stored(w3, pinger, dev_accounts):
    tx_hash = pinger.functions.ping(1, 99).transact({"from": dev_accounts[0].address})
    w3.eth.wait_for_transaction_receipt(tx_hash, timeout=20)
    assert pinger.functions.last().call() == 99


def test_reverting_call_raises_contract_logic_error_with_the_reason(pinger):
    with pytest.raises(ContractLogicError, match="pinger: asked to fail"):
        pinger.functions.fail().call()


def test_reverting_estimate_raises_contract_logic_error_with_the_reason(pinger, dev_accounts):
    with pytest.raises(ContractLogicError, match="pinger: asked to fail"):
        pinger.functions.fail().estimate_gas({"from": dev_accounts[0].address})


def test_estimated_gas_is_enough_and_tight(w3, pinger, dev_accounts):
    sender = dev_accounts[4].address
    estimate = pinger.functions.ping(2, 5).estimate_gas({"from": sender})
    receipt = w3.eth.wait_for_transaction_receipt(
        pinger.functions.ping(2, 5).transact({"from": sender, "gas": estimate}), timeout=20
    )
    assert receipt.status == 1 and estimate - receipt.gasUsed < 5_000


def test_get_logs_filters_by_indexed_topic(w3, pinger, dev_accounts):
    sender = dev_accounts[5].address
    for tag in (7, 8, 7):
        tx_hash = pinger.functions.ping(tag, tag).transact({"from": sender})
    w3.eth.wait_for_transaction_receipt(tx_hash, timeout=20)
    events = pinger.events.Pinged.get_logs(from_block=0, argument_filters={"tag": 7, "sender": sender})
    assert [e.args.tag for e in events] == [7, 7]


def test_log_filter_returns_only_new_logs_on_each_poll(w3, pinger, dev_accounts):
    log_filter = pinger.events.Pinged.create_filter(from_block="latest")
    tx_hash = pinger.functions.ping(11, 1).transact({"from": dev_accounts[6].address})
    w3.eth.wait_for_transaction_receipt(tx_hash, timeout=20)
    assert [e.args.tag for e in log_filter.get_new_entries()] == [11]
    assert log_filter.get_new_entries() == []


def test_block_filter_reports_new_block_hashes(w3, dev_accounts):
    block_filter = w3.eth.filter("latest")
    tx_hash = w3.eth.send_transaction({"from": dev_accounts[7].address, "to": RECIPIENT, "value": 1})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=20)
    assert receipt.blockHash in block_filter.get_new_entries()


def test_pending_nonce_counts_transactions_not_yet_mined(w3, dev_accounts, dev_node, transfer):
    sender = dev_accounts[8]
    nonce = w3.eth.get_transaction_count(sender.address, "pending")
    held = dev_node.rpc("eth_sendRawTransaction", "0x" + transfer(sender, nonce + 1).hex())["result"]  # a gap
    pending = w3.eth.get_transaction_count(sender.address, "pending")
    # Fill the gap, so the shared dev node holds nothing of this account's for later tests.
    dev_node.wait_for_receipt(dev_node.rpc("eth_sendRawTransaction", "0x" + transfer(sender, nonce).hex())["result"])
    dev_node.wait_for_receipt(held)
    assert pending == nonce


def test_fee_history_reports_base_fees_and_rewards(w3):
    history = w3.eth.fee_history(2, "latest", [50])
    assert len(history.baseFeePerGas) == 3 and len(history.reward) == 2


def test_syncing_is_false(w3):
    assert w3.eth.syncing is False


def test_unknown_transaction_has_no_receipt_yet(dev_node):
    assert dev_node.rpc("eth_getTransactionReceipt", "0x" + "00" * 32)["result"] is None


def test_call_at_latest_runs_in_the_latest_blocks_context(w3, pinger):
    stamp = w3.eth.get_block("latest").timestamp + 100
    w3.provider.make_request("evm_setNextBlockTimestamp", [stamp])
    w3.provider.make_request("evm_mine", [])
    assert pinger.functions.now().call(block_identifier="latest") == stamp


def test_call_at_pending_runs_in_the_next_block_at_its_time(w3, pinger):
    stamp = w3.eth.get_block("latest").timestamp + 1000
    w3.provider.make_request("evm_setNextBlockTimestamp", [stamp])
    try:
        assert pinger.functions.now().call(block_identifier="pending") == stamp
    finally:
        w3.provider.make_request("evm_mine", [])
