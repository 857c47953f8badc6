"""The explorer: the index's gigs, reputation and audits as server-rendered pages.

Every figure comes from `gigledger_node.index.queries.Queries`, the layer the JSON
API serves, so a page and the API never disagree. The pages are plain HTML and CSS
(Jinja2) and work without JavaScript; the one script only annotates the chart.

A caller's mistake (a malformed address, gig id or hash) gets a friendly page with
status 400, something the index does not hold a friendly page with status 404;
neither is ever a 500.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Callable

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import NoMatchFound

from gigledger.deployment import Deployment
from gigledger.hashes import ZERO_HASH
from gigledger.report import AuditReport
from gigledger.skills import skill_name
from gigledger_node.index.market_queries import MarketQueries
from gigledger_node.index.queries import (
    MAX_LIMIT,
    GigSummary,
    IndexNotStarted,
    NotFound,
    Page,
    PaymentRecord,
    Queries,
    QueryError,
    Reputation,
    SkillBreakdown,
    TimelineEntry,
    checked_address,
)
from gigledger_node.web import display
from gigledger_node.web.auditing import Auditor, AuditUnavailable

HERE = Path(__file__).parent
STATIC = HERE / "static"
ZERO_ADDRESS = "0x" + "00" * 20
#: How many gigs and blocks the home page lists.
RECENT = 10
#: Longest list the account page shows before pointing to the API's paging.
ACCOUNT_ROWS = 200

EVENT_TITLES = {
    "GigCreated": "Created and funded",
    "GigAccepted": "Accepted",
    "GigCancelled": "Cancelled",
    "GigDelivered": "Delivered",
    "MilestoneReleased": "Milestone released",
    "GigReleased": "Paid out",
    "GigRefunded": "Refunded",
    "GigDisputed": "Disputed",
    "GigResolved": "Dispute resolved",
    "PaymentCredited": "Payout credited",
    "CreditWithdrawn": "Credit withdrawn",
    "Attested": "Attestation",
    "AttestationRevoked": "Attestation revoked",
    "OfferHired": "Hired from an offer",
}

PAYMENT_TITLES = {
    "deposit": "Funded the gig",
    "cancel_refund": "Refund of a cancelled gig",
    "milestone": "Milestone payout",
    "release": "Payout",
    "refund": "Refund after a missed deadline",
    "resolution": "Dispute settlement",
    "credited": "Payout credited, to withdraw",
    "withdrawal": "Credit withdrawn",
}


class BadInput(QueryError, ValueError):
    """The text in the address bar or the search box names nothing that could exist."""


# ---------------------------------------------------------------- formatting


def short(value: str | None) -> str:
    """A long hex value as its head and tail: 0x1234…cdef."""
    if not value:
        return ""
    return value if len(value) <= 14 else f"{value[:6]}…{value[-4:]}"


def token_name(token: str | None) -> str:
    """ETH for the zero address, the token's shortened address otherwise."""
    return "ETH" if not token or token == ZERO_ADDRESS else short(token)


def when(timestamp: int | str | None) -> str:
    """A unix time as a UTC date and time."""
    if not timestamp:
        return "never"
    return datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d %H:%M UTC")


def duration(seconds: int | str) -> str:
    """A length of time in the largest whole unit that fits: 3 days, 2 hours."""
    seconds = int(seconds)
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


def skill_label(tag: str) -> str:
    """A skill tag's readable name, or its shortened hex when it is not text."""
    name = skill_name(tag)
    return short(name) if name.startswith("0x") else name


def role_of(gig: GigSummary, address: str) -> str:
    """Which part `address` plays in a gig."""
    for role in ("client", "freelancer", "arbiter"):
        if getattr(gig, role).lower() == address.lower():
            return role
    return ""


def other_party(gig: GigSummary, address: str) -> str:
    """The gig's counterpart of `address`: the freelancer for its client, else the client."""
    return gig.freelancer if gig.client.lower() == address.lower() else gig.client


def make_templates() -> Jinja2Templates:
    """The explorer's templates with its formatting filters."""
    templates = Jinja2Templates(directory=HERE / "templates")
    env = templates.env
    env.filters.update(
        short=short,
        token_name=token_name,
        when=when,
        duration=duration,
        skill=skill_label,
        role_of=role_of,
        other_party=other_party,
        humanize_event=lambda name: EVENT_TITLES.get(name, name),
        humanize_payment=lambda kind: PAYMENT_TITLES.get(kind, kind),
        **display.FILTERS,
    )
    env.globals.update(zero_hash=ZERO_HASH, zero_address=ZERO_ADDRESS)
    return templates


# ---------------------------------------------------------------- page models


@dataclass(frozen=True)
class SkillTag:
    """A skill on the account page, sized by how much evidence backs it."""

    name: str
    evidence: int  # completed gigs tagged with it plus attestations naming it
    weight: int  # 1 (least) to 4 (most), relative to the account's best-backed skill


def skill_tags(skills: list[SkillBreakdown]) -> list[SkillTag]:
    """An account's skills, best-backed first, weighted for display."""
    backed = [(skill_label(s.skill), s.completed + s.attestations) for s in skills if s.skill != ZERO_HASH]
    backed = [(name, evidence) for name, evidence in backed if evidence > 0]
    most = max((evidence for _, evidence in backed), default=1)
    tags = [SkillTag(name, evidence, 1 + (3 * evidence) // most if evidence < most else 4) for name, evidence in backed]
    return sorted(tags, key=lambda tag: (-tag.evidence, tag.name))


@dataclass(frozen=True)
class Bar:
    """One month of the completions chart, in SVG user units."""

    label: str
    short_label: str
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    """Completed gigs per month, every month from the first to the last, as bars."""

    bars: list[Bar]
    total: int
    width: int = 320
    height: int = 120
    unit: str = "month"


def months_between(first: str, last: str) -> list[str]:
    """Every YYYY-MM month from `first` to `last`, inclusive."""
    year, month = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def completions_chart(reputation: Reputation) -> Chart:
    """The chart of `reputation.completed_over_time`, with empty months filled in."""
    counts = {m.month: m.completed for m in reputation.completed_over_time}
    if not counts:
        return Chart(bars=[], total=0)
    months = months_between(min(counts), max(counts))
    chart = Chart(bars=[], total=sum(counts.values()))
    slot = chart.width / len(months)
    width = min(slot * 0.7, 48)
    tallest = max(counts.values())
    for index, month in enumerate(months):
        count = counts.get(month, 0)
        height = (chart.height - 16) * count / tallest
        label = datetime.strptime(month, "%Y-%m").strftime("%B %Y")
        chart.bars.append(
            Bar(
                label=label,
                short_label=datetime.strptime(month, "%Y-%m").strftime("%b ’%y"),
                count=count,
                x=round(index * slot + (slot - width) / 2, 1),
                y=round(chart.height - height, 1),
                width=round(width, 1),
                height=round(height, 1),
            )
        )
    return chart


# ---------------------------------------------------------------- argument parsing


def parse_number(text: str, what: str) -> int:
    """A gig id or block number from the address bar; raises BadInput."""
    digits = text.strip().removeprefix("#")
    if not (digits.isascii() and digits.isdigit()):
        raise BadInput(f"{text!r} is not a {what}: expected a whole number such as 42")
    return int(digits)


# ---------------------------------------------------------------- auditing


def account_audit(auditor: Auditor | None, account: str) -> AuditReport | None:
    """The account's audit against the current head, or None when there is no chain to check against."""
    if auditor is None:
        return None
    try:
        return auditor.report(account)
    except AuditUnavailable:
        return None


def verification(report: AuditReport | None) -> dict[tuple[str, int], bool] | None:
    """Per payment (transaction hash, log index): whether the chain bears it out.

    None when there is no chain to check against; a payment the audit did not find
    on chain is absent, which the page shows as a mismatch.
    """
    if report is None:
        return None
    return {(row.payment.transaction_hash.lower(), row.payment.log_index): row.ok for row in report.rows}


# ---------------------------------------------------------------- pages


TEMPLATES = make_templates()


def render(request: Request, template: str, build: Callable[[], dict[str, Any]]) -> Response:
    """The page `template` with the context `build` returns, or a friendly error page."""
    try:
        context = build()
    except NotFound as error:
        return error_page(request, 404, "Not found", str(error))
    except AuditUnavailable as error:
        return error_page(request, 503, "Cannot audit right now", str(error))
    except QueryError as error:
        return error_page(request, 400, "That does not look right", str(error))
    return TEMPLATES.TemplateResponse(request, template, context)


def error_page(request: Request, status_code: int, heading: str, message: str) -> Response:
    """A friendly page saying what went wrong and what the visitor can do instead."""
    sentence = message[:1].upper() + message[1:].rstrip(".") + "."
    context = {"status_code": status_code, "heading": heading, "message": sentence}
    return TEMPLATES.TemplateResponse(request, "error.html", context, status_code=status_code)


# ---------------------------------------------------------------- routes


def explorer_router(
    queries: Queries,
    *,
    rpc_url: str | None = None,
    deployment: Deployment | None = None,
) -> APIRouter:
    """The explorer's pages over `queries`, to include in the node's web app.

    With `rpc_url` and `deployment` the audit page and the payments' verified
    marks check the chain (from the genesis hash the manifest pins).
    The account page links to the query API's CSV route, named "payments", when
    the app has it.
    """
    from gigledger_node.web.explorer_talent import search_elsewhere

    router = APIRouter(include_in_schema=False)
    auditor = Auditor.configured(queries, rpc_url, deployment)

    @router.get("/", response_class=HTMLResponse, name="explorer-home")
    def home(request: Request) -> Response:
        def build() -> dict[str, Any]:
            try:
                status = queries.status()
            except IndexNotStarted:
                status = None
            return {"status": status, "gigs": queries.recent_gigs(RECENT), "blocks": queries.recent_blocks(RECENT)}

        return render(request, "home.html", build)

    @router.get("/find", name="explorer-search")
    def search(request: Request, q: str = "") -> Response:
        text = q.strip()
        if not text:
            return RedirectResponse(request.url_for("explorer-home"), status_code=303)
        try:
            found = queries.search(text)
        except NotFound as error:
            return search_elsewhere(request, queries, text) or error_page(request, 404, "Nothing found", str(error))
        route, key = SEARCH_ROUTES[found.kind]
        return RedirectResponse(request.url_for(route, **{key: found.key}), status_code=303)

    @router.get("/gig/{gig_id}", response_class=HTMLResponse, name="explorer-gig")
    def gig(request: Request, gig_id: str) -> Response:
        def build() -> dict[str, Any]:
            detail = queries.gig(parse_number(gig_id, "gig id"))
            return {"gig": detail.summary, "detail": detail}

        return render(request, "gig.html", build)

    @router.get("/tx/{tx_hash}", response_class=HTMLResponse, name="explorer-tx")
    def transaction(request: Request, tx_hash: str) -> Response:
        def build() -> dict[str, Any]:
            events = queries.transaction(tx_hash)
            return {"tx_hash": tx_hash.lower(), "events": events, "tokens": gig_tokens(queries, events)}

        return render(request, "tx.html", build)

    @router.get("/block/{number}", response_class=HTMLResponse, name="explorer-block")
    def block(request: Request, number: str) -> Response:
        def build() -> dict[str, Any]:
            summary, events = queries.block(parse_number(number, "block number"))
            return {"block": summary, "events": events, "tokens": gig_tokens(queries, events)}

        return render(request, "block.html", build)

    @router.get("/account/{address}", response_class=HTMLResponse, name="explorer-account")
    def account(request: Request, address: str) -> Response:
        def build() -> dict[str, Any]:
            checked = checked_address(address)
            gigs = queries.gigs(party=checked, limit=ACCOUNT_ROWS)
            attestations = queries.attestations_received(checked, limit=ACCOUNT_ROWS)
            payments = queries.payment_history(checked, limit=ACCOUNT_ROWS)
            market = account_market(MarketQueries(queries.engine, queries), checked)
            if not (gigs.total or attestations.total or payments.total or has_market_presence(market)):
                raise NotFound(f"the index holds no gig, payment or attestation of {checked}")
            reputation = queries.reputation(checked)
            audited = account_audit(auditor, checked)
            return {
                "address": checked,
                "reputation": reputation,
                "skills": skill_tags(reputation.skills),
                "chart": completions_chart(reputation),
                "gigs": gigs,
                "attestations": attestations,
                "payments": payments,
                "verified": verification(audited),
                "record_verified": None if audited is None else audited.record_ok,
                "csv_url": payments_csv_url(request, checked, payments),
                "trust": trust_of(request, checked),
                "market": market,
            }

        return render(request, "account.html", build)

    @router.get("/account/{address}/audit", response_class=HTMLResponse, name="explorer-audit")
    def audit(request: Request, address: str) -> Response:
        def build() -> dict[str, Any]:
            checked = checked_address(address)
            if auditor is None:
                raise AuditUnavailable("this explorer was started without a chain endpoint and deployment")
            return {"address": checked, "report": auditor.report(checked), "checked_at": datetime.now(UTC)}

        return render(request, "audit.html", build)

    @router.get("/account/{address}/bundle", name="explorer-bundle")
    def bundle(request: Request, address: str) -> Response:
        try:
            checked = checked_address(address)
            if auditor is None:
                raise AuditUnavailable("this explorer was started without a chain endpoint and deployment")
            document = auditor.bundle(checked)
        except AuditUnavailable as error:
            return error_page(request, 503, "Cannot make a proof bundle right now", str(error))
        except QueryError as error:
            return error_page(request, 400, "That does not look right", str(error))
        disposition = f'attachment; filename="gigledger-proof-{checked}.json"'
        return Response(document, media_type="application/json", headers={"Content-Disposition": disposition})

    @router.get("/static/{name}", name="explorer-static")
    def static(name: str) -> Response:
        served = {p.name: p for p in STATIC.iterdir() if p.is_file()}
        if name not in served:
            return Response(status_code=404)
        return FileResponse(served[name])

    return router


#: Where a search result of each kind leads: route name and its path parameter.
SEARCH_ROUTES = {
    "account": ("explorer-account", "address"),
    "gig": ("explorer-gig", "gig_id"),
    "transaction": ("explorer-tx", "tx_hash"),
    "block": ("explorer-block", "number"),
}


def gig_tokens(queries: Queries, events: list[TimelineEntry]) -> dict[int, str]:
    """The token of each gig the events are about, so their amounts can be shown."""
    tokens = {}
    for gig_id in {int(event.args["gig_id"]) for event in events if "gig_id" in event.args}:
        try:
            tokens[gig_id] = queries.gig(gig_id).summary.token
        except NotFound:  # an attestation about a gig of another escrow the registry trusts
            continue
    return tokens


def trust_of(request: Request, account: str) -> tuple[float, str] | None:
    """The account's trust score and its seed's source, when the app computes trust and it has one."""
    trust = getattr(request.app.state, "trust", None)
    if trust is None:
        return None
    scores = trust.scores()
    score = scores.of(account) if scores.scores else None
    return None if score is None else (score, scores.seed_source)


def payments_csv_url(request: Request, account: str, payments: Page[PaymentRecord]) -> str | None:
    """The query API's CSV of the account's payments (as many as one page holds), if the app serves it."""
    try:
        url = request.url_for("payments", address=account)
    except NoMatchFound:
        return None
    return str(url.include_query_params(format="csv", limit=min(max(payments.total, 1), MAX_LIMIT)))


def install_explorer(
    app: FastAPI,
    queries: Queries,
    *,
    rpc_url: str | None = None,
    deployment: Deployment | None = None,
    trusted: Sequence[str] = (),
) -> None:
    """Adds the explorer's pages to the node's web app (see `explorer_router`), and
    answers a browser asking for a page that does not exist with a friendly 404 page
    (API clients keep FastAPI's JSON answer). Trust scores come from the app's
    `Trust` (``app.state.trust``, which `create_app` sets) so pages and API share one
    cache; an app without one gets one seeded by ``trusted``."""
    from gigledger_node.index.talent import Talent
    from gigledger_node.index.trust import Trust
    from gigledger_node.web.explorer_talent import talent_pages

    app.state.token_shelf = display.TokenShelf(queries.engine)
    if getattr(app.state, "trust", None) is None:
        app.state.trust = Trust(queries.engine, trusted)
    app.include_router(explorer_router(queries, rpc_url=rpc_url, deployment=deployment))
    app.include_router(talent_pages(queries, Talent(queries.engine, app.state.trust)))
    app.include_router(market_pages_router(MarketQueries(queries.engine, queries, app.state.trust)))

    @app.exception_handler(StarletteHTTPException)
    async def no_such_page(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404 and "text/html" in request.headers.get("accept", ""):
            return error_page(request, 404, "No such page", f"there is no page at {request.url.path}")
        return await http_exception_handler(request, error)


# The market's pages build on `render` above, so they are imported last.
from gigledger_node.web.market_pages import account_market, has_market_presence, market_pages_router  # noqa: E402
