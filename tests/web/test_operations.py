"""The web app's operator endpoints: /health, /metrics, /docs without a CDN, and CORS."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gigledger_node.metrics import Metrics
from gigledger_node.web.api import web_app

ORIGIN = "https://app.example"


@pytest.fixture
def index_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'index.sqlite'}"


@pytest.fixture
def http(index_url) -> TestClient:
    """The web app over an empty index, with CORS open to ORIGIN."""
    return TestClient(web_app(index_url, cors_origins=[ORIGIN]))


def test_health_answers_ok(http):
    response = http.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_metrics_count_requests_by_route_template_and_status(http):
    http.get("/gigs/7")
    http.get("/gigs/8")
    text = http.get("/metrics").text
    assert 'gigledger_api_requests_total{route="/gigs/{gig_id}",status="404"} 2' in text


def test_metrics_are_prometheus_text(http):
    response = http.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "# TYPE gigledger_api_requests_total counter" in response.text


def test_metrics_include_the_node_figures_they_are_given(index_url):
    metrics = Metrics()
    metrics.gauge("gigledger_head_block", "Head.", lambda: 42)
    text = TestClient(web_app(index_url, metrics=metrics)).get("/metrics").text
    assert "gigledger_head_block 42" in text


def test_docs_load_their_assets_from_the_node_not_a_cdn(http):
    page = http.get("/docs").text
    assert "cdn" not in page.lower() and "/docs-assets/swagger-ui-bundle.js" in page
    assert http.get("/docs-assets/swagger-ui-bundle.js").status_code == 200


def test_cors_admits_a_configured_origin(http):
    response = http.get("/health", headers={"Origin": ORIGIN})
    assert response.headers["access-control-allow-origin"] == ORIGIN


def test_cors_admits_no_other_origin(http):
    response = http.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


def test_without_configured_origins_there_is_no_cors(index_url):
    response = TestClient(web_app(index_url)).get("/health", headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in response.headers
