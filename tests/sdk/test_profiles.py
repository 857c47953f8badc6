"""Profile documents: the rules every reader applies to what an account published."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gigledger.errors import GigLedgerError
from gigledger.market import published_profile
from gigledger.profiles import MAX_PROFILE_BYTES, InvalidProfile, Profile, Rate, content_hash, parse_profile


def test_profile_round_trips_through_its_document():
    profile = Profile(name="Ada", headline="Data", skills=("python",), links=("https://a.example",),
                      rate=Rate("0.5eth", "ETH"), availability="20h/week")
    assert parse_profile(profile.to_json()) == profile


@pytest.mark.parametrize(
    ("document", "rule"),
    [
        ("not json", "JSON object"),
        ("[]", "JSON object"),
        ("{}", "needs a name"),
        ('{"name": 5}', "must be text"),
        ('{"name": "A", "skills": "python"}', "list of non-empty texts"),
        ('{"name": "A", "skills": ["' + "x" * 33 + '"]}', "longer than 32 bytes"),
        ('{"name": "A", "rate": {"amount": 1}}', "profile rate"),
    ],
)
def test_document_breaking_a_rule_is_refused(document, rule):
    with pytest.raises(InvalidProfile, match=rule):
        parse_profile(document)


def test_oversized_document_is_refused():
    with pytest.raises(InvalidProfile, match=f"at most {MAX_PROFILE_BYTES} bytes"):
        parse_profile(json.dumps({"name": "A", "headline": "x" * MAX_PROFILE_BYTES}))


def test_publishing_checks_the_rules_first():
    with pytest.raises(InvalidProfile, match="needs a name"):
        Profile(name=" ").to_json()


def test_a_profile_whose_document_does_not_match_its_hash_is_refused():
    honest = Profile(name="Ada").to_json()
    record = {"account": "0x" + "11" * 20, "document": honest.replace("Ada", "Eve"), "content_hash": content_hash(honest),
              "block_number": 1, "transaction_hash": "0x" + "22" * 32}
    with pytest.raises(GigLedgerError, match="does not match its content hash"):
        published_profile(record)


def test_deeply_nested_document_is_refused_not_a_crash():
    """Anyone can log any 4096 bytes: an indexer that crashed on one would stop for good.
    (Python's default recursion limit, which hypothesis raises in its tests.)"""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        with pytest.raises(InvalidProfile, match="nested"):
            parse_profile("[" * 4000)
    finally:
        sys.setrecursionlimit(limit)


@given(st.text(max_size=300))
def test_any_document_parses_or_is_refused_with_invalid_profile(document):
    try:
        parse_profile(document)
    except InvalidProfile:
        pass
