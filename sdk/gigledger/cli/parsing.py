"""How `gigledger` reads its arguments: amounts, durations, deadlines, addresses, hashes.

A parser here raises `typer.BadParameter` (exit 2, naming the option) for text it
cannot read; `parse_amount` raises the SDK's `InvalidAmount`, which names the
units the token takes.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated

import typer

from gigledger.addresses import InvalidAddress, checked_address
from gigledger.amounts import TokenUnits
from gigledger.hashes import as_bytes32


def parse_amount(text: str, units: TokenUnits) -> int:
    """An amount in the token's own units ("1eth", "0.5eth", "250usdc") as its smallest unit.

    A bare number is refused (InvalidAmount says which units the token takes): "1"
    silently meaning 1 wei would escrow 10^18 times too little."""
    return units.parse(text)


_DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """A duration: "90s", "30m", "12h", "7d", "2w", or plain seconds."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhdw]?)\s*", text.lower())
    if not match:
        raise typer.BadParameter(f"{text!r} is not a duration (examples: 3600, 12h, 7d)")
    return timedelta(seconds=int(match.group(1)) * _DURATION_UNITS[match.group(2)])


def parse_moment(text: str) -> timedelta | datetime:
    """A deadline: a duration from now ("7d") or an ISO date/time ("2026-12-31T17:00:00+00:00")."""
    try:
        return parse_duration(text)
    except typer.BadParameter:
        pass
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is neither a duration (7d) nor an ISO date/time") from None


def parse_address(text: str) -> str:
    """An address, checksummed; a mixed-case one must carry a correct checksum."""
    try:
        return checked_address(text)
    except InvalidAddress as error:
        raise typer.BadParameter(str(error)) from None


def parse_bytes32(text: str) -> str:
    """A bytes32 hash as 0x and 64 hex digits."""
    try:
        return as_bytes32(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a bytes32 hash: expected 0x followed by 64 hex digits, such as the keccak256 of the document"
        ) from None


AddressArg = Annotated[str, typer.Argument(parser=parse_address, help="An account address.")]
GigId = Annotated[int, typer.Argument(help="The gig's id.", min=1)]
