"""The query API's talent-market routes: profiles, identities, offers.

They answer from `gigledger_node.index.market_queries`, as the explorer's market
pages do; errors follow the rest of the API (400 for a caller's mistake, 404 for
an unknown key, each {"error", "detail"}).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gigledger_node.index.market_queries import MAX_NAME_MATCHES, AccountProfile, Identity, MarketQueries, OfferRecord, PersonMatch
from gigledger_node.index.queries import MAX_LIMIT, GigSummary, Page
from gigledger_node.web.api_talent import Trusted, trusted_accounts

Offset = Annotated[int, Query(ge=0, description="How many items to skip.")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT}.")]


def market_router(market: MarketQueries) -> APIRouter:
    """The market's routes over ``market``."""
    router = APIRouter()

    @router.get("/accounts/{address}/profile", tags=["market"])
    def profile(address: str) -> AccountProfile:
        """The account's latest profile: the document as published and its keccak256
        content hash (so a reader can check the words are the account's), with its
        fields when it follows the profile rules; `profile` is null when none."""
        return market.profile(address)

    @router.get("/profiles", tags=["market"])
    def people(
        name: Annotated[str, Query(description="The start of one or more words of a profile name, any case, any order.")],
        limit: Annotated[int, Query(ge=1, le=MAX_NAME_MATCHES, description=f"At most {MAX_NAME_MATCHES}.")] = MAX_NAME_MATCHES,
        trusted: Trusted = None,
    ) -> list[PersonMatch]:
        """Accounts whose valid profile name has a word starting with each word of `name`:
        whole names first, then by trust score (seeded from `trusted`, else the operator's
        trusted accounts, else fees), then completed gigs; each with its trust score and
        linked accounts. Anyone may publish any name, and a ring of accounts paying each
        other inflates its completed count but not its trust, so namesakes are all listed,
        the trusted first, for the reader to tell apart by evidence."""
        return market.people_named(name, limit=limit, trusted=trusted_accounts(trusted))

    @router.get("/identities/{address}", tags=["market"])
    def identity(address: str) -> Identity:
        """The accounts linked with this one (each link signed by both), each with its own
        record and share, and the identity's record: the sum of theirs, nothing more."""
        return market.identity(address)

    @router.get("/offers", tags=["market"])
    def offers(
        skill: Annotated[str | None, Query(description="A skill name (python) or its bytes32 tag.")] = None,
        state: Annotated[str, Query(description="open, withdrawn, hired or all.")] = "open",
        freelancer: Annotated[str | None, Query(description="Only this freelancer's offers.")] = None,
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> Page[OfferRecord]:
        """Service offers, newest first; open ones unless `state` says otherwise."""
        return market.offers(skill=skill, state=state, freelancer=freelancer, offset=offset, limit=limit)

    @router.get("/open-gigs", tags=["market"])
    def open_gigs(
        skill: Annotated[str, Query(description="A skill name (python) or its bytes32 tag.")],
        limit: Limit = 50,
    ) -> Page[GigSummary]:
        """Open gigs of a skill that name no freelancer, newest first: those anybody may
        accept, what a freelancer looking for work wants. (`/gigs?state=open` filters by
        the escrow's state, so it also lists gigs hired from an offer, which stay open
        until their named freelancer accepts and which nobody else may take.)"""
        return market.gigs_waiting(skill, limit=limit)

    @router.get("/offers/{offer_id}", tags=["market"])
    def offer(offer_id: int) -> OfferRecord:
        """One offer's terms, state, and the `gigledger hire` command that takes it."""
        return market.offer(offer_id)

    return router
