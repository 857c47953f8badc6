"""Methods tools expect beyond eth_: txpool_* (geth's shapes) and clique_getSigners."""

from eth_utils import to_checksum_address

from gigledger_node.cli import DEV_AUTHORITY_KEY

RECIPIENT = to_checksum_address("0x" + "42" * 20)


def test_txpool_status_counts_executable_as_pending_and_gapped_as_queued(chain_node, local_rpc, dev_accounts, transfer):
    for nonce in (0, 1, 5):
        chain_node.submit(transfer(dev_accounts[0], nonce))
    assert local_rpc("txpool_status")["result"] == {"pending": "0x2", "queued": "0x1"}


def test_txpool_content_groups_transactions_by_account_and_decimal_nonce(chain_node, local_rpc, dev_accounts, transfer):
    pending_hash = chain_node.submit(transfer(dev_accounts[1], 0))
    queued_hash = chain_node.submit(transfer(dev_accounts[1], 3))
    content = local_rpc("txpool_content")["result"]
    sender = dev_accounts[1].address
    assert content["pending"][sender]["0"]["hash"] == "0x" + pending_hash.hex()
    assert content["queued"][sender]["3"]["hash"] == "0x" + queued_hash.hex()
    assert content["pending"][sender]["0"]["blockHash"] is None


def test_txpool_inspect_summarises_each_transaction_as_geth_does(chain_node, local_rpc, dev_accounts, transfer):
    chain_node.submit(transfer(dev_accounts[2], 0, value=7))
    summary = local_rpc("txpool_inspect")["result"]["pending"][dev_accounts[2].address]["0"]
    assert summary == f"{RECIPIENT}: 7 wei + 21000 gas × {10**11} wei"


def test_txpool_is_empty_once_its_transactions_are_mined(chain_node, local_rpc, dev_accounts, transfer):
    chain_node.submit(transfer(dev_accounts[0], 0))
    chain_node.produce()
    assert local_rpc("txpool_content")["result"] == {"pending": {}, "queued": {}}


def test_clique_get_signers_lists_the_genesis_authorities(local_rpc):
    assert local_rpc("clique_getSigners", "latest")["result"] == [DEV_AUTHORITY_KEY.public_key.to_checksum_address()]


def test_clique_get_signers_of_an_unknown_block_is_an_error(local_rpc):
    assert local_rpc("clique_getSigners", "0x99")["error"] == {"code": -32000, "message": "unknown block"}


def test_pending_transaction_filter_returns_each_admitted_hash_once(local_rpc, dev_accounts, transfer):
    filter_id = local_rpc("eth_newPendingTransactionFilter")["result"]
    sent = [local_rpc("eth_sendRawTransaction", "0x" + transfer(dev_accounts[0], n).hex())["result"] for n in (0, 1)]
    assert local_rpc("eth_getFilterChanges", filter_id)["result"] == sent
    assert local_rpc("eth_getFilterChanges", filter_id)["result"] == []


def test_pending_transaction_filter_ignores_refused_transactions(local_rpc, dev_accounts, transfer):
    filter_id = local_rpc("eth_newPendingTransactionFilter")["result"]
    local_rpc("eth_sendRawTransaction", "0x" + transfer(dev_accounts[4], 0).hex())  # not on the allowlist
    assert local_rpc("eth_getFilterChanges", filter_id)["result"] == []


# -- eth_createAccessList (on the shared dev node, against the Pinger contract) ---------


def access_list_for(dev_node, pinger, sender, call) -> dict:
    request = {"from": sender.address, "to": pinger.address, "data": call._encode_transaction_data()}
    return dev_node.rpc("eth_createAccessList", request, "latest")["result"]


def test_access_list_names_the_slots_a_call_writes_and_not_the_sender(dev_node, pinger, dev_accounts):
    found = access_list_for(dev_node, pinger, dev_accounts[0], pinger.functions.ping(1, 2))
    assert found["accessList"] == [{"address": pinger.address.lower(), "storageKeys": ["0x" + "00" * 32]}]
    assert "error" not in found


def test_a_transaction_sent_with_the_list_uses_exactly_the_gas_it_reported(dev_node, w3, pinger, dev_accounts):
    sender = dev_accounts[4]
    call = pinger.functions.ping(3, 4)
    found = access_list_for(dev_node, pinger, sender, call)
    tx = {
        "type": 2, "chainId": 1337, "nonce": w3.eth.get_transaction_count(sender.address, "pending"),
        "to": pinger.address, "data": call._encode_transaction_data(), "value": 0,
        "gas": int(found["gasUsed"], 16), "maxFeePerGas": 10**11, "maxPriorityFeePerGas": 10**9,
        "accessList": found["accessList"],
    }
    tx_hash = w3.eth.send_raw_transaction(sender.sign_transaction(tx).raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=20)
    assert receipt.status == 1 and receipt.gasUsed == int(found["gasUsed"], 16)


def test_a_plain_transfer_needs_no_access_list(dev_node, dev_accounts):
    found = dev_node.rpc("eth_createAccessList", {"from": dev_accounts[0].address, "to": dev_accounts[1].address, "value": "0x1"})["result"]
    assert found == {"accessList": [], "gasUsed": hex(21_000)}


def test_a_reverting_call_reports_the_revert_beside_its_list(dev_node, pinger, dev_accounts):
    found = access_list_for(dev_node, pinger, dev_accounts[0], pinger.functions.fail())
    assert found["error"] == "execution reverted: pinger: asked to fail"
