"""Fixtures for the Ape contract suite: the people, the deployed contracts, the
three token kinds, and gigs at each step of their life.

The contracts are deployed once per session; Ape's isolation reverts the chain
after every test, so each test starts from the same deployed state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from gigbook import (
    AMOUNT,
    DELIVERABLE_HASH,
    GIG_LENGTH,
    REVIEW_PERIOD,
    SKILL,
    TERMS_HASH,
    TRANSFER_FEE_BPS,
    GigBook,
    offer_tuple,
    only_log,
)
from money import Money


@pytest.fixture(scope="session", autouse=True)
def node_time_travel(chain: Any) -> Iterator[None]:
    """On `gigledger-node start --dev` (Ape's `node` provider), move time through the
    node's evm_* methods: Ape's GethDev refuses `set_timestamp` and `mine` itself,
    before asking the node, although the dev node serves both."""
    provider = type(chain.provider)
    if chain.provider.name != "node":
        yield
        return
    patch = pytest.MonkeyPatch()
    patch.setattr(provider, "set_timestamp", lambda self, new: self.make_request("evm_setNextBlockTimestamp", [new]))
    patch.setattr(provider, "mine", lambda self, num_blocks=1: [self.make_request("evm_mine", []) for _ in range(num_blocks)])
    yield
    patch.undo()


@pytest.fixture(scope="session")
def owner(accounts: Any) -> Any:
    """Deploys the contracts and administers them."""
    return accounts[0]


@pytest.fixture(scope="session")
def client(accounts: Any) -> Any:
    return accounts[1]


@pytest.fixture(scope="session")
def freelancer(accounts: Any) -> Any:
    return accounts[2]


@pytest.fixture(scope="session")
def arbiter(accounts: Any) -> Any:
    return accounts[3]


@pytest.fixture(scope="session")
def stranger(accounts: Any) -> Any:
    """An account with no part in any gig."""
    return accounts[4]


@pytest.fixture(scope="session")
def treasury(accounts: Any) -> Any:
    """Receives platform fees."""
    return accounts[5]


@pytest.fixture(scope="session")
def beneficiary(accounts: Any) -> Any:
    """Where a party that cannot take a payout has it withdrawn to."""
    return accounts[6]


@pytest.fixture(scope="session")
def registry(project: Any, owner: Any) -> Any:
    return owner.deploy(project.ReputationRegistry)


@pytest.fixture(scope="session")
def escrow(project: Any, owner: Any, registry: Any, treasury: Any) -> Any:
    """The escrow, the registry's writer from the start, with a treasury and no fee yet."""
    escrow = owner.deploy(project.GigEscrow, registry, treasury, 0)
    registry.announce_writer(escrow, sender=owner)
    return escrow


@pytest.fixture(scope="session")
def plain_token(project: Any, owner: Any) -> Any:
    return owner.deploy(project.MockERC20, 0)


@pytest.fixture(scope="session")
def fee_token(project: Any, owner: Any) -> Any:
    return owner.deploy(project.MockERC20, TRANSFER_FEE_BPS)


@pytest.fixture(params=["eth", "erc20", "fee_erc20"])
def money(request: Any, plain_token: Any, fee_token: Any) -> Money:
    """Each token kind in turn; ETH only where a test parametrises it indirectly."""
    kinds = {
        "eth": Money("eth", None),
        "erc20": Money("erc20", plain_token),
        "fee_erc20": Money("fee_erc20", fee_token, TRANSFER_FEE_BPS),
    }
    return kinds[request.param]


@pytest.fixture
def gigs(escrow: Any) -> GigBook:
    """The current `Gig` of every gig this test created."""
    return GigBook(escrow)


@pytest.fixture
def deadline(chain: Any) -> int:
    """A deadline a week from now."""
    return chain.pending_timestamp + GIG_LENGTH


@pytest.fixture
def gig_terms(money: Money, freelancer: Any, arbiter: Any, deadline: int) -> dict:
    """`create_gig`'s arguments for a plain one-payment gig in `money`."""
    return {
        "freelancer": freelancer.address,
        "arbiter": arbiter.address,
        "token": money.address,
        "amount": AMOUNT,
        "milestones": [],
        "deadline": deadline,
        "review_period": REVIEW_PERIOD,
        "terms_hash": TERMS_HASH,
        "skills": [SKILL],
    }


@pytest.fixture
def create_gig(gigs: GigBook, money: Money, escrow: Any, client: Any, gig_terms: dict) -> Callable[..., int]:
    """Funds and creates a gig from `gig_terms` with any argument overridden; returns its id.
    With `via` (ETH only), a GigParty contract is the client and `sender` pays through it."""

    def create(sender: Any = client, via: Any = None, **overrides: Any) -> int:
        terms = {**gig_terms, **overrides}
        value = money.fund(sender, escrow, terms["amount"])
        return gigs.create(sender=sender, value=value, via=via, **terms)

    return create


@pytest.fixture
def funded_gig(create_gig: Callable[..., int]) -> int:
    """An open gig offered to `freelancer`, funded by `client`."""
    return create_gig()


@pytest.fixture
def accepted_gig(gigs: GigBook, funded_gig: int, freelancer: Any) -> int:
    gigs.send("accept", funded_gig, sender=freelancer)
    return funded_gig


@pytest.fixture
def delivered_gig(gigs: GigBook, accepted_gig: int, freelancer: Any) -> int:
    gigs.send("deliver", accepted_gig, DELIVERABLE_HASH, sender=freelancer)
    return accepted_gig


@pytest.fixture
def disputed_gig(gigs: GigBook, delivered_gig: int, client: Any) -> int:
    gigs.send("dispute", delivered_gig, sender=client)
    return delivered_gig


@pytest.fixture
def released_gig(gigs: GigBook, delivered_gig: int, client: Any) -> int:
    """A gig the client approved: settled, so both parties may attest."""
    gigs.send("approve", delivered_gig, sender=client)
    return delivered_gig


@pytest.fixture
def milestone_amounts() -> list[int]:
    return [AMOUNT // 4, AMOUNT // 4, AMOUNT // 2]


@pytest.fixture
def milestone_gig(create_gig: Callable[..., int], gigs: GigBook, freelancer: Any, milestone_amounts: list[int]) -> int:
    """An accepted gig paid in three milestones."""
    gig_id = create_gig(milestones=milestone_amounts, amount=sum(milestone_amounts))
    gigs.send("accept", gig_id, sender=freelancer)
    return gig_id


@pytest.fixture
def with_fee(escrow: Any, owner: Any) -> int:
    """Sets a 2.5% platform fee for gigs created from now on; returns it."""
    escrow.set_fee(250, sender=owner)
    return 250


@pytest.fixture
def eth_rejecting_party(project: Any, owner: Any, escrow: Any) -> Any:
    """A contract that takes part in gigs but reverts on every ETH payment."""
    return owner.deploy(project.GigParty, escrow, True)


@pytest.fixture
def reentrant_party(project: Any, owner: Any, escrow: Any) -> Any:
    """A contract that takes part in gigs and, armed, re-enters the escrow when paid."""
    return owner.deploy(project.GigParty, escrow, False)


@pytest.fixture(scope="session")
def market(project: Any, owner: Any, escrow: Any) -> Any:
    """The talent market whose offers `escrow.hire` takes."""
    return owner.deploy(project.TalentMarket, escrow)


@pytest.fixture(scope="session")
def other_market(project: Any, owner: Any, escrow: Any) -> Any:
    """A second market on the same chain: its signatures must not work on `market`."""
    return owner.deploy(project.TalentMarket, escrow)


@pytest.fixture
def offer_terms(money: Money, arbiter: Any) -> dict:
    """`post_offer`'s arguments for a week-long service paid in `money`."""
    return {
        "token": money.address,
        "price": AMOUNT,
        "delivery_time": GIG_LENGTH,
        "review_period": REVIEW_PERIOD,
        "arbiter": arbiter.address,
        "terms_hash": TERMS_HASH,
        "skills": [SKILL],
    }


@pytest.fixture
def post_offer(market: Any, freelancer: Any, offer_terms: dict) -> Callable[..., tuple[int, tuple]]:
    """Posts an offer from `offer_terms` with any argument overridden; returns its id
    and the `Offer` tuple a hire or withdrawal must name."""

    def post(sender: Any = freelancer, **overrides: Any) -> tuple[int, tuple]:
        terms = {**offer_terms, **overrides}
        receipt = market.post_offer(*terms.values(), sender=sender)
        offer_id = only_log(receipt, market.OfferPosted)["offer_id"]
        return offer_id, offer_tuple(sender.address, terms)

    return post


@pytest.fixture
def posted_offer(post_offer: Callable[..., tuple[int, tuple]]) -> tuple[int, tuple]:
    """`freelancer`'s open offer, as (id, Offer)."""
    return post_offer()
