"""Transaction pool: geth's admission messages, nonce order, replacement."""

import contextlib
import os
from dataclasses import dataclass, field

import pytest
import rlp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from gigledger_node.chain.permissioning import SenderNotAllowed
from gigledger_node.chain.txpool import MAX_TX_BYTES, AccountView, PooledTx, PoolLimits, TxPool, TxRejected, decode_transaction

from .conftest import POOL_LIFETIME, ManualClock


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
    replacement = chain_node.submit(transfer(alice, 0, maxFeePerGas=110 * 10**9, maxPriorityFeePerGas=11 * 10**8))
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


# -- limits: one account can never lock out the others --------------------------------


@pytest.fixture
def bob(dev_accounts):
    return dev_accounts[1]


@pytest.fixture
def carol(dev_accounts):
    return dev_accounts[2]


def test_account_queues_at_most_64_gapped_transactions(chain_node, alice, transfer):
    for nonce in range(1, 65):
        chain_node.submit(transfer(alice, nonce))
    assert rejection(chain_node, transfer(alice, 65)).startswith("account limit exceeded")
    assert chain_node.pool.status() == (0, 64)


def test_gapped_flood_from_one_account_does_not_lock_out_another(chain_node, alice, bob, transfer):
    # The per-account cap makes the flood's size irrelevant past 64; 200 keeps this fast.
    refused = 0
    for nonce in range(1, 201):
        try:
            chain_node.submit(transfer(alice, nonce))
        except TxRejected:
            refused += 1
    tx_hash = chain_node.submit(transfer(bob, 0))
    assert refused == 200 - 64
    assert [tx.hash for tx in chain_node.produce().block.transactions] == [tx_hash]


def test_full_queue_evicts_the_highest_gapped_transaction_of_the_heaviest_account(tight_pool_node, alice, bob, transfer):
    alice_hashes = [tight_pool_node.submit(transfer(alice, n)) for n in range(1, 9)]
    bob_hashes = [tight_pool_node.submit(transfer(bob, n)) for n in range(1, 4)]
    assert tight_pool_node.pool.get(alice_hashes[-1]) is None
    assert all(tight_pool_node.pool.get(h) for h in alice_hashes[:-1] + bob_hashes)


def test_full_queue_refuses_the_heaviest_account_itself(tight_pool_node, alice, bob, transfer):
    for n in range(1, 7):
        tight_pool_node.submit(transfer(alice, n))
    for n in range(1, 5):
        tight_pool_node.submit(transfer(bob, n))
    assert rejection(tight_pool_node, transfer(alice, 7)) == "txpool is full"
    assert tight_pool_node.pool.status() == (0, 10)


def test_full_pending_evicts_beyond_another_accounts_guaranteed_slots(tight_pool_node, alice, bob, transfer):
    alice_hashes = [tight_pool_node.submit(transfer(alice, n)) for n in range(12)]
    bob_hash = tight_pool_node.submit(transfer(bob, 0))
    assert tight_pool_node.pool.get(alice_hashes[-1]) is None and tight_pool_node.pool.get(bob_hash)
    assert tight_pool_node.pool.status() == (12, 0)


def test_full_pending_refuses_an_account_beyond_its_guaranteed_slots(tight_pool_node, alice, transfer):
    for n in range(12):
        tight_pool_node.submit(transfer(alice, n))
    assert rejection(tight_pool_node, transfer(alice, 12)) == "txpool is full: account has 12 pending transactions"


def test_full_pending_refuses_a_newcomer_when_no_account_exceeds_its_guaranteed_slots(tight_pool_node, dev_accounts, transfer):
    for account in dev_accounts[:3]:
        for n in range(4):
            tight_pool_node.submit(transfer(account, n))
    newcomer = dev_accounts[3]
    tight_pool_node.allowlist.add([newcomer.address])
    assert rejection(tight_pool_node, transfer(newcomer, 0)) == "txpool is full"


def test_filling_a_gap_makes_queued_transactions_pending(chain_node, alice, transfer):
    for nonce in (1, 2):
        chain_node.submit(transfer(alice, nonce))
    chain_node.submit(transfer(alice, 0))
    assert chain_node.pool.status() == (3, 0)


def test_mined_transactions_leave_the_counts(chain_node, alice, transfer):
    for nonce in (0, 1, 3):
        chain_node.submit(transfer(alice, nonce))
    chain_node.produce()
    assert chain_node.pool.status() == (0, 1)


def test_second_spend_beyond_the_balance_is_an_overdraft(chain_node, alice, transfer):
    chain_node.submit(transfer(alice, 0, value=10**24 - 21_000 * 10**11))
    assert rejection(chain_node, transfer(alice, 1)).startswith("insufficient funds for gas * price + value: balance")


# -- lifetime: parked nonce-gapped transactions do not stay forever -----------------------


def hex_hash(tx_hash: bytes) -> str:
    return "0x" + tx_hash.hex()


def test_parked_gapped_transactions_are_gone_after_the_lifetime(aging_pool_node, local_rpc, clock, alice, transfer):
    parked = [hex_hash(aging_pool_node.submit(transfer(alice, n))) for n in range(1, 65)]
    clock.advance(POOL_LIFETIME + 1)
    assert local_rpc("txpool_status")["result"] == {"pending": "0x0", "queued": "0x0"}
    assert local_rpc("txpool_content")["result"]["queued"] == {}
    assert [local_rpc("eth_getTransactionByHash", h)["result"] for h in parked] == [None] * 64


def test_expired_account_may_queue_up_to_its_limit_again(aging_pool_node, clock, alice, transfer):
    for nonce in range(1, 65):
        aging_pool_node.submit(transfer(alice, nonce))
    clock.advance(POOL_LIFETIME + 1)
    for nonce in range(1, 65):
        aging_pool_node.submit(transfer(alice, nonce, value=2))
    assert aging_pool_node.pool.status() == (0, 64)


def test_gapped_transactions_stay_within_the_lifetime(aging_pool_node, clock, alice, transfer):
    parked = aging_pool_node.submit(transfer(alice, 2))
    clock.advance(POOL_LIFETIME)
    assert aging_pool_node.pool.get(parked) is not None


def test_an_executable_transaction_restarts_the_accounts_lifetime(aging_pool_node, clock, alice, transfer):
    parked = aging_pool_node.submit(transfer(alice, 2))
    clock.advance(POOL_LIFETIME - 1)
    aging_pool_node.submit(transfer(alice, 0))  # still a gap at 1: 2 stays queued
    clock.advance(POOL_LIFETIME - 1)
    assert aging_pool_node.pool.get(parked) is not None
    clock.advance(2)
    assert aging_pool_node.pool.get(parked) is None


def test_another_gapped_transaction_does_not_restart_the_lifetime(aging_pool_node, clock, alice, transfer):
    # As geth: only progress (a transaction becoming executable) counts as activity,
    # else one cheap gapped transaction now and then would keep all 64 parked forever.
    first = aging_pool_node.submit(transfer(alice, 2))
    clock.advance(POOL_LIFETIME - 1)
    second = aging_pool_node.submit(transfer(alice, 3))
    clock.advance(2)
    assert aging_pool_node.pool.get(first) is None and aging_pool_node.pool.get(second) is None


def test_repricing_a_gapped_transaction_does_not_restart_the_lifetime(aging_pool_node, clock, alice, transfer):
    aging_pool_node.submit(transfer(alice, 2))
    clock.advance(POOL_LIFETIME - 1)
    repriced = aging_pool_node.submit(transfer(alice, 2, maxFeePerGas=2 * 10**11, maxPriorityFeePerGas=2 * 10**9))
    clock.advance(2)
    assert aging_pool_node.pool.get(repriced) is None


def test_executable_transactions_outlive_the_lifetime(aging_pool_node, clock, alice, transfer):
    executable = [aging_pool_node.submit(transfer(alice, n)) for n in (0, 1)]
    aging_pool_node.submit(transfer(alice, 3))
    clock.advance(POOL_LIFETIME + 1)
    assert aging_pool_node.pool.status() == (2, 0)
    assert [tx.hash for tx in aging_pool_node.produce().block.transactions] == executable


def test_lifetime_drops_only_the_idle_accounts_transactions(aging_pool_node, clock, alice, bob, transfer):
    aging_pool_node.submit(transfer(alice, 2))
    clock.advance(POOL_LIFETIME - 1)
    bobs = aging_pool_node.submit(transfer(bob, 2))
    clock.advance(2)
    assert aging_pool_node.pool.get(bobs) is not None and aging_pool_node.pool.status() == (0, 1)


def test_an_accounts_renewed_lifetime_does_not_shelter_an_idle_one(aging_pool_node, clock, alice, bob, transfer):
    aging_pool_node.submit(transfer(alice, 2))
    clock.advance(10)
    bobs = aging_pool_node.submit(transfer(bob, 2))
    clock.advance(10)
    aging_pool_node.submit(transfer(alice, 0))  # alice's lifetime restarts; bob's does not
    clock.advance(POOL_LIFETIME - 5)
    assert aging_pool_node.pool.get(bobs) is None and aging_pool_node.pool.status() == (1, 1)


# -- the pool's bookkeeping under any sequence of changes ---------------------------------


@dataclass(frozen=True)
class FakeTx:
    """The fields TxPool reads, without signing (fast enough for a state machine)."""

    nonce: int
    max_fee_per_gas: int
    hash: bytes = field(default_factory=lambda: os.urandom(32))
    gas: int = 21_000
    value: int = 1
    max_priority_fee_per_gas: int = 1


SENDERS = [bytes([i]) * 20 for i in range(4)]
LIMITS = PoolLimits(account_slots=3, account_queue=4, global_slots=8, global_queue=6, lifetime=10.0)


class PoolMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.pool = TxPool(LIMITS, clock=self.clock)
        self.state_nonce = dict.fromkeys(SENDERS, 0)

    @rule(sender=st.sampled_from(SENDERS), offset=st.integers(0, 8), fee=st.integers(1, 3))
    def add(self, sender, offset, fee):
        tx = FakeTx(self.state_nonce[sender] + offset, fee * 10**9)
        view = AccountView(self.state_nonce[sender], 10**24, 10**9, 30_000_000)
        with contextlib.suppress(TxRejected):
            self.pool.add(PooledTx(tx, sender), view)

    @rule(data=st.data())
    def remove_one(self, data):
        pooled = self.pool.all()
        if pooled:
            self.pool.remove([data.draw(st.sampled_from(pooled)).tx.hash])

    @rule(sender=st.sampled_from(SENDERS), mined=st.integers(0, 3))
    def mine(self, sender, mined):
        self.state_nonce[sender] += mined
        self.pool.prune(self.state_nonce.__getitem__)

    @rule(seconds=st.floats(0, 6))
    def wait(self, seconds):
        self.clock.advance(seconds)

    @rule()
    def idle_past_the_lifetime(self):
        pending = self.pool.status()[0]
        self.clock.advance(LIMITS.lifetime + 1)
        assert self.pool.status() == (pending, 0)

    @invariant()
    def heartbeats_are_oldest_first_for_exactly_the_queueing_accounts(self):
        queueing = {p.sender for p in self.pool.all() if p.tx.nonce >= self.pool.next_nonce(p.sender, self.state_nonce[p.sender])}
        beats = list(self.pool._beats.values())
        assert set(self.pool._beats) == queueing and beats == sorted(beats)

    @invariant()
    def counts_match_a_recount(self):
        pending = queued = 0
        for sender in SENDERS:
            nonces = {p.tx.nonce for p in self.pool.all() if p.sender == sender}
            run = 0
            while self.state_nonce[sender] + run in nonces:
                run += 1
            pending, queued = pending + run, queued + len(nonces) - run
            assert len(nonces) - run <= LIMITS.account_queue
        assert self.pool.status() == (pending, queued) and len(self.pool) == pending + queued

    @invariant()
    def pool_stays_within_its_bounds(self):
        pending, queued = self.pool.status()
        assert pending + queued <= LIMITS.global_slots + LIMITS.global_queue


TestPoolBookkeeping = PoolMachine.TestCase
TestPoolBookkeeping.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)


# -- malformed input: a clear refusal, never an internal error ------------------------------

# A field is a string (any integer is one) or a short list of strings (access and
# authorization lists); the counts straddle every type's field count (9 to 14).
RLP_FIELD = st.binary(max_size=33) | st.lists(st.binary(max_size=33) | st.lists(st.binary(max_size=33), max_size=6), max_size=3)


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes_are_decoded_or_refused(raw):
    with contextlib.suppress(TxRejected):
        decode_transaction(raw, 1337)


@settings(max_examples=300, deadline=None)
@given(type_byte=st.sampled_from([b"", b"\x01", b"\x02", b"\x03", b"\x04"]), fields=st.lists(RLP_FIELD, min_size=8, max_size=14))
def test_arbitrary_rlp_lists_of_any_type_are_decoded_or_refused(type_byte, fields):
    with contextlib.suppress(TxRejected):
        decode_transaction(type_byte + rlp.encode(fields), 1337)


def test_empty_rlp_list_is_an_invalid_transaction(chain_node):
    assert rejection(chain_node, b"\xc0").startswith("rlp: invalid transaction")
