"""Test-chain methods of --dev: snapshots, mining, clock, setHead."""

import pytest

from .conftest import NodeProcess

RECIPIENT = "0x" + "42" * 20


@pytest.fixture(scope="module")
def dev_chain(tmp_path_factory):
    """A dev node of this module's own, since these tests rewind history."""
    node = NodeProcess(["--dev", "--no-deploy"], tmp_path_factory.mktemp("dev-methods") / "node.log")
    yield node.start()
    node.stop()


@pytest.fixture
def dev(dev_chain):
    """The module's dev node, back at genesis for every test (debug_setHead)."""
    dev_chain.rpc("debug_setHead", "0x0")
    return dev_chain


def head(node) -> int:
    return int(node.rpc("eth_blockNumber")["result"], 16)


def send(node, account) -> str:
    tx = {"from": account.address, "to": RECIPIENT, "value": "0x1"}
    return node.rpc("eth_sendTransaction", tx)["result"]


def test_evm_mine_seals_an_empty_block(dev):
    dev.rpc("evm_mine")
    assert head(dev) == 1


def test_evm_revert_restores_the_snapshot_head_and_balances(dev, dev_accounts):
    snapshot = dev.rpc("evm_snapshot")["result"]
    dev.wait_for_receipt(send(dev, dev_accounts[0]))
    assert dev.rpc("evm_revert", snapshot)["result"] is True
    assert head(dev) == 0 and dev.rpc("eth_getBalance", RECIPIENT, "latest")["result"] == "0x0"


def test_reverted_transaction_has_no_receipt(dev, dev_accounts):
    snapshot = dev.rpc("evm_snapshot")["result"]
    tx_hash = send(dev, dev_accounts[0])
    dev.wait_for_receipt(tx_hash)
    dev.rpc("evm_revert", snapshot)
    assert dev.rpc("eth_getTransactionReceipt", tx_hash)["result"] is None


def test_chain_grows_again_after_a_revert(dev, dev_accounts):
    snapshot = dev.rpc("evm_snapshot")["result"]
    dev.wait_for_receipt(send(dev, dev_accounts[0]))
    dev.rpc("evm_revert", snapshot)
    receipt = dev.wait_for_receipt(send(dev, dev_accounts[0]))
    assert receipt["blockNumber"] == "0x1"


def test_revert_to_an_unknown_snapshot_is_false(dev):
    assert dev.rpc("evm_revert", "0x99")["result"] is False


def test_set_next_block_timestamp_sets_the_next_blocks_time(dev):
    dev.rpc("evm_setNextBlockTimestamp", hex(4_000_000_000))
    dev.rpc("evm_mine")
    block = dev.rpc("eth_getBlockByNumber", "latest", False)["result"]
    assert int(block["timestamp"], 16) == 4_000_000_000


def test_increase_time_moves_later_blocks_forward(dev):
    before = int(dev.rpc("eth_getBlockByNumber", "latest", False)["result"]["timestamp"], 16)
    dev.rpc("evm_increaseTime", 3600)
    dev.rpc("evm_mine")
    after = int(dev.rpc("eth_getBlockByNumber", "latest", False)["result"]["timestamp"], 16)
    assert after >= before + 3600


def test_debug_set_head_rewinds_the_chain(dev):
    for _ in range(3):
        dev.rpc("evm_mine")
    dev.rpc("debug_setHead", "0x1")
    assert head(dev) == 1


def test_revert_undoes_time_travel_made_after_the_snapshot(dev):
    snapshot = dev.rpc("evm_snapshot")["result"]
    before = int(dev.rpc("eth_getBlockByNumber", "latest", False)["result"]["timestamp"], 16)
    dev.rpc("evm_increaseTime", 30 * 86_400)
    dev.rpc("evm_mine")
    dev.rpc("evm_revert", snapshot)
    dev.rpc("evm_mine")
    after = int(dev.rpc("eth_getBlockByNumber", "latest", False)["result"]["timestamp"], 16)
    assert before < after < before + 86_400


@pytest.fixture
def automine_off(dev):
    """The dev node with on-demand sealing off; turned back on afterwards."""
    dev.rpc("evm_setAutomine", False)
    yield dev
    dev.rpc("evm_setAutomine", True)


def test_with_automine_off_a_sent_transaction_waits_for_evm_mine(automine_off, dev_accounts):
    tx_hash = send(automine_off, dev_accounts[0])
    with pytest.raises(TimeoutError):  # on demand, it would be sealed within milliseconds
        automine_off.wait_for_receipt(tx_hash, timeout=0.5)
    automine_off.rpc("evm_mine")
    assert automine_off.rpc("eth_getTransactionReceipt", tx_hash)["result"]["blockNumber"] == "0x1"


def test_turning_automine_back_on_seals_pending_transactions(automine_off, dev_accounts):
    tx_hash = send(automine_off, dev_accounts[0])
    automine_off.rpc("evm_setAutomine", True)
    assert automine_off.wait_for_receipt(tx_hash)["blockNumber"] == "0x1"


def test_anvil_mine_seals_that_many_blocks_in_one_call(dev):
    dev.rpc("anvil_mine", "0x64")
    assert head(dev) == 100


def test_blocks_mined_together_are_each_sealed_by_the_authority(dev):
    from gigledger.devchain import DEV_AUTHORITY_KEY
    from gigledger.seal import recover_sealer

    dev.rpc("hardhat_mine", "0x3")
    sealers = {recover_sealer(dev.rpc("eth_getBlockByNumber", hex(n), False)["result"]) for n in (1, 2, 3)}
    assert sealers == {DEV_AUTHORITY_KEY.public_key.to_checksum_address()}


def test_mining_with_an_interval_spaces_the_block_timestamps(dev):
    dev.rpc("anvil_mine", "0x3", "0x3c")
    stamps = [int(dev.rpc("eth_getBlockByNumber", hex(n), False)["result"]["timestamp"], 16) for n in (1, 2, 3)]
    assert [b - a for a, b in zip(stamps, stamps[1:], strict=False)] == [60, 60]


def test_mining_a_pending_transaction_puts_it_in_the_first_block(dev, dev_accounts):
    dev.rpc("evm_setAutomine", False)
    try:
        tx_hash = send(dev, dev_accounts[0])
        dev.rpc("anvil_mine", "0x2")
    finally:
        dev.rpc("evm_setAutomine", True)
    assert dev.rpc("eth_getTransactionReceipt", tx_hash)["result"]["blockNumber"] == "0x1"
    assert head(dev) == 2


def test_mining_zero_blocks_is_refused(dev):
    assert "error" in dev.rpc("anvil_mine", "0x0")
