"""The query layer the API and the explorer share: lists, search and argument checks."""

from __future__ import annotations

import pytest

from gigledger_node.index.queries import InvalidAddress, InvalidPaging, NothingFound, UnknownGig

STRANGER = "0x" + "12" * 20


def test_recent_gigs_are_newest_first(queries, story):
    assert [g.gig_id for g in queries.recent_gigs(limit=3)] == sorted(story.gigs.values(), reverse=True)[:3]


def test_recent_blocks_are_newest_first_and_hold_events(queries):
    blocks = queries.recent_blocks(limit=5)

    assert [b.number for b in blocks] == sorted((b.number for b in blocks), reverse=True)
    assert all(b.event_count > 0 for b in blocks)


def test_completions_are_counted_per_month(queries, story):
    months = queries.reputation(story.parties["bob"]).completed_over_time

    assert sum(m.completed for m in months) == 2 and all(len(m.month) == 7 for m in months)


def test_an_account_never_seen_has_an_empty_record(queries):
    reputation = queries.reputation(STRANGER)

    assert (reputation.completed, reputation.on_time_rate, reputation.volumes) == (0, None, [])


def test_search_finds_a_block_by_hash(queries):
    block = queries.recent_blocks(limit=1)[0]

    assert queries.search(block.hash).kind in {"block", "transaction"}


def test_search_without_a_match_says_so(queries):
    with pytest.raises(NothingFound):
        queries.search("hello")


@pytest.mark.parametrize("text", ["²", "#¹", "٣", "３"])
def test_search_for_a_digit_that_is_not_ascii_finds_nothing(queries, text):
    # str.isdigit() holds for superscripts (int() then fails) and for other scripts'
    # digits (int() reads them): neither is a block number anyone typed.
    with pytest.raises(NothingFound):
        queries.search(text)


def test_unknown_gig_is_not_found(queries):
    with pytest.raises(UnknownGig):
        queries.gig(10_000)


@pytest.mark.parametrize(("offset", "limit"), [(-1, 10), (0, 0), (0, 1001)])
def test_bad_paging_is_refused(queries, offset, limit):
    with pytest.raises(InvalidPaging):
        queries.payment_history(STRANGER, offset=offset, limit=limit)


def test_a_mistyped_checksum_is_refused(queries, story):
    bob = story.parties["bob"]
    mistyped = bob[:2] + bob[2:].swapcase() if bob[2:] != bob[2:].swapcase() else bob

    with pytest.raises(InvalidAddress, match="checksum"):
        queries.reputation(mistyped)
