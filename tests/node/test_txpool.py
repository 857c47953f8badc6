"""Transaction pool: geth's admission messages, nonce order, replacement."""

import pytest
import rlp

from gigledger_node.chain.permissioning import SenderNotAllowed
from gigledger_node.chain.txpool import MAX_TX_BYTES, TxRejected


@pytest.fixture
def alice(dev_accounts):
    return dev_accounts[0]


def rejection(chain_node, raw: bytes) -> str:
    with pytest.raises(TxRejected) as caught:
        chain_node.submit(raw)
    return str(caught.value)


def test_nonce_below_the_account_nonce_is_too_low(chain_node, alice, transfer):
    chain_node.submit(transfer(alice, 0))
    chain_node.produce()
    assert rejection(chain_node, transfer(alice, 0, value=2)) == "nonce too low"


def test_cost_above_balance_is_insufficient_funds(chain_node, alice, transfer):
    raw = transfer(alice, 0, value=10**30)
    assert rejection(chain_node, raw) == "insufficient funds for gas * price + value"


def test_gas_below_intrinsic_gas_is_refused(chain_node, alice, transfer):
    assert rejection(chain_node, transfer(alice, 0, gas=20_000)) == "intrinsic gas too low: gas 20000, minimum needed 21000"


def test_fee_cap_below_base_fee_is_refused(chain_node, alice, transfer):
    raw = transfer(alice, 0, maxFeePerGas=1, maxPriorityFeePerGas=1)
    assert rejection(chain_node, raw) == "max fee per gas less than block base fee"


def test_other_chain_id_is_refused(chain_node, alice, transfer):
    assert rejection(chain_node, transfer(alice, 0, chain_id=1)) == "invalid chain id for signer"


def test_bad_signature_is_an_invalid_sender(chain_node, alice, transfer):
    raw = transfer(alice, 0)
    fields = rlp.decode(raw[1:])
    fields[-1] = b"\xff" * 32  # s above the curve order
    assert rejection(chain_node, raw[:1] + rlp.encode(fields)) == "invalid sender"


def test_oversized_transaction_is_refused(chain_node, alice, transfer):
    raw = transfer(alice, 0, data="0x" + "00" * MAX_TX_BYTES, gas=5_000_000)
    assert rejection(chain_node, raw) == "oversized data"


def test_sender_off_the_allowlist_is_refused_before_the_pool(chain_node, dev_accounts, transfer):
    outsider = dev_accounts[4]  # funded but not allowed
    with pytest.raises(SenderNotAllowed):
        chain_node.submit(transfer(outsider, 0))
    assert len(chain_node.pool) == 0


def test_future_nonce_is_held_until_the_gap_fills(chain_node, alice, transfer):
    chain_node.submit(transfer(alice, 1))
    assert chain_node.produce() is None
    chain_node.submit(transfer(alice, 0))
    assert len(chain_node.produce().block.transactions) == 2


def test_pending_nonce_counts_the_gapless_run(chain_node, alice, transfer):
    for nonce in (0, 1, 3):
        chain_node.submit(transfer(alice, nonce))
    assert chain_node.pending_nonce(bytes.fromhex(alice.address[2:])) == 2


def test_replacement_with_a_small_fee_bump_is_underpriced(chain_node, alice, transfer):
    chain_node.submit(transfer(alice, 0))
    raw = transfer(alice, 0, maxFeePerGas=105 * 10**9, maxPriorityFeePerGas=10**9 * 105 // 100)
    assert rejection(chain_node, raw) == "replacement transaction underpriced"


def test_replacement_with_a_ten_percent_bump_replaces(chain_node, alice, transfer):
    chain_node.submit(transfer(alice, 0))
    replacement = chain_node.submit(
        transfer(alice, 0, maxFeePerGas=110 * 10**9, maxPriorityFeePerGas=11 * 10**8)
    )
    block = chain_node.produce().block
    assert [tx.hash for tx in block.transactions] == [replacement]


def test_same_transaction_twice_is_already_known(chain_node, alice, transfer):
    chain_node.submit(transfer(alice, 0))
    assert rejection(chain_node, transfer(alice, 0)) == "already known"


def test_transaction_using_the_whole_block_gas_limit_is_mined(chain_node, alice, transfer):
    gas_limit = chain_node.head().gas_limit
    chain_node.produce(allow_empty=True)
    chain_node.submit(transfer(alice, 0, gas=gas_limit))
    assert len(chain_node.produce().block.transactions) == 1
