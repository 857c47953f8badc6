"""The talent market's tables, projected from TalentMarket's events, and undone on reorg.

- `profiles`: each account's latest profile document with its content hash (and
  the fields a search needs, when the document follows the rules: the name, and
  its case-folded `name_key`, indexed in code point order so the names starting
  with a text are a range).
- `profile_words`: the words of each valid profile's case-folded name, so a name
  search reads an index range per word instead of every profile.
- `account_links`: the links live now, one row per pair (`first` < `second`).
- `offers` and `offer_skills`: every offer with its state (open, withdrawn,
  hired) and, once hired, the gig and client.

Rolling back past block N deletes what happened after N and rebuilds the rows it
had changed from the events that survive in `events`, so the tables always equal
a fresh index of the chain. All functions run inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Integer, String, Table, Text, delete, select, update
from sqlalchemy.engine import Connection

from gigledger.events import (
    AccountsLinked,
    AccountsUnlinked,
    Event,
    OfferHired,
    OfferPosted,
    OfferWithdrawn,
    ProfileUpdated,
    decode_log,
    event_topics,
)
from gigledger.profiles import Profile, content_hash, parse_profile
from gigledger_node.index import db

OPEN, WITHDRAWN, HIRED = "open", "withdrawn", "hired"
OFFER_STATES = (OPEN, WITHDRAWN, HIRED)
_TOPICS = event_topics()
#: Longest case-folded name: folding can lengthen a character up to three ("ΐ").
NAME_KEY_LENGTH = 3 * 100


def name_key(name: str) -> str:
    """A name as a search compares it: case-folded, runs of white space as one space."""
    return " ".join(name.casefold().split())


def name_words(name: str) -> list[str]:
    """The distinct words of ``name``'s key, in order."""
    return list(dict.fromkeys(name_key(name).split()))


#: PostgreSQL compares the words and name keys by code point ("C"), as SQLite does, so a prefix is a range of the index.
_WORD = String(NAME_KEY_LENGTH).with_variant(String(NAME_KEY_LENGTH, collation="C"), "postgresql")

profiles = Table(
    "profiles",
    db.metadata,
    db._address("account", primary_key=True),
    Column("document", Text, nullable=False),
    db._hash("content_hash", nullable=False),
    # The parsed name and headline (for search), or NULL when the document breaks the rules.
    Column("name", String(100), nullable=True),
    Column("headline", String(200), nullable=True),
    Column("valid", Boolean, nullable=False),
    Column("block_number", BigInteger, nullable=False),
    Column("log_index", Integer, nullable=False),
    db._hash("transaction_hash", nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("name_key", _WORD, nullable=True),
    Index("ix_profiles_block", "block_number"),
    Index("ix_profiles_name_key", "name_key"),
)

profile_words = Table(
    "profile_words",
    db.metadata,
    Column("word", _WORD, primary_key=True),
    db._address("account", primary_key=True),
    Index("ix_profile_words_account", "account"),
)

account_links = Table(
    "account_links",
    db.metadata,
    db._address("first", primary_key=True),
    db._address("second", primary_key=True),
    Column("block_number", BigInteger, nullable=False),
    db._hash("transaction_hash", nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Index("ix_account_links_second", "second"),
    Index("ix_account_links_block", "block_number"),
)

offers = Table(
    "offers",
    db.metadata,
    Column("offer_id", BigInteger, primary_key=True, autoincrement=False),
    db._address("freelancer", nullable=False),
    db._address("token", nullable=False),
    Column("price", db.Uint256, nullable=False),
    Column("delivery_time", BigInteger, nullable=False),
    Column("review_period", BigInteger, nullable=False),
    db._address("arbiter", nullable=False),
    db._hash("terms_hash", nullable=False),
    Column("skills", JSON, nullable=False),
    Column("state", String(16), nullable=False),
    Column("gig_id", BigInteger, nullable=True),
    db._address("client", nullable=True),
    Column("posted_block", BigInteger, nullable=False),
    Column("posted_at", BigInteger, nullable=False),
    db._hash("transaction_hash", nullable=False),
    Column("closed_block", BigInteger, nullable=True),
    Index("ix_offers_state", "state", "offer_id"),
    Index("ix_offers_freelancer", "freelancer", "offer_id"),
    Index("ix_offers_posted_block", "posted_block"),
    Index("ix_offers_closed_block", "closed_block"),
)

offer_skills = Table(
    "offer_skills",
    db.metadata,
    db._hash("skill", primary_key=True),
    Column("offer_id", BigInteger, primary_key=True, autoincrement=False),
)

MARKET_EVENTS = (ProfileUpdated, AccountsLinked, AccountsUnlinked, OfferPosted, OfferWithdrawn, OfferHired)


# ---------------------------------------------------------------- applying


def apply(conn: Connection, logs: Sequence[tuple[Event, dict]], timestamps: dict[int, int]) -> None:
    """Project the market events among ``logs`` (in chain order)."""
    for event, _ in logs:
        if isinstance(event, MARKET_EVENTS):
            _apply_one(conn, event, timestamps[event.block_number])


def _apply_one(conn: Connection, event: Event, timestamp: int) -> None:
    match event:
        case ProfileUpdated():
            _replace_profile(conn, event.account, _profile_row(event, timestamp))
        case AccountsLinked():
            conn.execute(account_links.insert().values(_link_row(event, timestamp)))
        case AccountsUnlinked():
            conn.execute(delete(account_links).where(*_pair(event.first, event.second)))
        case OfferPosted():
            conn.execute(offers.insert().values(_offer_row(event, timestamp)))
            tags = sorted(set(event.skills))
            if tags:
                conn.execute(offer_skills.insert(), [{"skill": tag, "offer_id": event.offer_id} for tag in tags])
        case OfferWithdrawn():
            _close_offer(conn, event.offer_id, WITHDRAWN, event.block_number)
        case OfferHired():
            _close_offer(conn, event.offer_id, HIRED, event.block_number, gig_id=event.gig_id, client=event.client)


#: Characters SQL text cannot hold (PostgreSQL refuses NUL), stored as the replacement character.
_UNSTORABLE = str.maketrans({"\x00": "\ufffd"})


def read_profile(document: str, logged_hash: str) -> tuple[Profile | None, str | None]:
    """A stored profile document's fields, or None and the reason it breaks the rules."""
    if content_hash(document) != logged_hash:
        return None, (
            "the published bytes are not UTF-8 text without NUL characters, so they are shown with "
            "replacement characters and no longer hash to the content hash"
        )
    try:
        profile = parse_profile(document)
    except ValueError as invalid:
        return None, str(invalid)
    if _holds_nul(asdict(profile)):  # escaped as \u0000 inside the JSON
        return None, "profile fields must not contain NUL characters"
    return profile, None


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_holds_nul(v) for v in value)
    return False


def _profile_row(event: ProfileUpdated, timestamp: int) -> dict:
    document = event.profile.translate(_UNSTORABLE)
    parsed, _ = read_profile(document, event.content_hash)
    return {
        "account": event.account,
        "document": document,
        "content_hash": event.content_hash,
        "name": parsed.name if parsed else None,
        "headline": parsed.headline if parsed else None,
        "valid": parsed is not None,
        "block_number": event.block_number,
        "log_index": event.log_index,
        "transaction_hash": event.transaction_hash,
        "timestamp": timestamp,
        "name_key": name_key(parsed.name) if parsed else None,
    }


def _replace_profile(conn: Connection, account: str, row: dict | None) -> None:
    """The account's profile row and name words become ``row``'s (none when None)."""
    conn.execute(delete(profile_words).where(profile_words.c.account == account))
    conn.execute(delete(profiles).where(profiles.c.account == account))
    if row is None:
        return
    conn.execute(profiles.insert().values(row))
    if row["name"] is not None:
        conn.execute(profile_words.insert(), [{"word": w, "account": account} for w in name_words(row["name"])])


def _link_row(event: AccountsLinked, timestamp: int) -> dict:
    return {
        "first": event.first,
        "second": event.second,
        "block_number": event.block_number,
        "transaction_hash": event.transaction_hash,
        "timestamp": timestamp,
    }


def _offer_row(event: OfferPosted, timestamp: int) -> dict:
    return {
        "offer_id": event.offer_id,
        "freelancer": event.freelancer,
        "token": event.token,
        "price": event.price,
        "delivery_time": event.delivery_time,
        "review_period": event.review_period,
        "arbiter": event.arbiter,
        "terms_hash": event.terms_hash,
        "skills": list(event.skills),
        "state": OPEN,
        "gig_id": None,
        "client": None,
        "posted_block": event.block_number,
        "posted_at": timestamp,
        "transaction_hash": event.transaction_hash,
        "closed_block": None,
    }


def _close_offer(
    conn: Connection, offer_id: int, state: str, block: int, *, gig_id: int | None = None, client: str | None = None
) -> None:
    conn.execute(
        update(offers)
        .where(offers.c.offer_id == offer_id)
        .values(state=state, closed_block=block, gig_id=gig_id, client=client)
    )


def _pair(first: str, second: str) -> tuple:
    return (account_links.c.first == first, account_links.c.second == second)


# ---------------------------------------------------------------- rolling back


def roll_back(conn: Connection, ancestor: int) -> None:
    """Undo the market's rows past block ``ancestor``; the events past it must still be stored."""
    undone = _market_events(conn, db.events.c.block_number > ancestor)
    if not undone:
        return
    _reopen_offers(conn, ancestor)
    for account in {e.account for e in undone if isinstance(e, ProfileUpdated)}:
        _restore_profile(conn, account, ancestor)
    oldest_undone: dict[tuple[str, str], Event] = {}
    for event in undone:
        if isinstance(event, (AccountsLinked, AccountsUnlinked)):
            oldest_undone.setdefault((event.first, event.second), event)
    for pair, event in oldest_undone.items():
        conn.execute(delete(account_links).where(*_pair(*pair)))
        if isinstance(event, AccountsUnlinked):  # linked at the ancestor, by its last surviving AccountsLinked
            _restore_link(conn, pair, ancestor)


def _market_events(conn: Connection, where) -> list[Event]:
    query = (
        select(*db.events.c)
        .where(where, db.events.c.name.in_([model.__name__ for model in MARKET_EVENTS]))
        .order_by(db.events.c.block_number, db.events.c.log_index)
    )
    return [event for row in conn.execute(query) if (event := decode_log(db.stored_log(row))) is not None]


def _last_surviving(conn: Connection, name: str, topics: bytes, ancestor: int):
    """The newest stored log up to ``ancestor`` whose topics are exactly ``topics``, with its block's time."""
    query = (
        select(*db.events.c, db.blocks.c.timestamp)
        .join(db.blocks, db.blocks.c.number == db.events.c.block_number)
        .where(db.events.c.name == name, db.events.c.topics == topics, db.events.c.block_number <= ancestor)
        .order_by(db.events.c.block_number.desc(), db.events.c.log_index.desc())
        .limit(1)
    )
    row = conn.execute(query).first()
    return None if row is None else (decode_log(db.stored_log(row)), row.timestamp)


def _topics(name: str, *addresses: str) -> bytes:
    return bytes.fromhex(_TOPICS[name][2:]) + b"".join(bytes.fromhex(a[2:].lower()).rjust(32, b"\0") for a in addresses)


def _reopen_offers(conn: Connection, ancestor: int) -> None:
    gone = select(offers.c.offer_id).where(offers.c.posted_block > ancestor)
    conn.execute(delete(offer_skills).where(offer_skills.c.offer_id.in_(gone)))
    conn.execute(delete(offers).where(offers.c.posted_block > ancestor))
    conn.execute(
        update(offers)
        .where(offers.c.closed_block > ancestor)
        .values(state=OPEN, closed_block=None, gig_id=None, client=None)
    )


def _restore_profile(conn: Connection, account: str, ancestor: int) -> None:
    found = _last_surviving(conn, "ProfileUpdated", _topics("ProfileUpdated", account), ancestor)
    _replace_profile(conn, account, None if found is None else _profile_row(*found))


def _restore_link(conn: Connection, pair: tuple[str, str], ancestor: int) -> None:
    found = _last_surviving(conn, "AccountsLinked", _topics("AccountsLinked", *pair), ancestor)
    if found is not None:
        event, timestamp = found
        conn.execute(account_links.insert().values(_link_row(event, timestamp)))
