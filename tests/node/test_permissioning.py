"""Allowlist: Besu's file format, changes and refusals."""

import contextlib
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from gigledger_node.chain.permissioning import ACCOUNTS_KEY, Allowlist, AllowlistError, write_permissions_file

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


# -- a careless operator ---------------------------------------------------------------

CHECKSUMMED = "0x52908400098527886E0F7030069857D2E4169EE7"  # an EIP-55 test vector
WRONG_CHECKSUM = "0x52908400098527886e0F7030069857D2E4169EE7"


@pytest.mark.parametrize(
    "bad",
    [
        "aa" * 20,  # no 0x
        "0X" + "aa" * 20,
        "0x" + "aa" * 19,
        "0x" + "aa" * 21,
        "0x" + "gg" * 20,
        " 0x" + "aa" * 20,
        WRONG_CHECKSUM,
        42,
        None,
        ["0x" + "aa" * 20],
    ],
)
def test_an_invalid_address_is_refused_and_changes_nothing(allowlist, bad):
    before = allowlist.path.read_text()
    with pytest.raises(AllowlistError, match="Request contains an invalid account"):
        allowlist.add([B, bad])
    assert allowlist.accounts() == [A] and allowlist.path.read_text() == before


@pytest.mark.parametrize("spelling", [CHECKSUMMED, CHECKSUMMED.lower(), "0x" + CHECKSUMMED[2:].upper()])
def test_addresses_are_checksum_insensitive_and_stored_lowercase(allowlist, spelling):
    allowlist.add([spelling])
    assert allowlist.accounts() == [A, CHECKSUMMED.lower()] and allowlist.allows(CHECKSUMMED)


def test_the_same_account_in_two_spellings_is_a_duplicate(allowlist):
    with pytest.raises(AllowlistError, match="Request contains duplicate accounts"):
        allowlist.add([CHECKSUMMED, CHECKSUMMED.lower()])


@pytest.mark.parametrize(
    "content",
    [
        'nodes-allowlist=["enode://x@1.2.3.4:30303"]\n',  # no accounts-allowlist
        'accounts-allowlist="0x' + "bb" * 20 + '"\n',  # a string, not a list
        "accounts-allowlist=[1, 2]\n",
        'accounts-allowlist=["' + "bb" * 20 + '"]\n',  # an entry without 0x
        "accounts-allowlist=[\n",  # not TOML
        "",
    ],
    ids=["missing", "string", "numbers", "no-0x", "not-toml", "empty-file"],
)
def test_reloading_a_broken_file_is_an_error_that_keeps_the_current_list(allowlist, content):
    allowlist.path.write_text(content)
    with pytest.raises(AllowlistError, match="Error reloading permissions file"):
        allowlist.reload()
    assert allowlist.accounts() == [A] and allowlist.allows(A)


def test_reloading_an_empty_list_empties_the_allowlist(allowlist):
    allowlist.path.write_text("accounts-allowlist=[]\n")
    allowlist.reload()
    assert allowlist.accounts() == []


UNKNOWN_KEYS = (
    'nodes-allowlist=["enode://x@1.2.3.4:30303"]\n'
    'some-flag=true\nretries=3\nlabel="a \\"quoted\\" name"\n'
    "[extra]\nnested=[1, 2]\n"
)


def test_unknown_besu_keys_of_any_type_survive_a_reload_and_later_changes(allowlist):
    import tomllib

    allowlist.path.write_text(f'accounts-allowlist=["{A}"]\n' + UNKNOWN_KEYS)
    allowlist.reload()
    allowlist.add([B])
    allowlist.remove([A])
    rewritten = tomllib.loads(allowlist.path.read_text())
    assert rewritten == {**tomllib.loads(UNKNOWN_KEYS), "accounts-allowlist": [B]}


def test_a_change_while_the_file_is_broken_is_an_error_that_keeps_list_and_file(allowlist):
    allowlist.path.write_text("accounts-allowlist=[\n")
    with pytest.raises(AllowlistError, match="Unable to persist changes"):
        allowlist.add([B])
    assert allowlist.accounts() == [A] and allowlist.path.read_text() == "accounts-allowlist=[\n"


toml_scalars = (
    st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.dates()
)
toml_keys = st.text(min_size=1, max_size=12).filter(lambda k: k != ACCOUNTS_KEY)
toml_values = st.recursive(
    toml_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(toml_keys, inner, max_size=3), max_leaves=8
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(others=st.dictionaries(toml_keys, toml_values, max_size=4))
def test_any_other_keys_in_the_file_are_rewritten_unchanged(allowlist, others):
    import tomllib

    write_permissions_file(allowlist.path, {ACCOUNTS_KEY: [A], **others})
    allowlist.reload()
    allowlist.add([B])
    allowlist.remove([B])
    assert tomllib.loads(allowlist.path.read_text()) == {ACCOUNTS_KEY: [A], **others}


# -- any sequence of operator actions ------------------------------------------------------

ACCOUNTS = ["0x" + f"{n:02x}" * 20 for n in (0xA1, 0xB2, 0xC3, 0xD4)]
SPELLINGS = ACCOUNTS + [a.upper().replace("0X", "0x") for a in ACCOUNTS] + ["a1" * 20, "0x12", WRONG_CHECKSUM, 7]
BROKEN_FILES = ["", "accounts-allowlist=[\n", 'accounts-allowlist="0x"\n', 'nodes-allowlist=["enode://x"]\n']


class OperatorMachine(RuleBasedStateMachine):
    """Whatever an operator adds, removes, reloads or breaks, the allowlist in force is the
    one the last successful change or reload left, and the file agrees with it."""

    def __init__(self) -> None:
        super().__init__()
        self.path = Path(tempfile.mkdtemp()) / "permissions_config.toml"
        self.allowlist = Allowlist.create(self.path, [])
        self.expected: list[str] = []
        self.file_in_step = True

    @rule(accounts=st.lists(st.sampled_from(SPELLINGS), max_size=3))
    def add(self, accounts):
        with contextlib.suppress(AllowlistError):
            self.allowlist.add(accounts)
            self.expected += [a.lower() for a in accounts]
            self.file_in_step = True  # a successful change rewrites the file

    @rule(accounts=st.lists(st.sampled_from(SPELLINGS), max_size=3))
    def remove(self, accounts):
        with contextlib.suppress(AllowlistError):
            self.allowlist.remove(accounts)
            self.expected = [a for a in self.expected if a not in {x.lower() for x in accounts}]
            self.file_in_step = True

    @rule(content=st.sampled_from(BROKEN_FILES))
    def break_the_file_and_reload(self, content):
        self.path.write_text(content)
        self.file_in_step = False
        with pytest.raises(AllowlistError):
            self.allowlist.reload()

    @rule(accounts=st.lists(st.sampled_from(ACCOUNTS), unique=True, max_size=4))
    def hand_edit_and_reload(self, accounts):
        self.path.write_text(f"accounts-allowlist={json.dumps(accounts)}\nnodes-allowlist=[]\n")
        self.allowlist.reload()
        self.expected, self.file_in_step = list(accounts), True

    @invariant()
    def the_list_in_force_is_the_last_good_one(self):
        assert self.allowlist.accounts() == self.expected
        assert all(self.allowlist.allows(a.upper().replace("0X", "0x")) for a in self.expected)

    @invariant()
    def the_file_agrees_with_the_list_in_force(self):
        if self.file_in_step:
            assert Allowlist(self.path).accounts() == self.expected


TestOperatorMachine = OperatorMachine.TestCase
TestOperatorMachine.settings = settings(max_examples=60, stateful_step_count=20, deadline=None)
