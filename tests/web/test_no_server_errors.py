"""Whatever a browser types into the address bar or the search box, the explorer
answers with a page or a friendly error page, never a 500."""

from __future__ import annotations

from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROUTES = ("/gig/{}", "/tx/{}", "/block/{}", "/account/{}", "/account/{}/audit", "/find?q={}")

typed = st.one_of(
    st.text(min_size=1, max_size=80),
    st.integers(min_value=-(2**70), max_value=2**260).map(str),
    st.binary(min_size=1, max_size=40).map(lambda raw: "0x" + raw.hex()),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), text=typed)
def test_any_input_gets_a_page_or_a_friendly_error(explorer: str, route: str, text: str):
    url = explorer + route.format(quote(text, safe=""))
    response = httpx.get(url, headers={"accept": "text/html"}, timeout=60)
    # A redirect is an answer too: search sends you to what it found (303), and a
    # typed '/' (say '/gig/0/') is sent to the path without the trailing slash (307).
    assert response.is_redirect or response.status_code in (200, 400, 404), response.text[:500]
    assert response.is_redirect or "text/html" in response.headers["content-type"]


def test_api_clients_still_get_json_for_a_path_that_does_not_exist(explorer: str):
    response = httpx.get(f"{explorer}/no/such/route", headers={"accept": "application/json"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(min_size=1, max_size=300), st.sampled_from(["%", "_", "'", "\\", "<", "Eve", "eve adams"])))
def test_any_search_among_profiles_gets_a_page_or_a_friendly_error(market_explorer: str, text: str):
    response = httpx.get(f"{market_explorer}/find?q={quote(text, safe='')}", headers={"accept": "text/html"}, timeout=60)
    assert response.status_code in (200, 303, 400, 404), response.text[:500]
