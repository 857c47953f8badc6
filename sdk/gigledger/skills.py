"""Skill tags: short names ("python", "logo-design") stored on chain as bytes32."""

from __future__ import annotations

from gigledger.hashes import ZERO_HASH, as_bytes32


def skill_tag(skill: str) -> str:
    """The bytes32 (0x-hex) tag for a skill name, or the tag itself when given one.

    A name is its UTF-8 bytes, right-padded with zeros; it must fit in 32 bytes.
    """
    if skill.startswith("0x") and len(skill) == 66:
        return as_bytes32(skill)
    encoded = skill.encode()
    if len(encoded) > 32:
        raise ValueError(f"skill tag {skill!r} is longer than 32 bytes")
    return "0x" + encoded.ljust(32, b"\0").hex()


def skill_name(tag: str) -> str:
    """The readable name of a tag made by `skill_tag`; other tags stay hex; empty for zero."""
    if tag == ZERO_HASH:
        return ""
    raw = bytes.fromhex(tag.removeprefix("0x")).rstrip(b"\0")
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        return tag
    return text if text.isprintable() else tag
