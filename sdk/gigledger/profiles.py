"""Profiles: who an account says it is, in its own words, published on chain.

A profile is a small UTF-8 JSON document the account logs through the market
(`ProfileUpdated`): name, headline, skills (names), links, an optional rate and
availability. Its keccak256 is logged beside it, so anyone can check that what a
reader shows is exactly what the account published. The chain does not check the
document; `parse_profile` does, for every reader alike.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from eth_utils import keccak

from gigledger.errors import GigLedgerError

#: The longest profile the market accepts, in bytes.
MAX_PROFILE_BYTES = 4096
MAX_NAME = 100
MAX_HEADLINE = 200
MAX_SKILLS = 8
MAX_LINKS = 8
MAX_LINK = 300
MAX_AVAILABILITY = 200


class InvalidProfile(GigLedgerError, ValueError):
    """A profile document that is not the JSON object described in this module."""

    exit_code = 2


@dataclass(frozen=True)
class Rate:
    """What the account charges: `amount` as text in the token's units ("0.5eth", "40usdc")."""

    amount: str
    token: str  # "ETH" or a token address


@dataclass(frozen=True)
class Profile:
    """A published profile's fields."""

    name: str
    headline: str = ""
    skills: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    rate: Rate | None = None
    availability: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> str:
        """The document to publish: compact JSON, keys sorted, absent options left out."""
        data: dict[str, Any] = {
            "name": self.name,
            "headline": self.headline,
            "skills": list(self.skills),
            "links": list(self.links),
        }
        if self.rate is not None:
            data["rate"] = asdict(self.rate)
        if self.availability is not None:
            data["availability"] = self.availability
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        parse_profile(text)  # the same rules every reader applies
        return text


def content_hash(document: str) -> str:
    """keccak256 of the document's UTF-8 bytes, as the market logs it (0x-hex)."""
    return "0x" + keccak(document.encode()).hex()


def parse_profile(document: str) -> Profile:
    """The profile a published document describes; InvalidProfile when it breaks a rule."""
    if len(document.encode()) > MAX_PROFILE_BYTES:
        raise InvalidProfile(f"a profile is at most {MAX_PROFILE_BYTES} bytes of UTF-8 JSON")
    try:
        data = json.loads(document)
    except json.JSONDecodeError as error:
        raise InvalidProfile(f"a profile is a JSON object: {error}") from None
    except RecursionError:  # anyone may log "[[[[…": readers must refuse it, not crash
        raise InvalidProfile("a profile is a JSON object, not nested this deeply") from None
    if not isinstance(data, dict):
        raise InvalidProfile("a profile is a JSON object")
    known = {"name", "headline", "skills", "links", "rate", "availability"}
    return Profile(
        name=_text(data, "name", MAX_NAME, required=True),
        headline=_text(data, "headline", MAX_HEADLINE),
        skills=_texts(data, "skills", MAX_SKILLS, 32),
        links=_texts(data, "links", MAX_LINKS, MAX_LINK),
        rate=_rate(data.get("rate")),
        availability=_text(data, "availability", MAX_AVAILABILITY) if data.get("availability") is not None else None,
        extra={k: v for k, v in data.items() if k not in known},
    )


def _text(data: dict, key: str, limit: int, *, required: bool = False) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise InvalidProfile(f"profile {key} must be text")
    if required and not value.strip():
        raise InvalidProfile(f"a profile needs a {key}")
    if len(value) > limit:
        raise InvalidProfile(f"profile {key} is longer than {limit} characters")
    return value


def _texts(data: dict, key: str, count: int, limit: int) -> tuple[str, ...]:
    values = data.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise InvalidProfile(f"profile {key} must be a list of non-empty texts")
    if len(values) > count:
        raise InvalidProfile(f"a profile lists at most {count} {key}")
    too_long = [v for v in values if len(v.encode()) > limit]
    if too_long:
        raise InvalidProfile(f"profile {key} entry {too_long[0]!r} is longer than {limit} bytes")
    return tuple(values)


def _rate(value: Any) -> Rate | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) and value.get(k) for k in ("amount", "token")):
        raise InvalidProfile('profile rate must be {"amount": "0.5eth", "token": "ETH" or an address}')
    return Rate(amount=value["amount"], token=value["token"])
