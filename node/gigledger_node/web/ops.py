"""What operators and browser apps need from the web app beside the query API:
`/health` (liveness), `/metrics` (Prometheus), `/docs` served offline, and CORS.

The Swagger UI assets come from the `swagger-ui-bundle` package, so the API's
documentation works on a machine with no internet access.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import swagger_ui_bundle
from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from gigledger_node.index.queries import Queries
from gigledger_node.metrics import CONTENT_TYPE, Metrics

DOCS_ASSETS = "/docs-assets"
REQUESTS = "gigledger_api_requests_total"


def install_docs(app: FastAPI) -> None:
    """`/docs`: Swagger UI from the installed package instead of a CDN (create the app with docs_url=None)."""
    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - docs",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )


def install_operations(
    app: FastAPI, queries: Queries, metrics: Metrics | None = None, cors_origins: Sequence[str] = ()
) -> None:
    """`/health`, `/metrics` (the index's lag, per-route request counts) and, if origins are given, CORS."""
    metrics = metrics or Metrics()
    metrics.counter(REQUESTS, "HTTP requests served by the query API and explorer, by route and status.")
    metrics.gauge("gigledger_indexer_lag_blocks", "Blocks between the chain head and the index's checkpoint.",
                  lambda: queries.status().lag)

    @app.get("/health", tags=["operations"])
    def health() -> dict[str, str]:
        """Liveness: the web app answers."""
        return {"status": "ok"}

    @app.get("/metrics", tags=["operations"], response_class=Response)
    def prometheus() -> Response:
        """The node's figures in the Prometheus text format."""
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    @app.middleware("http")
    async def count_requests(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        metrics.inc(REQUESTS, route=_route_of(request), status=str(response.status_code))
        return response

    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET"], allow_headers=["*"])


def _route_of(request: Request) -> str:
    """The route template a request matched ("/gigs/{gig_id}"), so labels stay few; "other" if none."""
    return str(getattr(request.scope.get("route"), "path", "other"))
