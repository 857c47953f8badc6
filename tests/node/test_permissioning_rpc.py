"""Allowlist and admin token over JSON-RPC, on a production-mode node."""

from gigledger_node.rpc.errors import SenderNotAuthorized, Unauthorized

CHAIN_ID = 4242  # the operator_dir genesis config


def send(node, raw: bytes) -> dict:
    return node.rpc("eth_sendRawTransaction", "0x" + raw.hex())


def test_sender_off_the_allowlist_gets_besus_error(operator_node, dev_accounts, transfer):
    answer = send(operator_node, transfer(dev_accounts[4], 0, chain_id=CHAIN_ID))
    assert answer["error"] == {"code": -32007, "message": SenderNotAuthorized.message}


def test_refused_sender_keeps_its_pending_nonce(operator_node, dev_accounts, transfer):
    outsider = dev_accounts[4]
    send(operator_node, transfer(outsider, 0, chain_id=CHAIN_ID))
    assert operator_node.rpc("eth_getTransactionCount", outsider.address, "pending")["result"] == "0x0"


def test_allowed_sender_is_mined(operator_node, dev_accounts, transfer):
    tx_hash = send(operator_node, transfer(dev_accounts[0], 0, chain_id=CHAIN_ID))["result"]
    assert operator_node.wait_for_receipt(tx_hash)["status"] == "0x1"


def test_admin_adds_an_account_and_it_may_then_send(operator_node, admin_token, dev_accounts, transfer):
    outsider = dev_accounts[4]
    added = operator_node.rpc("perm_addAccountsToAllowlist", [outsider.address], token=admin_token)
    tx_hash = send(operator_node, transfer(outsider, 0, chain_id=CHAIN_ID))["result"]
    assert added["result"] == "Success" and operator_node.wait_for_receipt(tx_hash)


def test_admin_removes_an_account_and_it_is_refused(operator_node, admin_token, dev_accounts, transfer):
    operator_node.rpc("perm_removeAccountsFromAllowlist", [dev_accounts[0].address], token=admin_token)
    assert send(operator_node, transfer(dev_accounts[0], 0, chain_id=CHAIN_ID))["error"]["code"] == -32007


def test_allowlist_is_listed_for_the_admin(operator_node, admin_token, dev_accounts):
    listed = operator_node.rpc("perm_getAccountsAllowlist", token=admin_token)["result"]
    assert listed == [a.address.lower() for a in dev_accounts[:3]]


def test_reload_applies_a_hand_edited_permissions_file(operator_node, operator_dir, admin_token, dev_accounts):
    (operator_dir / "permissions_config.toml").write_text(f'accounts-allowlist=["{dev_accounts[4].address}"]\n')
    operator_node.rpc("perm_reloadPermissionsFromFile", token=admin_token)
    listed = operator_node.rpc("perm_getAccountsAllowlist", token=admin_token)["result"]
    assert listed == [dev_accounts[4].address.lower()]


def test_admin_methods_without_the_token_answer_an_error_not_a_result(operator_node):
    answer = operator_node.rpc("perm_getAccountsAllowlist")
    assert "result" not in answer and answer["error"]["code"] == Unauthorized.code


def test_admin_methods_with_a_wrong_token_answer_an_error(operator_node, dev_accounts):
    answer = operator_node.rpc("perm_addAccountsToAllowlist", [dev_accounts[4].address], token="guess")
    assert answer["error"]["code"] == Unauthorized.code


def test_dev_methods_do_not_exist_without_dev(operator_node):
    assert operator_node.rpc("evm_snapshot")["error"]["code"] == -32601


def test_eth_accounts_is_empty_without_dev(operator_node):
    assert operator_node.rpc("eth_accounts")["result"] == []


def test_send_transaction_does_not_exist_without_dev(operator_node, dev_accounts):
    answer = operator_node.rpc("eth_sendTransaction", {"from": dev_accounts[0].address, "to": dev_accounts[1].address})
    assert answer["error"]["code"] == -32601


# -- a careless operator ---------------------------------------------------------------

INVALID_ACCOUNT = {"code": -32000, "message": "Request contains an invalid account"}


def test_an_address_without_0x_is_refused_and_the_list_is_unchanged(local_rpc, dev_accounts):
    before = local_rpc("perm_getAccountsAllowlist", admin=True)["result"]
    answer = local_rpc("perm_addAccountsToAllowlist", [dev_accounts[4].address[2:]], admin=True)
    assert answer["error"] == INVALID_ACCOUNT
    assert local_rpc("perm_getAccountsAllowlist", admin=True)["result"] == before


def test_a_mixed_case_address_with_a_wrong_checksum_is_refused(local_rpc, dev_accounts):
    address = dev_accounts[4].address
    flipped = address[:2] + "".join(c.swapcase() if c.isalpha() else c for c in address[2:])
    assert local_rpc("perm_addAccountsToAllowlist", [flipped], admin=True)["error"] == INVALID_ACCOUNT


def test_one_bad_address_in_a_batch_adds_none_of_them(local_rpc, dev_accounts):
    local_rpc("perm_addAccountsToAllowlist", [dev_accounts[4].address, "0x1234"], admin=True)
    assert dev_accounts[4].address.lower() not in local_rpc("perm_getAccountsAllowlist", admin=True)["result"]


def test_an_added_address_is_stored_lowercase_and_its_sender_admitted(chain_node, local_rpc, dev_accounts, transfer):
    local_rpc("perm_addAccountsToAllowlist", [dev_accounts[4].address.upper().replace("0X", "0x")], admin=True)
    assert dev_accounts[4].address.lower() in local_rpc("perm_getAccountsAllowlist", admin=True)["result"]
    assert "result" in local_rpc("eth_sendRawTransaction", "0x" + transfer(dev_accounts[4], 0).hex())


def test_accounts_that_are_not_a_list_are_invalid_params_and_later_changes_still_work(local_rpc, dev_accounts):
    assert local_rpc("perm_addAccountsToAllowlist", dev_accounts[4].address, admin=True)["error"]["code"] == -32602
    assert local_rpc("perm_addAccountsToAllowlist", [dev_accounts[4].address], admin=True)["result"] == "Success"


def test_removing_goes_through_the_node_so_pooled_transactions_can_be_purged(chain_node, local_rpc, dev_accounts, monkeypatch):
    removed = []
    monkeypatch.setattr(chain_node, "remove_from_allowlist", removed.append)
    local_rpc("perm_removeAccountsFromAllowlist", [dev_accounts[0].address], admin=True)
    assert removed == [[dev_accounts[0].address]]


def test_reloading_a_file_without_accounts_allowlist_keeps_the_list_in_force(operator_node, operator_dir, admin_token, dev_accounts, transfer):
    (operator_dir / "permissions_config.toml").write_text('nodes-allowlist=["enode://x@1.2.3.4:30303"]\n')
    error = operator_node.rpc("perm_reloadPermissionsFromFile", token=admin_token)["error"]
    assert error["code"] == -32000 and "accounts-allowlist is missing" in error["message"]
    assert operator_node.rpc("perm_getAccountsAllowlist", token=admin_token)["result"] == [a.address.lower() for a in dev_accounts[:3]]
    tx_hash = send(operator_node, transfer(dev_accounts[0], 0, chain_id=CHAIN_ID))["result"]
    assert operator_node.wait_for_receipt(tx_hash)["status"] == "0x1"
