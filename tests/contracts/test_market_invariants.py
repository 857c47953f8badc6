"""TalentMarket and GigEscrow.hire under random sequences of posts, withdrawals,
hires, links and unlinks by random (and wrong) callers, held to a small model:

- an offer is open on chain exactly while the model says so, and only its exact
  terms can close it; a hire holds exactly the price in the escrow;
- two accounts are linked exactly while the model says so, and only with both
  consents (a forged or replayed signature is refused and changes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import boa
import hypothesis.strategies as st
from deployed import CONTRACTS, Cast, Contracts
from eth_account import Account
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

ZERO = "0x" + "00" * 20
WEEK = 7 * 86_400
LINK_TYPES = {
    "Link": [
        {"name": "account", "type": "address"},
        {"name": "other", "type": "address"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}

actors = st.integers(0, 4)  # the four signers and the contract that rejects ETH
prices = st.one_of(st.just(0), st.integers(1, 10**20))


@cache
def market_deployer():
    """TalentMarket compiled once; each example deploys a fresh one."""
    return boa.load_partial(str(CONTRACTS / "TalentMarket.vy"))


@dataclass
class ModelOffer:
    terms: tuple
    open: bool = True


class MarketMachine(RuleBasedStateMachine):
    def __init__(self, contracts: Contracts, cast: Cast) -> None:
        super().__init__()
        self.cast = cast
        self.escrow = contracts.escrow
        self.market = market_deployer().deploy(self.escrow.address)
        self.offers: dict[int, ModelOffer] = {}
        self.links: set[frozenset[str]] = set()
        self.nonces: dict[str, int] = {}
        self.held = 0
        self.hires = 0
        self.held_before = boa.env.get_balance(self.escrow.address)
        self.gigs_before = self.escrow.next_gig_id()

    def _actor(self, index: int) -> str:
        return self.cast.actors[index]

    def _pick(self, index: int) -> int:
        ids = sorted(self.offers)
        return ids[index % len(ids)] if ids else 1

    # ------------------------------------------------------------ offers

    @rule(freelancer=actors, arbiter=actors, price=prices)
    def post(self, freelancer: int, arbiter: int, price: int) -> None:
        who, judge = self._actor(freelancer), self._actor(arbiter)
        terms = (who, ZERO, price, WEEK, 86_400, judge, b"\x11" * 32, [b"python".ljust(32, b"\0")])
        with boa.env.prank(who):
            if price == 0 or who == judge:
                with boa.reverts():
                    self.market.post_offer(*terms[1:])
                return
            offer_id = self.market.post_offer(*terms[1:])
        self.offers[offer_id] = ModelOffer(terms)

    @rule(pick=st.integers(0, 50), caller=actors, tamper=st.booleans())
    def withdraw(self, pick: int, caller: int, tamper: bool) -> None:
        offer_id, who = self._pick(pick), self._actor(caller)
        offer = self.offers.get(offer_id)
        terms = offer.terms if offer else (who, ZERO, 1, WEEK, 0, who, b"\0" * 32, [])
        if tamper:
            terms = (*terms[:2], terms[2] + 1, *terms[3:])
        with boa.env.prank(who):
            if offer is None or not offer.open or tamper or who != terms[0]:
                with boa.reverts():
                    self.market.withdraw_offer(offer_id, terms)
                return
            self.market.withdraw_offer(offer_id, terms)
        offer.open = False

    @rule(pick=st.integers(0, 50), caller=actors, tamper=st.booleans(), off_by=st.sampled_from([0, 0, -1, 1]))
    def hire(self, pick: int, caller: int, tamper: bool, off_by: int) -> None:
        offer_id, client = self._pick(pick), self._actor(caller)
        offer = self.offers.get(offer_id)
        terms = offer.terms if offer else (client, ZERO, 1, WEEK, 0, client, b"\0" * 32, [])
        if tamper:  # the client names a lower price than the freelancer posted
            terms = (*terms[:2], max(terms[2] // 2, 1), *terms[3:])
        value = max(terms[2] + off_by, 0)
        refused = (
            offer is None or not offer.open or tamper or off_by != 0 or client in (terms[0], terms[5])
        )
        with boa.env.prank(client):
            if refused:
                with boa.reverts():
                    self.escrow.hire(self.market.address, offer_id, terms, value=value)
                return
            self.escrow.hire(self.market.address, offer_id, terms, value=value)
        offer.open = False
        self.held += value
        self.hires += 1

    # ------------------------------------------------------------ links

    def _consent(self, signer: str, other: str, deadline: int, domain_chain: int) -> bytes:
        key = self.cast.key_of(signer)
        if key is None:
            return b""
        domain = {
            "name": "GigLedger Market",
            "version": "1",
            "chainId": domain_chain,
            "verifyingContract": self.market.address,
        }
        message = {"account": signer, "other": other, "nonce": self.nonces.get(signer, 0), "deadline": deadline}
        return bytes(Account.sign_typed_data(key.key, domain, LINK_TYPES, message).signature)

    @rule(first=actors, second=actors, caller=actors, other_chain=st.booleans())
    def link(self, first: int, second: int, caller: int, other_chain: bool) -> None:
        a, b, sender = self._actor(first), self._actor(second), self._actor(caller)
        deadline = boa.env.evm.patch.timestamp + 3600
        chain = boa.env.evm.patch.chain_id + (1 if other_chain else 0)
        signatures = [b"" if sender == x else self._consent(x, y, deadline, chain) for x, y in ((a, b), (b, a))]
        signed_by = [x for x, sig in zip((a, b), signatures, strict=True) if sig]
        consenting = all(sender == x or (sig and not other_chain) for x, sig in zip((a, b), signatures, strict=True))
        with boa.env.prank(sender):
            if a == b or frozenset((a, b)) in self.links or not consenting:
                with boa.reverts():
                    self.market.link(a, b, deadline, *signatures)
                return
            self.market.link(a, b, deadline, *signatures)
        self.links.add(frozenset((a, b)))
        for signer in signed_by:
            self.nonces[signer] = self.nonces.get(signer, 0) + 1

    @rule(caller=actors, other=actors)
    def unlink(self, caller: int, other: int) -> None:
        a, b = self._actor(caller), self._actor(other)
        with boa.env.prank(a):
            if frozenset((a, b)) not in self.links:
                with boa.reverts():
                    self.market.unlink(b)
                return
            self.market.unlink(b)
        self.links.discard(frozenset((a, b)))

    # ------------------------------------------------------------ invariants

    @invariant()
    def offers_are_open_exactly_as_modelled(self) -> None:
        for offer_id, offer in self.offers.items():
            stored = self.market.offer_hash(offer_id)
            assert (stored != b"\0" * 32) == offer.open
            if offer.open:
                assert stored == self.market.hash_offer(offer.terms)

    @invariant()
    def escrow_holds_exactly_the_hired_prices(self) -> None:
        assert boa.env.get_balance(self.escrow.address) - self.held_before == self.held
        assert self.escrow.next_gig_id() - self.gigs_before == self.hires

    @invariant()
    def links_and_nonces_are_as_modelled(self) -> None:
        actors = self.cast.actors
        for i, a in enumerate(actors):
            assert self.market.nonces(a) == self.nonces.get(a, 0)
            for b in actors[i + 1 :]:
                assert self.market.is_linked(a, b) == (frozenset((a, b)) in self.links)
                assert self.market.is_linked(b, a) == self.market.is_linked(a, b)


def test_market_keeps_its_invariants(contracts: Contracts, cast: Cast) -> None:
    profile = settings(max_examples=20, stateful_step_count=20, deadline=None, suppress_health_check=list(HealthCheck))
    run_state_machine_as_test(lambda: MarketMachine(contracts, cast), settings=profile)
