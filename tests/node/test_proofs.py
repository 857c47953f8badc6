"""eth_getProof (EIP-1186): every proof verifies against its block's stateRoot, with
nothing but the header and the proof (as an auditor would check it)."""

import pytest
import rlp
from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3
from eth.rlp.accounts import Account
from eth_utils import keccak, to_bytes, to_canonical_address
from trie import HexaryTrie
from trie.exceptions import BadTrieProof

STRANGER = "0x" + "5e" * 20


def nodes(proof: list[str]) -> list:
    return [rlp.decode(to_bytes(hexstr=node)) for node in proof]


def verified(root: str, key: bytes, proof: list[str]) -> bytes:
    """The value the proof shows under ``key`` in the trie with ``root`` (b"" if absent)."""
    return HexaryTrie.get_from_proof(to_bytes(hexstr=root), keccak(key), nodes(proof))


def state_root(node, block="latest") -> str:
    return node.rpc("eth_getBlockByNumber", block, False)["result"]["stateRoot"]


@pytest.fixture
def stored(w3, pinger, dev_accounts):
    """Pinger's slot 0 (``last``) set to a fresh value in the newest block."""
    value = 4242 + w3.eth.block_number
    tx_hash = pinger.functions.ping(1, value).transact({"from": dev_accounts[0].address})
    w3.eth.wait_for_transaction_receipt(tx_hash, timeout=20)
    return value


def test_account_proof_verifies_against_the_state_root(dev_node, dev_accounts):
    address = dev_accounts[0].address
    answer = dev_node.rpc("eth_getProof", address, [], "latest")["result"]
    account = rlp.decode(verified(state_root(dev_node), to_canonical_address(address), answer["accountProof"]), sedes=Account)
    assert (hex(account.nonce), hex(account.balance)) == (answer["nonce"], answer["balance"])
    assert answer["balance"] == dev_node.rpc("eth_getBalance", address, "latest")["result"]


def test_storage_proof_verifies_against_the_accounts_storage_root(dev_node, pinger, stored):
    answer = dev_node.rpc("eth_getProof", pinger.address, ["0x0"], "latest")["result"]
    account = rlp.decode(verified(state_root(dev_node), to_canonical_address(pinger.address), answer["accountProof"]), sedes=Account)
    assert "0x" + account.storage_root.hex() == answer["storageHash"]
    (slot,) = answer["storageProof"]
    proven = rlp.decode(verified(answer["storageHash"], (0).to_bytes(32, "big"), slot["proof"]))
    assert int.from_bytes(proven, "big") == int(slot["value"], 16) == stored
    assert account.code_hash == keccak(to_bytes(hexstr=dev_node.rpc("eth_getCode", pinger.address, "latest")["result"]))


def test_an_absent_account_is_proven_absent(dev_node):
    answer = dev_node.rpc("eth_getProof", STRANGER, ["0x1"], "latest")["result"]
    assert verified(state_root(dev_node), to_canonical_address(STRANGER), answer["accountProof"]) == b""
    assert answer["codeHash"] == "0x" + EMPTY_SHA3.hex() and answer["storageHash"] == "0x" + BLANK_ROOT_HASH.hex()
    assert answer["storageProof"] == [{"key": "0x1", "value": "0x0", "proof": []}]


def test_an_unset_slot_is_proven_zero(dev_node, pinger, stored):
    answer = dev_node.rpc("eth_getProof", pinger.address, ["0x" + "77" * 32], "latest")["result"]
    (slot,) = answer["storageProof"]
    assert slot["value"] == "0x0" and verified(answer["storageHash"], bytes.fromhex("77" * 32), slot["proof"]) == b""


def test_a_proof_at_an_older_block_shows_that_blocks_state(dev_node, pinger, stored, w3, dev_accounts):
    before = hex(w3.eth.block_number)
    pinger.functions.ping(1, stored + 1).transact({"from": dev_accounts[0].address})
    w3.eth.wait_for_transaction_receipt(pinger.functions.ping(2, stored + 1).transact({"from": dev_accounts[0].address}))
    answer = dev_node.rpc("eth_getProof", pinger.address, ["0x0"], before)["result"]
    (slot,) = answer["storageProof"]
    assert int(slot["value"], 16) == stored
    verified(state_root(dev_node, before), to_canonical_address(pinger.address), answer["accountProof"])


def test_a_proof_does_not_verify_against_another_blocks_root(dev_node, dev_accounts, stored):
    answer = dev_node.rpc("eth_getProof", dev_accounts[0].address, [], "latest")["result"]
    with pytest.raises(BadTrieProof):
        verified(state_root(dev_node, "0x0"), to_canonical_address(dev_accounts[0].address), answer["accountProof"])


@pytest.mark.parametrize(
    "keys", ["0x0", [42], ["0x" + "00" * 33], ["0xzz"], ["0x0"] * 1025], ids=["not-a-list", "number", "33-bytes", "not-hex", "too-many"]
)
def test_bad_storage_keys_are_invalid_params(dev_node, keys):
    assert dev_node.rpc("eth_getProof", "0x" + "11" * 20, keys, "latest")["error"]["code"] == -32602


def test_proof_of_an_unknown_block_is_an_error(dev_node):
    assert dev_node.rpc("eth_getProof", "0x" + "11" * 20, [], "0xffffff")["error"] == {"code": -32000, "message": "header not found"}
