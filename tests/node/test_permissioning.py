"""Allowlist: Besu's file format, changes and refusals."""

import pytest

from gigledger_node.chain.permissioning import Allowlist, AllowlistError

A = "0x" + "aa" * 20
B = "0x" + "bb" * 20


@pytest.fixture
def allowlist(tmp_path):
    return Allowlist.create(tmp_path / "permissions_config.toml", [A])


def test_listed_account_is_allowed_in_any_case(allowlist):
    assert allowlist.allows(A.upper().replace("0X", "0x"))


def test_unlisted_account_is_not_allowed(allowlist):
    assert not allowlist.allows(B)


def test_added_account_is_allowed_and_persisted(tmp_path, allowlist):
    allowlist.add([B])
    assert Allowlist(allowlist.path).allows(B)


def test_removed_account_is_no_longer_allowed(allowlist):
    allowlist.remove([A])
    assert not allowlist.allows(A)


def test_adding_an_existing_account_is_refused_as_besu_does(allowlist):
    with pytest.raises(AllowlistError, match="Cannot add an existing account to allowlist"):
        allowlist.add([A])


def test_removing_an_absent_account_is_refused_as_besu_does(allowlist):
    with pytest.raises(AllowlistError, match="Cannot remove an absent account from allowlist"):
        allowlist.remove([B])


def test_invalid_account_is_refused(allowlist):
    with pytest.raises(AllowlistError, match="Request contains an invalid account"):
        allowlist.add(["0x1234"])


def test_reload_picks_up_a_hand_edited_file(allowlist):
    allowlist.path.write_text(f'accounts-allowlist=["{B}"]\n')
    allowlist.reload()
    assert allowlist.accounts() == [B]


def test_rewriting_keeps_besus_other_keys(allowlist):
    allowlist.path.write_text(f'accounts-allowlist=["{A}"]\nnodes-allowlist=["enode://x@1.2.3.4:30303"]\n')
    allowlist.reload()
    allowlist.add([B])
    assert 'nodes-allowlist=["enode://x@1.2.3.4:30303"]' in allowlist.path.read_text()
