"""Hostile and careless transactions against the chain half: each is refused with a
clear error or dropped from its block, and the node keeps sealing with state unchanged.

Adversaries: a careless member (two transactions that each fit the balance but not
together), a hostile member (an EIP-7702 relay for an unlisted account, blob and
calldata-floor tricks), and an operator who removes an account expecting it to stop.
"""

from __future__ import annotations

import pytest
from eth.vm.forks.prague.transactions import PragueTransactionBuilder as PragueBuilder
from eth.vm.forks.shanghai.constants import MAX_INITCODE_SIZE
from eth_account.signers.local import LocalAccount
from eth_keys import keys
from eth_utils import to_canonical_address
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gigledger_node.chain.calls import CallRequest, estimate_gas
from gigledger_node.chain.node import ChainNode
from gigledger_node.chain.permissioning import SenderNotAllowed
from gigledger_node.chain.txpool import AccountView, PooledTx, TxRejected, calldata_floor_gas, decode_transaction

from .conftest import POOL_LIFETIME, make_chain_node, reimport_blocks, sign_set_code, sign_transfer

DELEGATE = "0x" + "de" * 20
FEE = 21_000 * 10**11  # what sign_transfer's transfer may cost in gas


@pytest.fixture
def alice(dev_accounts) -> LocalAccount:
    return dev_accounts[0]


@pytest.fixture
def bob(dev_accounts) -> LocalAccount:
    return dev_accounts[1]


@pytest.fixture
def outsider(dev_accounts) -> LocalAccount:
    """Funded, but not on the allowlist."""
    return dev_accounts[3]


def address(account: LocalAccount) -> bytes:
    return to_canonical_address(account.address)


def balance(node: ChainNode, account: LocalAccount) -> int:
    return node.ledger.state_at(node.head()).get_balance(address(account))


def nonce(node: ChainNode, account: LocalAccount) -> int:
    return node.ledger.state_at(node.head()).get_nonce(address(account))


def code(node: ChainNode, account: LocalAccount) -> bytes:
    return node.ledger.state_at(node.head()).get_code(address(account))


def is_unknown(node: ChainNode, tx_hash: bytes) -> bool:
    """What eth_getTransactionByHash reads: neither pooled nor in a block."""
    return node.pool.get(tx_hash) is None and node.ledger.locate_transaction(tx_hash) is None


def force_into_pool(node: ChainNode, raw: bytes, balance: int = 10**30) -> bytes:
    """Pool a transaction as if admitted against an earlier, richer state: what the
    block builder meets when a balance was spent between admission and sealing."""
    pooled = decode_transaction(raw, node.ledger.chain_id)
    head = node.account_view(pooled.sender)
    node.pool.add(pooled, AccountView(head.nonce, balance, head.base_fee, head.block_gas_limit))
    return pooled.tx.hash


def assert_keeps_sealing(node: ChainNode, account: LocalAccount) -> None:
    """Another transaction still gets mined in the next block."""
    tx_hash = node.submit(sign_transfer(account, nonce(node, account), value=7))
    produced = node.produce()
    assert [tx.hash for tx in produced.block.transactions] == [tx_hash]


def spend_all(account: LocalAccount, node: ChainNode) -> bytes:
    """A transfer of everything the account holds beyond the gas it may pay: after
    it, only the unused part of that gas is left, too little for another transfer."""
    return sign_transfer(account, 0, value=balance(node, account) - FEE)


# -- 1. block production never stops because of a transaction ----------------------------


def test_second_spend_beyond_the_balance_is_refused_at_admission(chain_node, alice, bob):
    chain_node.submit(spend_all(alice, chain_node))
    with pytest.raises(TxRejected, match="^insufficient funds for gas \\* price \\+ value: balance"):
        chain_node.submit(sign_transfer(alice, 1, value=1))
    assert len(chain_node.produce().block.transactions) == 1
    assert_keeps_sealing(chain_node, bob)


def test_transaction_invalid_inside_its_block_is_dropped_and_the_rest_is_sealed(chain_node, alice, bob):
    first = force_into_pool(chain_node, spend_all(alice, chain_node))
    overdraft = force_into_pool(chain_node, sign_transfer(alice, 1, value=10**6))
    other = chain_node.submit(sign_transfer(bob, 0))
    produced = chain_node.produce()
    assert {tx.hash for tx in produced.block.transactions} == {first, other}
    assert produced.dropped == (overdraft,)
    assert is_unknown(chain_node, overdraft) and nonce(chain_node, alice) == 1


def test_block_after_a_dropped_transaction_is_sealed(chain_node, alice, bob):
    force_into_pool(chain_node, spend_all(alice, chain_node))
    force_into_pool(chain_node, sign_transfer(alice, 1, value=10**6))
    chain_node.produce()
    assert_keeps_sealing(chain_node, bob)


def test_senders_later_transactions_wait_behind_a_dropped_one(chain_node, alice, bob):
    force_into_pool(chain_node, spend_all(alice, chain_node))
    force_into_pool(chain_node, sign_transfer(alice, 1, value=10**6))
    later = force_into_pool(chain_node, sign_transfer(alice, 2, value=1))
    chain_node.produce()
    assert chain_node.pool.get(later) is not None and chain_node.ledger.locate_transaction(later) is None


def test_transactions_stranded_behind_a_dropped_one_leave_after_the_lifetime(aging_pool_node, clock, alice):
    force_into_pool(aging_pool_node, spend_all(alice, aging_pool_node))
    force_into_pool(aging_pool_node, sign_transfer(alice, 1, value=10**6))  # dropped in the block
    later = force_into_pool(aging_pool_node, sign_transfer(alice, 2, value=1))  # queued from then on
    clock.advance(POOL_LIFETIME - 1)
    aging_pool_node.produce()
    clock.advance(POOL_LIFETIME + 1)
    assert is_unknown(aging_pool_node, later) and len(aging_pool_node.pool) == 0


def test_blob_transaction_is_refused_as_unsupported(chain_node, alice, bob):
    with pytest.raises(TxRejected, match="^transaction type not supported: blob"):
        chain_node.submit(sign_transfer(alice, 0, type=3, **BLOB_FIELDS))
    assert len(chain_node.pool) == 0 and nonce(chain_node, alice) == 0
    assert_keeps_sealing(chain_node, bob)


BLOB_FIELDS = {"maxFeePerBlobGas": 10**9, "blobVersionedHashes": [b"\x02" + b"\0" * 31]}


def test_blob_transaction_that_reaches_a_block_is_dropped(chain_node, alice, bob):
    raw = sign_transfer(alice, 0, type=3, **BLOB_FIELDS)
    blob = PragueBuilder.decode(raw)
    head = chain_node.account_view(address(alice))
    chain_node.pool.add(PooledTx(blob, address(alice)), head)
    produced = chain_node.produce(allow_empty=True)
    assert produced.dropped == (blob.hash,) and is_unknown(chain_node, blob.hash)
    assert_keeps_sealing(chain_node, bob)


# -- 2. admission applies the block builder's rules --------------------------------------


def calldata_transfer(account: LocalAccount, nonce_: int, gas: int) -> bytes:
    return sign_transfer(account, nonce_, data="0x" + "ff" * 1000, gas=gas)


def test_gas_below_the_calldata_floor_is_refused(chain_node, alice):
    intrinsic = 21_000 + 16 * 1000
    assert intrinsic < calldata_floor_gas(b"\xff" * 1000)
    with pytest.raises(TxRejected, match="^insufficient gas for floor data gas cost"):
        chain_node.submit(calldata_transfer(alice, 0, gas=intrinsic))
    assert len(chain_node.pool) == 0


def test_transaction_at_the_calldata_floor_is_charged_within_its_gas_limit(chain_node, alice):
    floor = calldata_floor_gas(b"\xff" * 1000)
    chain_node.submit(calldata_transfer(alice, 0, gas=floor))
    block = chain_node.produce().block
    assert block.header.gas_used == floor <= block.header.gas_limit


def test_estimated_gas_covers_the_calldata_floor_so_the_transaction_is_mined(chain_node, alice):
    request = CallRequest(sender=address(alice), to=b"\x42" * 20, data=b"\xff" * 1000)
    gas = estimate_gas(chain_node.ledger, request, chain_node.head(), chain_node.clock.peek())
    chain_node.submit(calldata_transfer(alice, 0, gas=gas))
    assert chain_node.produce().block.header.gas_used == gas == calldata_floor_gas(b"\xff" * 1000)


def test_floor_breaking_transaction_that_reaches_a_block_is_dropped(chain_node, alice, bob):
    raw = calldata_transfer(alice, 0, gas=21_000 + 16 * 1000)
    tx = PragueBuilder.decode(raw)
    chain_node.pool.add(PooledTx(tx, address(alice)), chain_node.account_view(address(alice)))
    produced = chain_node.produce(allow_empty=True)
    assert produced.dropped == (tx.hash,) and nonce(chain_node, alice) == 0


def test_gas_above_the_block_gas_limit_is_refused(chain_node, alice):
    with pytest.raises(TxRejected, match="^exceeds block gas limit"):
        chain_node.submit(sign_transfer(alice, 0, gas=chain_node.head().gas_limit + 1))


def test_oversized_initcode_is_refused_instead_of_burning_its_gas(chain_node, alice):
    raw = sign_transfer(alice, 0, to=None, value=0, data="0x" + "00" * (MAX_INITCODE_SIZE + 1), gas=5_000_000)
    with pytest.raises(TxRejected, match="^max initcode size exceeded"):
        chain_node.submit(raw)
    assert balance(chain_node, alice) == 10**24


def test_set_code_transaction_without_authorizations_is_refused(chain_node, alice):
    unsigned = PragueBuilder.new_unsigned_set_code_transaction(
        chain_id=chain_node.ledger.chain_id,
        nonce=0,
        max_priority_fee_per_gas=10**9,
        max_fee_per_gas=10**11,
        gas=100_000,
        to=bytes.fromhex("42" * 20),
        value=0,
        data=b"",
        access_list=[],
        authorization_list=[],
    )  # eth_account refuses to sign this; a hostile client need not
    raw = unsigned.as_signed_transaction(keys.PrivateKey(alice.key)).encode()
    with pytest.raises(TxRejected, match="^EIP-7702 transaction with empty auth list"):
        chain_node.submit(raw)


# -- 3. permissioning covers every account a transaction acts for ------------------------


def test_relayed_authorization_of_an_unlisted_account_is_refused(chain_node, alice, outsider):
    with pytest.raises(SenderNotAllowed):
        chain_node.submit(sign_set_code(alice, 0, [outsider], DELEGATE))
    assert len(chain_node.pool) == 0


def test_refused_authorization_leaves_the_authority_untouched(chain_node, alice, bob, outsider):
    with pytest.raises(SenderNotAllowed):
        chain_node.submit(sign_set_code(alice, 0, [outsider], DELEGATE))
    assert_keeps_sealing(chain_node, bob)
    assert nonce(chain_node, outsider) == 0 and code(chain_node, outsider) == b""


def test_relayed_authorization_of_a_listed_account_takes_effect(chain_node, alice, bob):
    chain_node.submit(sign_set_code(alice, 0, [bob], DELEGATE))
    chain_node.produce()
    assert nonce(chain_node, bob) == 1 and code(chain_node, bob) == b"\xef\x01\x00" + bytes.fromhex("de" * 20)


def test_sender_removed_after_admission_is_not_mined(chain_node, alice, bob):
    refused = chain_node.submit(sign_transfer(alice, 0))
    chain_node.allowlist.remove([alice.address])  # as an operator's hand edit and reload
    assert_keeps_sealing(chain_node, bob)
    assert is_unknown(chain_node, refused) and nonce(chain_node, alice) == 0


def test_authority_removed_after_admission_is_not_mined(chain_node, alice, bob, dev_accounts):
    carol = dev_accounts[2]
    refused = chain_node.submit(sign_set_code(alice, 0, [carol], DELEGATE))
    chain_node.allowlist.remove([carol.address])
    assert_keeps_sealing(chain_node, bob)
    assert is_unknown(chain_node, refused) and code(chain_node, carol) == b""


def test_removing_an_account_purges_its_pooled_transactions(chain_node, alice, bob):
    pooled = [chain_node.submit(sign_transfer(alice, n)) for n in range(3)]
    chain_node.remove_from_allowlist([alice.address])
    assert all(is_unknown(chain_node, tx_hash) for tx_hash in pooled)
    assert not chain_node.allowlist.allows(alice.address)


def test_removing_an_authority_purges_transactions_acting_for_it(chain_node, alice, dev_accounts):
    carol = dev_accounts[2]
    relayed = chain_node.submit(sign_set_code(alice, 0, [carol], DELEGATE))
    chain_node.remove_from_allowlist([carol.address.lower()])
    assert is_unknown(chain_node, relayed)


def test_removing_an_absent_account_changes_nothing(chain_node, alice, outsider):
    from gigledger_node.chain.permissioning import AllowlistError

    pooled = chain_node.submit(sign_transfer(alice, 0))
    with pytest.raises(AllowlistError):
        chain_node.remove_from_allowlist([alice.address, outsider.address])
    assert chain_node.pool.get(pooled) is not None and chain_node.allowlist.allows(alice.address)


# -- 5. every sealed block re-imports through py-evm's validating import ------------------


def test_blocks_sealed_from_a_hostile_mix_reimport_on_a_fresh_chain(chain_node, alice, bob, dev_accounts, reimport):
    carol = dev_accounts[2]
    force_into_pool(chain_node, spend_all(alice, chain_node))
    force_into_pool(chain_node, sign_transfer(alice, 1, value=10**6))  # dropped in the block
    chain_node.submit(calldata_transfer(bob, 0, gas=calldata_floor_gas(b"\xff" * 1000)))
    chain_node.submit(sign_set_code(carol, 0, [bob], DELEGATE))
    chain_node.produce()
    chain_node.submit(sign_transfer(bob, nonce(chain_node, bob), to=bob.address, value=1))  # into its own delegated account
    chain_node.produce()
    chain_node.produce(allow_empty=True)
    assert reimport(chain_node) == 3


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["transfer", "overspend", "blob", "calldata", "set_code", "gapped", "replace", "revoke", "seal"]),
        st.integers(0, 2),  # which of the three allowed accounts
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_any_sequence_of_transactions_seals_blocks_that_reimport(tmp_path_factory, dev_accounts, actions):
    node = make_chain_node(tmp_path_factory.mktemp("property"), dev_accounts)
    try:
        for action, who in actions:
            _act(node, dev_accounts[who], dev_accounts[(who + 1) % 3], action)
        assert drains(node), "executable transactions were left unsealed"
        assert reimport_blocks(node, tmp_path_factory.mktemp("fresh")) == node.head().block_number
    finally:
        node.ledger.close()


def drains(node: ChainNode, most_blocks: int = 5) -> bool:
    """Seal until nothing executable is left; False if that takes over ``most_blocks``."""
    return any(node.produce() is None for _ in range(most_blocks))


def _act(node: ChainNode, account: LocalAccount, other: LocalAccount, action: str) -> None:
    next_nonce = node.pending_nonce(address(account))
    try:
        if action == "transfer":
            node.submit(sign_transfer(account, next_nonce, to=other.address, value=10**18))
        elif action == "overspend":
            force_into_pool(node, sign_transfer(account, next_nonce, value=balance(node, account)))
        elif action == "blob":
            blob = PragueBuilder.decode(sign_transfer(account, next_nonce, type=3, **BLOB_FIELDS))
            node.pool.add(PooledTx(blob, address(account)), node.account_view(address(account)))
        elif action == "calldata":
            node.submit(calldata_transfer(account, next_nonce, gas=calldata_floor_gas(b"\xff" * 1000)))
        elif action == "set_code":
            node.submit(sign_set_code(account, next_nonce, [other], DELEGATE))
        elif action == "gapped":
            node.submit(sign_transfer(account, next_nonce + 1))
        elif action == "replace":
            node.submit(sign_transfer(account, max(0, next_nonce - 1), maxFeePerGas=2 * 10**11, maxPriorityFeePerGas=2 * 10**9))
        elif action == "revoke":
            toggle_allowed(node, other)
        else:
            node.produce(allow_empty=True)
    except (TxRejected, SenderNotAllowed):
        pass  # a refusal is a fine outcome; what is sealed must still import


def toggle_allowed(node: ChainNode, account: LocalAccount) -> None:
    if node.allowlist.allows(account.address):
        node.remove_from_allowlist([account.address])
    else:
        node.allowlist.add([account.address])


# -- the same over JSON-RPC: the clear error, and the node keeps sealing -------------------


def send(node, raw: bytes) -> dict:
    return node.rpc("eth_sendRawTransaction", "0x" + raw.hex())


def pending_nonce(node, account: LocalAccount) -> int:
    return int(node.rpc("eth_getTransactionCount", account.address, "pending")["result"], 16)


def assert_rpc_node_keeps_sealing(node, account: LocalAccount, chain_id: int = 1337) -> None:
    answer = send(node, sign_transfer(account, pending_nonce(node, account), chain_id=chain_id))
    assert node.wait_for_receipt(answer["result"])["status"] == "0x1"


def test_blob_transaction_over_rpc_gets_a_clear_error_and_is_unknown(dev_node, dev_accounts):
    sender = dev_accounts[5]
    raw = sign_transfer(sender, pending_nonce(dev_node, sender), type=3, **BLOB_FIELDS)
    answer = send(dev_node, raw)
    assert answer["error"]["code"] == -32000 and "blob" in answer["error"]["message"]
    assert dev_node.rpc("eth_getTransactionByHash", "0x" + PragueBuilder.decode(raw).hash.hex())["result"] is None
    assert_rpc_node_keeps_sealing(dev_node, sender)


def test_relay_for_an_unlisted_account_over_rpc_is_refused_and_moves_nothing(dev_node, dev_accounts, stranger):
    relayer = dev_accounts[6]
    answer = send(dev_node, sign_set_code(relayer, pending_nonce(dev_node, relayer), [stranger], DELEGATE))
    assert answer["error"]["code"] == -32007
    assert_rpc_node_keeps_sealing(dev_node, relayer)
    assert pending_nonce(dev_node, stranger) == 0
    assert dev_node.rpc("eth_getCode", stranger.address, "latest")["result"] == "0x"


def test_removed_account_loses_its_pooled_transactions_over_rpc(operator_node, admin_token, dev_accounts):
    removed, other = dev_accounts[1], dev_accounts[2]
    gapped = send(operator_node, sign_transfer(removed, 1, chain_id=4242))["result"]  # waits for nonce 0
    operator_node.rpc("perm_removeAccountsFromAllowlist", [removed.address], token=admin_token)
    assert operator_node.rpc("eth_getTransactionByHash", gapped)["result"] is None
    assert_rpc_node_keeps_sealing(operator_node, other, chain_id=4242)


# -- a fault no transaction check catches ---------------------------------------------------


@pytest.fixture
def poisoned(monkeypatch):
    """poisoned(tx_hash): building any block that holds that transaction fails, as a
    py-evm fault outside the per-transaction checks would."""
    from gigledger_node.chain.producer import BlockProducer

    poison: set[bytes] = set()
    execute = BlockProducer._execute

    def failing_execute(vm, transactions, *rest):
        if poison.intersection(tx.hash for tx in transactions):
            raise RuntimeError("simulated py-evm fault")
        return execute(vm, transactions, *rest)

    monkeypatch.setattr(BlockProducer, "_execute", staticmethod(failing_execute))
    return poison.add


def test_transaction_that_breaks_block_building_is_dropped_and_the_rest_is_mined(chain_node, alice, bob, poisoned):
    others = [chain_node.submit(sign_transfer(alice, n)) for n in range(3)]
    poison = chain_node.submit(sign_transfer(bob, 0))
    poisoned(poison)
    assert drains(chain_node)
    assert is_unknown(chain_node, poison)
    assert all(chain_node.ledger.locate_transaction(tx_hash) for tx_hash in others)
    assert_keeps_sealing(chain_node, bob)
