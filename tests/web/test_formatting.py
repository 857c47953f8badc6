"""The explorer's formatting of amounts, hashes, times and months (no browser needed)."""

from __future__ import annotations

from gigledger_node.web.explorer import duration, months_between, short, token_name, when


def test_short_keeps_the_head_and_tail_of_a_hash():
    assert short("0x" + "ab" * 20) == "0xabab…abab"


def test_token_name_of_the_zero_address_is_eth():
    assert token_name("0x" + "00" * 20) == "ETH"
    assert token_name("0x" + "12" * 20) == "0x1212…1212"


def test_when_is_a_utc_date_and_time():
    assert when(0) == "never"
    assert when(86_400) == "1970-01-02 00:00 UTC"


def test_duration_uses_the_largest_whole_unit():
    assert duration(86_400) == "1 day"
    assert duration(7_200) == "2 hours"
    assert duration(90) == "90 seconds"


def test_months_between_crosses_a_year_end():
    assert months_between("2026-11", "2027-02") == ["2026-11", "2026-12", "2027-01", "2027-02"]
