"""Checks on what callers pass the query layer: addresses, paging, filters.

The API and the explorer call the same checks, so a bad value gets the same
error (see `errors`) wherever it is typed.
"""

from __future__ import annotations

from gigledger import addresses
from gigledger.gigs import State
from gigledger.skills import skill_name
from gigledger_node.index.errors import InvalidAddress, InvalidFilter, InvalidPaging

#: Largest page a caller may ask for.
MAX_LIMIT = 1000
#: Largest integer the index stores (SQL BIGINT); larger ids and times match nothing.
MAX_STORED = 2**63 - 1


def checked_address(text: str) -> str:
    """``text`` as a checksummed address (`gigledger.addresses.checked_address`); raises InvalidAddress."""
    try:
        return addresses.checked_address(text)
    except addresses.InvalidAddress as error:
        raise InvalidAddress(str(error)) from None


def checked_paging(offset: int, limit: int) -> None:
    """Raises InvalidPaging unless 0 <= offset and 1 <= limit <= MAX_LIMIT."""
    if not 0 <= offset <= MAX_STORED:
        raise InvalidPaging(f"offset must be between 0 and {MAX_STORED}, not {offset}")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidPaging(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")


def checked_state(name: str) -> str:
    """A gig state name in the index's spelling (upper case); raises InvalidFilter."""
    try:
        return str(State[name.upper()].name)
    except KeyError:
        known = ", ".join(str(s.name).lower() for s in State)
        raise InvalidFilter(f"unknown gig state {name!r}; expected one of {known}") from None


def checked_time(name: str, value: int) -> int:
    """A unix time in seconds the index can compare with; raises InvalidFilter."""
    if not 0 <= value <= MAX_STORED:
        raise InvalidFilter(f"{name} must be a unix time in seconds, not {value}")
    return value


def skill_text(skill: str) -> str | None:
    """A bytes32 skill tag's name (`gigledger.skills.skill_name`), or None when it is not text."""
    name = skill_name(skill)
    return name if name and name != skill else None
