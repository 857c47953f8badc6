"""The explorer's talent pages: every skill, and one skill's ranked freelancers and open gigs.

Figures come from the index's `skills`, `talent` and `market_queries` modules,
the same the query API serves at /skills, /talent and /offers. A skill page lists
the open offers of its ranked freelancers first, in rank order, then the others'.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gigledger_node.index.market_queries import MarketQueries, PersonMatch
from gigledger_node.index.queries import InvalidFilter, Queries
from gigledger_node.index.skills import matching_skills, skill_counts
from gigledger_node.index.talent import Talent
from gigledger_node.index.trust import checked_trusted

#: Freelancers and open gigs a skill page lists.
SKILL_ROWS = 50


def search_elsewhere(request: Request, queries: Queries, text: str) -> Response | None:
    """Where a search for ``text`` leads among skills and people, once it names no address,
    gig, transaction or block: an exact skill's page; the one person (one identity) whose
    profile name matches; a list of the matching people (by trust, see
    `MarketQueries.people_named`) and skills when there are several; None when nothing
    matches."""
    from gigledger_node.web.explorer import TEMPLATES, error_page

    wanted = text.strip()
    skills = matching_skills(queries.engine, wanted)
    exact = next((s for s in skills if s.name.lower() == wanted.lower()), None)
    if exact is not None:
        return RedirectResponse(request.url_for("explorer-skill", name=exact.name), status_code=303)
    try:
        people = MarketQueries(queries.engine, queries, request.app.state.trust).people_named(wanted)
    except InvalidFilter as error:
        return error_page(request, 400, "Nothing found", str(error))
    person = one_identity(people)
    if person is not None and not skills:
        return RedirectResponse(request.url_for("explorer-account", address=person.account), status_code=303)
    if people:
        return TEMPLATES.TemplateResponse(request, "find.html", {"query": wanted, "people": people, "skills": skills})
    if skills:
        return RedirectResponse(request.url_for("explorer-skills").include_query_params(q=wanted), status_code=303)
    return None


def one_identity(people: list[PersonMatch]) -> PersonMatch | None:
    """The match a name search opens directly: the best exact one (else the best) when every
    such match belongs to one identity; None when namesakes of different identities
    share it, since a search must not pick between them."""
    candidates = [p for p in people if p.exact] or people
    if not candidates or len({tuple(p.identity) for p in candidates}) > 1:
        return None
    return candidates[0]


def talent_pages(queries: Queries, talent: Talent) -> APIRouter:
    """The /skill (every skill) and /skill/{name} pages (the API has /skills and /talent);
        ``?trusted=0x..,0x..`` on a skill page seeds its trust score."""
    from gigledger_node.web.explorer import render

    router = APIRouter(include_in_schema=False)
    market = MarketQueries(queries.engine, queries)

    @router.get("/skill", response_class=HTMLResponse, name="explorer-skills")
    def skills(request: Request, q: str = "") -> Response:
        def build() -> dict[str, Any]:
            listed = matching_skills(queries.engine, q, limit=500) if q.strip() else skill_counts(queries.engine)
            return {"skills": listed, "query": q.strip()}

        return render(request, "skills.html", build)

    @router.get("/skill/{name}", response_class=HTMLResponse, name="explorer-skill")
    def skill(request: Request, name: str, trusted: str = "") -> Response:
        def build() -> dict[str, Any]:
            seed = checked_trusted(trusted.split(",")) if trusted.strip() else None
            directory = talent.directory(name, trusted=seed, limit=SKILL_ROWS)
            open_gigs = market.gigs_waiting(directory.tag, limit=SKILL_ROWS)
            ranks = {row.account: row.rank for row in directory.page.items}
            offers = market.open_offers_by_evidence(directory.tag, list(ranks), limit=SKILL_ROWS)
            names = market.names_of([*ranks, *(o.freelancer for o in offers.items)])
            return {
                "directory": directory,
                "open_gigs": open_gigs,
                "offers": offers,
                "ranks": ranks,
                "names": names,
                "query": directory.skill,
            }

        return render(request, "skill.html", build)

    return router
