"""The explorer's talent pages: every skill, and one skill's ranked freelancers and open gigs.

Figures come from the index's `skills` and `talent` modules, the same the query
API serves at /skills and /talent. The skill page keeps a section for open
service offers, filled once offers are indexed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gigledger_node.index.queries import Queries
from gigledger_node.index.skills import matching_skills, skill_counts
from gigledger_node.index.talent import Talent
from gigledger_node.index.trust import checked_trusted

#: Freelancers and open gigs a skill page lists.
SKILL_ROWS = 50


def skill_search(request: Request, queries: Queries, text: str) -> Response | None:
    """Where a search for ``text`` leads among skills: the skill's page for an exact
    name, the list of skills containing it otherwise; None when no skill matches."""
    found = matching_skills(queries.engine, text)
    exact = [s for s in found if s.name.lower() == text.strip().lower()]
    if exact:
        return RedirectResponse(request.url_for("explorer-skill", name=exact[0].name), status_code=303)
    if found:
        return RedirectResponse(request.url_for("explorer-skills").include_query_params(q=text.strip()), status_code=303)
    return None


def talent_pages(queries: Queries, talent: Talent) -> APIRouter:
    """The /skill (every skill) and /skill/{name} pages (the API has /skills and /talent);
        ``?trusted=0x..,0x..`` on a skill page seeds its trust score."""
    from gigledger_node.web.explorer import render

    router = APIRouter(include_in_schema=False)

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
            open_gigs = queries.gigs(skill=name, state="open", limit=SKILL_ROWS)
            return {"directory": directory, "open_gigs": open_gigs, "query": directory.skill}

        return render(request, "skill.html", build)

    return router
