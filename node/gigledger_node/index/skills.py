"""Skill tags in the index: which gigs carry which skill, and the skills the index knows.

A skill is a bytes32 tag on chain (a short name, UTF-8, right-padded with zeros;
see `gigledger.skills`). Readers name skills by that name ("python"); this
module turns names into tags (refusing what cannot be one), keeps the
`gig_skills` rows that let gig lists filter by skill, and counts gigs and
freelancers per skill for `GET /skills`.

The projection here runs beside `projection.apply_events` and `roll_back`, in
the same database transaction (see `Indexer.commit`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, case, delete, func, select
from sqlalchemy.engine import Connection

from gigledger.events import Event, GigCreated
from gigledger.hashes import ZERO_HASH
from gigledger.skills import skill_name, skill_tag
from gigledger_node.index import db
from gigledger_node.index.errors import InvalidFilter

#: Longest skill name: a tag holds 32 bytes.
MAX_SKILL_BYTES = 32


def checked_skill(name: str) -> str:
    """The bytes32 tag of a skill name (or of a 0x tag); raises InvalidFilter."""
    text = (name or "").strip()
    if not text:
        raise InvalidFilter("skill must not be empty: give its name, e.g. skill=python")
    if len(text.encode()) > MAX_SKILL_BYTES:
        raise InvalidFilter(f"skill {text[:40]!r} is longer than {MAX_SKILL_BYTES} bytes, so no gig can carry it")
    if text.startswith("0x") and len(text) == 66:
        raise InvalidFilter("give the skill's name (skill=python), not its bytes32 tag")
    return skill_tag(text)


def gig_has_skill(tag: str):
    """A condition on `gigs` rows: the gig carries skill ``tag``."""
    return db.gigs.c.gig_id.in_(select(db.gig_skills.c.gig_id).where(db.gig_skills.c.skill == tag))


# ---------------------------------------------------------------- projection


def skill_rows(logs: Sequence[tuple[Event, dict]]) -> list[dict]:
    """The gig_skills rows of the gigs created among ``logs`` (each tag once, no empty tag)."""
    return [
        {"skill": tag, "gig_id": event.gig_id, "created_block": event.block_number}
        for event, _ in logs
        if isinstance(event, GigCreated)
        for tag in dict.fromkeys(event.skills)
        if tag != ZERO_HASH
    ]


def apply_gig_skills(conn: Connection, logs: Sequence[tuple[Event, dict]]) -> None:
    """Record the skills of the gigs created among ``logs``."""
    rows = skill_rows(logs)
    if rows:
        conn.execute(db.gig_skills.insert(), rows)


def roll_back_gig_skills(conn: Connection, ancestor: int) -> None:
    """Forget the skills of gigs created after block ``ancestor``."""
    conn.execute(delete(db.gig_skills).where(db.gig_skills.c.created_block > ancestor))


# ---------------------------------------------------------------- reads


@dataclass(frozen=True)
class SkillCount:
    """A skill the index knows, with how much work carries it."""

    name: str  # the readable name; a tag that is not text stays 0x-hex
    tag: str  # the bytes32 tag on chain
    gigs: int  # gigs created with this skill
    open_gigs: int  # of those, still waiting for a freelancer
    freelancers: int  # accounts that completed a gig with this skill


def skill_counts(engine: Engine) -> list[SkillCount]:
    """Every skill a gig carries, most gigs first, then by name."""
    gigs, tags, record = db.gigs, db.gig_skills, db.skill_reputation
    per_skill = (
        select(
            tags.c.skill,
            func.count().label("gigs"),
            func.sum(case((gigs.c.state == "OPEN", 1), else_=0)).label("open_gigs"),
        )
        .join(gigs, gigs.c.gig_id == tags.c.gig_id)
        .group_by(tags.c.skill)
    )
    freelancers = (
        select(record.c.skill, func.count().label("freelancers")).where(record.c.completed > 0).group_by(record.c.skill)
    )
    with engine.connect() as conn:
        counts = conn.execute(per_skill).all()
        done = {r.skill: r.freelancers for r in conn.execute(freelancers)}
    found = [SkillCount(skill_name(r.skill), r.skill, r.gigs, int(r.open_gigs or 0), done.get(r.skill, 0)) for r in counts]
    return sorted(found, key=lambda s: (-s.gigs, s.name))


def matching_skills(engine: Engine, text: str, limit: int = 20) -> list[SkillCount]:
    """Skills whose name contains ``text`` (case-insensitive), for search."""
    needle = text.strip().lower()
    if not needle:
        return []
    return [s for s in skill_counts(engine) if needle in s.name.lower()][:limit]
