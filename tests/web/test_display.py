"""The explorer's relative times: "3 days ago" beside UTC."""

from __future__ import annotations

import pytest

from gigledger_node.web.display import ago

NOW = 1_800_000_000


@pytest.mark.parametrize(
    ("offset", "shown"),
    [
        (-3 * 86_400, "3 days ago"),
        (-86_400, "1 day ago"),
        (2 * 3_600, "in 2 hours"),
        (-59, "just now"),
        (-400 * 86_400, "1 year ago"),
        (45 * 86_400, "in 1 month"),
    ],
)
def test_times_are_said_relative_to_now(offset, shown):
    assert ago(NOW + offset, now=NOW) == shown


def test_no_time_says_nothing():
    assert ago(0, now=NOW) == ""
