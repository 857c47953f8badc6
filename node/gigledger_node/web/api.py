"""The query API: gigs, reputation, payment history and audits over HTTP (FastAPI).

Every answer comes from `gigledger_node.index.queries`, the same layer the
explorer renders, so the two never disagree. Amounts are decimal strings
(uint256 does not fit a JSON number). A caller's mistake (bad address, paging,
filter) is a 400, an unknown key a 404, each with {"error", "detail"}; the
OpenAPI description is at /openapi.json.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Sequence
from dataclasses import fields
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from gigledger.deployment import Deployment
from gigledger_node.index.health import FollowerHealth, with_health
from gigledger_node.index.market_queries import MarketQueries
from gigledger_node.index.queries import (
    MAX_LIMIT,
    AttestationRecord,
    GigDetail,
    GigSummary,
    IndexingStatus,
    NotFound,
    Page,
    PaymentRecord,
    Queries,
    QueryError,
    Reputation,
    SearchResult,
    TimelineEntry,
    checked_address,
)
from gigledger_node.index.talent import Talent
from gigledger_node.index.trust import Trust, operator_trusted
from gigledger_node.metrics import Metrics
from gigledger_node.web.api_talent import talent_router
from gigledger_node.web.auditing import Auditor, AuditUnavailable, ChainUnreachable
from gigledger_node.web.market_api import market_router
from gigledger_node.web.ops import install_docs, install_operations

Offset = Annotated[int, Query(ge=0, description="How many items to skip.")]
Format = Literal["json", "csv"]


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT}.")]


def _error(status: int, error: Exception) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": type(error).__name__, "detail": str(error)})


def _csv(rows: list, columns: list[str], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([getattr(row, c) for c in columns] for row in rows)
    return PlainTextResponse(
        out.getvalue(), media_type="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def api_router(
    queries: Queries,
    *,
    rpc_url: str | None = None,
    deployment: Deployment | None = None,
    health: FollowerHealth | None = None,
    trusted: Sequence[str] = (),
    trust: Trust | None = None,
) -> APIRouter:
    """The query API's routes over ``queries``; audits need ``rpc_url`` and ``deployment``;
    ``health`` is the in-process indexer's, when there is one; ``trust`` computes trust
    scores (else one seeded by ``trusted``, the accounts the operator trusts)."""
    router = APIRouter()
    trust = trust if trust is not None else Trust(queries.engine, trusted)
    auditor = Auditor.configured(queries, rpc_url, deployment)

    @router.get("/status", tags=["index"])
    def status() -> IndexingStatus:
        """How far the index has got: checkpoint, chain head, lag in blocks, seconds since the
        indexer last wrote, and the indexer's last error and last successful poll with their
        ages (from the index database, so a standalone `gigledger-node index` shows here too)."""
        return with_health(queries.status(), queries.engine, health)

    @router.get("/gigs", tags=["gigs"])
    def gigs(
        party: Annotated[str | None, Query(description="Client, freelancer or arbiter address.")] = None,
        state: Annotated[
            str | None,
            Query(
                description="The escrow's state: open, accepted, delivered, released, ... "
                "(open includes gigs hired from an offer whose freelancer has not accepted yet)."
            ),
        ] = None,
        token: Annotated[str | None, Query(description="Token address; the zero address for ETH.")] = None,
        since: Annotated[int | None, Query(description="Created at or after (unix seconds).")] = None,
        until: Annotated[int | None, Query(description="Created before (unix seconds).")] = None,
        skill: Annotated[str | None, Query(description="A skill's name, e.g. python (at most 32 bytes).")] = None,
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> Page[GigSummary]:
        """Gigs, newest first, filtered by party, state, token, creation time and skill.

        `state` is the escrow's own state of the gig, as the contract and the SDK name it.
        So `state=open` is every gig not yet accepted, including those that name their
        freelancer (hired from an offer, waiting for that freelancer to accept), which
        nobody else may take. For the gigs anybody may accept, use `GET /open-gigs?skill=`."""
        return queries.gigs(
            party=party, state=state, token=token, since=since, until=until, skill=skill, offset=offset, limit=limit
        )

    @router.get("/gigs/{gig_id}", tags=["gigs"])
    def gig(gig_id: int) -> GigDetail:
        """One gig with its whole timeline and the attestations it led to."""
        return queries.gig(gig_id)

    @router.get("/transactions/{transaction_hash}", tags=["gigs"])
    def transaction(transaction_hash: str) -> list[TimelineEntry]:
        """The indexed events of one transaction."""
        return queries.transaction(transaction_hash)

    @router.get("/accounts/{address}/reputation", tags=["accounts"])
    def reputation(address: str) -> Reputation:
        """Records, attestation totals, on-time rate, per-skill breakdown, completions per month."""
        return queries.reputation(address)

    @router.get("/accounts/{address}/attestations", tags=["accounts"])
    def attestations(address: str, offset: Offset = 0, limit: Limit = 50) -> Page[AttestationRecord]:
        """Attestations the account received, newest first."""
        return queries.attestations_received(address, offset=offset, limit=limit)

    @router.get(
        "/accounts/{address}/payments",
        tags=["accounts"],
        response_model=Page[PaymentRecord],
        responses={200: {"content": {"text/csv": {}}, "description": "JSON page, or CSV with format=csv"}},
    )
    def payments(
        address: str, offset: Offset = 0, limit: Limit = 100, format: Format = "json"
    ) -> Page[PaymentRecord] | Response:
        """Payments into and out of escrow for the account, oldest first; format=csv for auditors."""
        page = queries.payment_history(address, offset=offset, limit=limit)
        if format == "csv":
            columns = [f.name for f in fields(PaymentRecord)]
            return _csv(page.items, columns, f"payments-{checked_address(address)}-{offset}.csv")
        return page

    @router.get("/accounts/{address}/audit", tags=["accounts"])
    async def audit(address: str, format: Format = "json") -> Response:
        """Every payment of the account verified against the chain, and the escrow's balances
        reconciled with the index; mismatches are named."""
        account = checked_address(address)
        if auditor is None:
            raise AuditUnavailable("this API was started without --rpc and --deployment, so it cannot audit")
        report = await run_in_threadpool(auditor.report, account)
        if format == "csv":
            return PlainTextResponse(report.to_csv(), media_type="text/csv")
        return Response(report.to_json(), media_type="application/json")

    @router.get("/escrow/holdings", tags=["index"])
    def holdings() -> dict[str, dict[str, str]]:
        """What the index says the escrow still holds, per token (the zero address is ETH);
        auditors compare it with the escrow's balances on chain."""
        return {"holdings": {token: str(amount) for token, amount in queries.held_by_escrow().items()}}

    router.include_router(talent_router(Talent(queries.engine, trust)))

    @router.get("/search", tags=["index"])
    def search(q: Annotated[str, Query(description="An address, gig id, transaction or block hash.")]) -> SearchResult:
        """What a search text names."""
        return queries.search(q)

    return router


def create_app(
    queries: Queries,
    *,
    rpc_url: str | None = None,
    deployment: Deployment | None = None,
    health: FollowerHealth | None = None,
    trusted: Sequence[str] = (),
) -> FastAPI:
    """The node's web app: the query API (and the explorer's pages when installed).

    One `Trust` (one cache of scores), seeded by ``trusted``, serves every route and
    page: it is ``app.state.trust``, which `install_explorer` reuses."""
    app = FastAPI(
        title="GigLedger query API",
        version="1",
        description="Gigs, reputation and payment history from the GigLedger index; audits against the chain.",
        docs_url=None,
        redoc_url=None,
    )
    install_docs(app)
    app.state.trust = trust = Trust(queries.engine, trusted)
    app.include_router(api_router(queries, rpc_url=rpc_url, deployment=deployment, health=health, trust=trust))
    app.include_router(market_router(MarketQueries(queries.engine, queries, trust)))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        return JSONResponse(status_code=400, content={"error": "InvalidRequest", "detail": detail})

    @app.exception_handler(NotFound)
    async def not_found(_request: Request, error: NotFound) -> JSONResponse:
        return _error(404, error)

    @app.exception_handler(AuditUnavailable)
    async def unavailable(_request: Request, error: AuditUnavailable) -> JSONResponse:
        return _error(503, error)

    @app.exception_handler(ChainUnreachable)
    async def chain_unreachable(_request: Request, error: ChainUnreachable) -> JSONResponse:
        return _error(502, error)

    @app.exception_handler(QueryError)
    async def bad_request(_request: Request, error: QueryError) -> JSONResponse:
        return _error(400, error)

    return app


def web_app(
    db_url: str,
    *,
    rpc_url: str | None = None,
    deployment: Deployment | None = None,
    health: FollowerHealth | None = None,
    metrics: Metrics | None = None,
    cors_origins: Sequence[str] = (),
) -> FastAPI:
    """The query API with the explorer's pages and the operator's endpoints, over the index at ``db_url``."""
    from gigledger_node.index.db import open_index
    from gigledger_node.web.explorer import install_explorer

    queries = Queries(open_index(db_url))
    trusted = operator_trusted()
    app = create_app(queries, rpc_url=rpc_url, deployment=deployment, health=health, trusted=trusted)
    install_explorer(app, queries, rpc_url=rpc_url, deployment=deployment)
    install_operations(app, queries, metrics, cors_origins)
    return app


def serve(
    db_url: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    rpc_url: str | None = None,
    deployment: Deployment | None = None,
    cors_origins: Sequence[str] = (),
) -> None:
    """Serve the node's web app (query API and explorer) over the index at ``db_url``."""
    import uvicorn

    app = web_app(db_url, rpc_url=rpc_url, deployment=deployment, cors_origins=cors_origins)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def serve_in_background(
    db_url: str,
    *,
    host: str,
    port: int,
    rpc_url: str | None = None,
    deployment: Deployment | None = None,
    health: FollowerHealth | None = None,
    metrics: Metrics | None = None,
    cors_origins: Sequence[str] = (),
) -> threading.Thread:
    """Serve the web app from a daemon thread, as `gigledger-node start` does beside JSON-RPC."""
    import uvicorn

    app = web_app(db_url, rpc_url=rpc_url, deployment=deployment, health=health, metrics=metrics, cors_origins=cors_origins)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="web", daemon=True)
    thread.start()
    return thread
