"""Reads: gigs by party and state, reputation, and payment history (chain and query API)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from gigledger import GigLedger, State
from gigledger.client import QueryApiUnreachable
from gigledger.payments import payments_csv
from gigledger.testing import free_port

from .conftest import GIG_AMOUNT


def test_gigs_filters_by_client_and_state(create_gig, client, freelancer, reader):
    open_gig = create_gig()
    accepted = freelancer.accept(create_gig()).gig
    assert [g.gig_id for g in reader.gigs(client=client.address)] == [open_gig.gig_id, accepted.gig_id]
    assert [g.gig_id for g in reader.gigs(state="accepted")] == [accepted.gig_id]
    assert [g.gig_id for g in reader.gigs(freelancer=freelancer.address, state=State.OPEN)] == [open_gig.gig_id]


def test_gigs_by_freelancer_include_open_gigs_they_accepted(create_gig, stranger, reader):
    taken = stranger.accept(create_gig(freelancer=None)).gig
    assert [g.gig_id for g in reader.gigs(freelancer=stranger.address)] == [taken.gig_id]


def test_reputation_counts_completions_attestations_and_skills(released_gig, client, freelancer, reader):
    client.attest(released_gig, 4, "python")
    reputation = reader.reputation(freelancer.address)
    assert reputation.record.completed == 1
    assert reputation.on_time_rate == 1.0
    assert (reputation.attestation_count, reputation.average_score) == (1, 4.0)
    [python] = reputation.skills
    assert (python.skill, python.gigs_completed, python.attestations, python.average_score) == ("python", 1, 1, 4.0)
    [eth] = reputation.volumes
    assert eth.earned == GIG_AMOUNT


def test_reputation_counts_a_missed_deadline(accepted_gig, client, freelancer, chain, reader):
    chain.advance(7 * 86_400 + 1)
    client.refund(accepted_gig)
    assert reader.reputation(freelancer.address).record.missed_deadlines == 1


def test_payment_history_lists_deposit_and_release_from_the_chain(released_gig, client, freelancer, reader):
    [deposit] = reader.payment_history(client.address)
    [release] = reader.payment_history(freelancer.address)
    assert (deposit.kind, deposit.direction, deposit.amount) == ("deposit", "in", GIG_AMOUNT)
    assert (release.kind, release.direction, release.amount, release.gig_id) == (
        "release", "out", GIG_AMOUNT, released_gig.gig_id
    )
    assert release.block_number > deposit.block_number


def test_payment_history_as_csv_has_a_header_and_a_row_each(released_gig, client, reader):
    lines = payments_csv(reader.payment_history(client.address)).splitlines()
    assert lines[0].startswith("transaction_hash,log_index,block_number")
    assert len(lines) == 2


@pytest.fixture
def query_api(released_gig, create_gig, reader, client):
    """A loopback query API serving the client's two deposits, one per page, as the indexer's API does."""
    create_gig()
    rows = [
        {**p.__dict__, "amount": str(p.amount), "fee": str(p.fee), "timestamp": 0}
        for p in reader.payment_history(client.address)
    ]
    requested: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requested.append(self.path)
            offset = int(parse_qs(urlparse(self.path).query)["offset"][0])
            page = {"items": rows[offset : offset + 1], "offset": offset, "limit": 1, "total": len(rows),
                    "next_offset": offset + 1 if offset + 1 < len(rows) else None}
            body = json.dumps(page).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requested
    server.shutdown()
    server.server_close()


def test_payment_history_comes_from_the_query_api_when_configured(query_api, chain, deployment, client, reader):
    url, requested = query_api
    via_api = GigLedger.connect(chain.endpoint, deployment=deployment, api_url=url)
    from_api = via_api.payment_history(client.address)
    assert len(from_api) == 2
    assert from_api == reader.payment_history(client.address)
    assert len(requested) == 2
    assert urlparse(requested[0]).path == f"/accounts/{client.address}/payments"


def test_an_unreachable_query_api_says_how_to_do_without(chain, deployment, client):
    via_api = GigLedger.connect(chain.endpoint, deployment=deployment, api_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(QueryApiUnreachable, match="GIGLEDGER_API"):
        via_api.payment_history(client.address)
