"""Name search at scale: `people_named` latency over many profiles, one letter to whole names.

Seeds PROFILES synthetic profiles straight into each database (profiles, their
words, and a reputation row each; first names from a list, surnames from
syllables, so a one-letter word matches about a twentieth of the words and a
common first name a few thousand), then times `people_named` for texts from one
letter to a whole name, p50 and max over SAMPLES calls. `--explain` prints each
query's plan (`EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN ANALYZE` on PostgreSQL).
`--quick` seeds a tenth.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

from sqlalchemy import Engine, event, text

from gigledger_node.index import db, market
from gigledger_node.index.db import open_index
from gigledger_node.index.market_queries import MAX_NAME_CANDIDATES, MAX_NAME_SCAN, MarketQueries
from gigledger_node.index.scratch import scratch_database

PROFILES = 200_000
SAMPLES = 20
TEXTS = ("a", "ad", "ada", "ada lovelace", "ada l", "l ada", "a b c d e f g h")
FIRST = (
    "Ada Adam Adrian Adele Aisha Alan Alice Amara Ana Anton Arjun Ava Ben Bianca Carla Chen Chloe Dan Dara Elena Emil Emma "
    "Eva Farah Felix Grace Hana Hugo Ines Ivan Jade Jon Kai Kim Lara Leo Lina Luca Maya Mei Mila Nia Noah Omar Otto Priya "
    "Ravi Rosa Sami Sara Tariq Tom Uma Vera Wei Yara Yusuf Zoe"
).split()
SYLLABLES = "ba ce di lo ma ne ri so ta vu ka le mi no pe ru sa te vo ze ha ji ko lu".split()


def _address(i: int) -> str:
    return "0x" + f"{i:040x}"


def _name(rng: random.Random) -> str:
    surname = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
    return f"{rng.choice(FIRST)} {surname.capitalize()}"


def seed(engine: Engine, count: int) -> str:
    """``count`` valid profiles, their words and records, in bulk; returns the account
    of the one Ada Lovelace (halfway through the accounts)."""
    ada = _address(count // 2 + 1)
    rng = random.Random(5)
    with engine.begin() as conn:
        for start in range(0, count, 20_000):
            profiles, words, records = [], [], []
            for i in range(start, min(start + 20_000, count)):
                account = _address(i + 1)
                name = "Ada Lovelace" if account == ada else _name(rng)
                profiles.append({
                    "account": account, "document": "{}", "content_hash": "0x" + "00" * 32, "name": name, "headline": "",
                    "valid": True, "block_number": 1, "log_index": i, "transaction_hash": "0x" + "00" * 32,
                    "timestamp": 0, "name_key": market.name_key(name),
                })
                words += [{"word": w, "account": account} for w in market.name_words(name)]
                completed = 50 if account == ada else rng.randint(0, 49)  # the best-recorded of her namesakes
                records.append({
                    "account": account, "completed": completed, "on_time": completed, "missed_deadlines": 0,
                    "disputes_opened": 0, "disputes_won": 0, "disputes_lost": 0, "attestations": 0, "score_sum": 0,
                    "gigs_as_client": 0, "gigs_as_freelancer": completed,
                })
            conn.execute(market.profiles.insert(), profiles)
            conn.execute(market.profile_words.insert(), words)
            conn.execute(db.reputation.insert(), records)
        conn.execute(text("ANALYZE"))
    return ada


def explain(engine: Engine, search: MarketQueries, words: str) -> None:
    """Print the plan of each statement ``people_named(words)`` runs."""
    statements: list[tuple[str, Any]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    search.people_named(words)
    event.remove(engine, "before_cursor_execute", record)
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) "
    for statement, parameters in statements:
        if "reputation.completed" not in statement:
            continue  # the trust scores' and identities' own reads
        with engine.connect() as conn:
            cursor = conn.connection.cursor()
            cursor.execute(prefix + statement, parameters)
            print(f"--- {engine.dialect.name} people_named({words!r})")
            for row in cursor.fetchall():
                print("   ", row[-1])


def timings(search: MarketQueries, words: str) -> tuple[float, float]:
    """p50 and max milliseconds of ``people_named(words)`` over SAMPLES calls (one warm-up)."""
    search.people_named(words)
    samples = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        search.people_named(words)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def run(quick: bool = False, show_plans: bool = False) -> list[dict]:
    """p50 and max latency rows for each text, on each database."""
    count = PROFILES // 10 if quick else PROFILES
    rows = []
    for kind in ("sqlite", "postgresql"):
        with scratch_database(kind) as url:
            engine = open_index(url)
            ada = seed(engine, count)
            search = MarketQueries(engine)
            for words in TEXTS:
                if show_plans:
                    explain(engine, search, words)
                p50, worst = timings(search, words)
                listed = [p.account for p in search.people_named(words, limit=MAX_NAME_CANDIDATES)]
                rank = f"#{listed.index(ada) + 1} of {len(listed)}" if ada in listed else f"not among {len(listed)}"
                note = f"{count:,} profiles; max {worst:,.1f} ms over {SAMPLES}; Ada Lovelace {rank}"
                rows.append({"benchmark": f"people_named({words!r}), {kind}: p50", "value": p50, "unit": "ms",
                             "baseline": None, "ratio": None, "note": note})
            engine.dispose()
    return rows


def notes(rows: list[dict]) -> str:
    """What the rows show, printed under the table."""
    return (
        f"One request reads at most {MAX_NAME_SCAN:,} entries of the word index for its longest word "
        f"and {MAX_NAME_SCAN:,} names from the start of the name as typed, and checks every other word per "
        "candidate: a one-letter search costs about what a common first name does, and no more when the "
        "directory grows (tests/index/test_name_search.py counts the database work). Before this bound, "
        "'a' took 176 ms on SQLite and 392 ms on PostgreSQL at 200,000 profiles (a helper's run on a loaded "
        "machine, not this run) and grew about 4x from 20,000 profiles. Ada Lovelace, the namesake with the "
        "best record, is listed first in every search that names her. PostgreSQL with its default cost "
        "settings sometimes prefers a whole-table read to 2,000 index lookups at this size; its p50 moves "
        "with that choice."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of the profiles")
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    args = parser.parse_args()
    for row in run(quick=args.quick, show_plans=args.explain):
        print(f"{row['benchmark']}: {row['value']:,.2f} {row['unit']}  {row['note']}")


if __name__ == "__main__":
    main()
