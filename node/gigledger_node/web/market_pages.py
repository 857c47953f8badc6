"""The explorer's market pages: an offer with the exact `gigledger hire` command, and
the profile and linked accounts the account page shows.

They read `gigledger_node.index.market_queries`, as the query API's market routes do.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from gigledger_node.index.market_queries import MarketQueries
from gigledger_node.web.explorer import parse_number, render


def account_market(market: MarketQueries, address: str) -> dict[str, Any]:
    """The account page's market section: the latest profile and the identity's accounts."""
    identity = market.identity(address)
    return {
        "profile": market.profile(address).profile,
        "identity": identity,
        "linked": [share for share in identity.accounts if share.account != address],
    }


def has_market_presence(context: dict[str, Any]) -> bool:
    """Whether the account published a profile or is linked: its page exists even without gigs."""
    return context["profile"] is not None or bool(context["linked"])


def market_pages_router(market: MarketQueries) -> APIRouter:
    """The offer page, to include in the explorer's app."""
    router = APIRouter(include_in_schema=False)

    @router.get("/offer/{offer_id}", response_class=HTMLResponse, name="explorer-offer")
    def offer(request: Request, offer_id: str) -> Response:
        def build() -> dict[str, Any]:
            return {"offer": market.offer(parse_number(offer_id, "offer id"))}

        return render(request, "offer.html", build)

    return router
