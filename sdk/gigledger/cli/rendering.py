"""How `gigledger` shows what it read or did: tables for people, JSON and CSV for programs.

Every amount goes through a `UnitsBook`, so it is shown in its token's own units.
"""

from __future__ import annotations

import enum
import json
import sys
from dataclasses import fields, is_dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from gigledger.amounts import UnitsBook
from gigledger.gigs import ZERO_ADDRESS, Gig
from gigledger.payments import Payment
from gigledger.report import AuditReport
from gigledger.reputation import Reputation
from gigledger.skills import skill_name
from gigledger.transactions import Receipt

if TYPE_CHECKING:
    from gigledger.cli.context import Settings
    from gigledger.client import GigResult

#: Exit code when an audit finds mismatches.
AUDIT_FAILED = 9

# Piped output is read by people too: do not squeeze addresses into 80 columns.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 220)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def jsonable(value: Any) -> Any:
    """Dataclasses, flags and tuples as plain JSON values (flags by name)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def print_json(value: Any) -> None:
    """`value` as indented JSON on stdout."""
    out.print(json.dumps(jsonable(value), indent=2), markup=False)


def short_address(address: str) -> str:
    """An address, or a dash for the zero address."""
    return "—" if address == ZERO_ADDRESS else address


def show_time(timestamp: int) -> str:
    """A unix time in the local zone, or a dash for 0 (not yet)."""
    return datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z") if timestamp else "—"


def token_name(token: str) -> str:
    """ETH for the zero address, else the token's address."""
    return "ETH" if token == ZERO_ADDRESS else token


def field_table(title: str, rows: list[tuple[str, str]]) -> Table:
    """A two-column table of named values."""
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for name, value in rows:
        table.add_row(name, value)
    return table


def gig_table(gig: Gig, units: UnitsBook) -> Table:
    """One gig, field by field."""
    return field_table(
        f"Gig {gig.gig_id}",
        [
            ("state", str(gig.state.name)),
            ("client", gig.client),
            ("freelancer", short_address(gig.freelancer) if gig.freelancer != ZERO_ADDRESS else "open to anyone"),
            ("arbiter", gig.arbiter),
            ("token", token_name(gig.token)),
            ("amount", units.show(gig.amount, gig.token)),
            ("paid", units.show(gig.paid, gig.token)),
            ("milestones", ", ".join(units.show(m, gig.token) for m in gig.milestones) or "—"),
            ("released milestones", str(gig.released)),
            ("deadline", show_time(gig.deadline)),
            ("review period", str(timedelta(seconds=gig.review_period))),
            ("fee", f"{gig.fee_bps / 100:g}%"),
            ("delivered at", show_time(gig.delivered_at)),
            ("disputed at", show_time(gig.disputed_at)),
            ("skills", ", ".join(skill_name(s) for s in gig.skills) or "—"),
            ("terms hash", gig.terms_hash),
        ],
    )


def gig_list_table(gigs: list[Gig], amounts: list[str]) -> Table:
    """Gigs, one a row, each with its amount as `amounts` shows it (in the token's units)."""
    table = Table(title=f"{len(gigs)} gig(s)")
    for column in ("id", "state", "client", "freelancer", "token", "amount", "deadline"):
        table.add_column(column)
    for g, amount in zip(gigs, amounts, strict=True):
        table.add_row(
            str(g.gig_id), g.state.name, g.client, short_address(g.freelancer), token_name(g.token), amount,
            show_time(g.deadline),
        )
    return table


def print_gig_result(settings: Settings, verb: str, result: GigResult) -> None:
    """What a gig transaction did: the gig's new state, the transaction and its block."""
    if settings.json:
        print_json({"gig": result.gig, "transaction_hash": result.transaction_hash, "block": result.receipt.block_number})
        return
    out.print(
        f"gig {result.gig_id} {verb}: now {result.gig.state.name} "
        f"(transaction {result.transaction_hash}, block {result.receipt.block_number})"
    )


def print_receipt(settings: Settings, what: str, receipt: Receipt, **extra: Any) -> None:
    """That `what` happened, in which transaction and block (with --json, also `extra`)."""
    if settings.json:
        print_json({**extra, "transaction_hash": receipt.transaction_hash, "block": receipt.block_number})
    else:
        out.print(f"{what} (transaction {receipt.transaction_hash}, block {receipt.block_number})")


def reputation_tables(rep: Reputation, units: UnitsBook) -> list[Table]:
    """An account's record, its skills and the attestations it received."""
    rate = "—" if rep.on_time_rate is None else f"{rep.on_time_rate:.0%}"
    average = "—" if rep.average_score is None else f"{rep.average_score:.2f} / 5"
    rows = [
        ("gigs completed", str(rep.record.completed)),
        ("delivered on time", f"{rep.delivered_on_time} of {rep.delivered} delivered ({rate})"),
        ("missed deadlines", str(rep.record.missed_deadlines)),
        ("disputes opened / won / lost", f"{rep.record.disputes_opened} / {rep.record.disputes_won} / {rep.record.disputes_lost}"),
        ("attestations", str(rep.attestation_count)),
        ("average score", average),
    ]
    for volume in rep.volumes:
        rows.append(("volume", f"earned {units.show(volume.earned, volume.token)}, paid {units.show(volume.paid, volume.token)}"))
    tables = [field_table(f"Reputation of {rep.address}", rows)]
    if rep.skills:
        skills = Table(title="Skills")
        for column in ("skill", "gigs completed", "attestations", "average score"):
            skills.add_column(column)
        for s in rep.skills:
            score = "—" if s.average_score is None else f"{s.average_score:.2f}"
            skills.add_row(s.skill, str(s.gigs_completed), str(s.attestations), score)
        tables.append(skills)
    if rep.attestations:
        received = Table(title="Attestations received")
        for column in ("gig", "from", "score", "skill", "revoked", "transaction"):
            received.add_column(column)
        for a in rep.attestations:
            received.add_row(str(a.gig_id), a.attester, str(a.score), a.skill or "—", "yes" if a.revoked else "", a.transaction_hash)
        tables.append(received)
    return tables


def payments_table(address: str, payments: list[Payment], units: UnitsBook) -> Table:
    """An account's payments to and from the escrow, one a row."""
    table = Table(title=f"Payments of {address}")
    for column in ("block", "gig", "kind", "direction", "token", "amount", "fee", "transaction"):
        table.add_column(column)
    for p in payments:
        table.add_row(
            str(p.block_number), str(p.gig_id), p.kind, p.direction, token_name(p.token),
            units.show(p.amount, p.token), units.show(p.fee, p.token), p.transaction_hash,
        )
    return table


def print_audit(settings: Settings, report: AuditReport, csv_output: bool) -> None:
    """An audit report as CSV, JSON or a table; exits AUDIT_FAILED if it found mismatches."""
    if csv_output:
        out.file.write(report.to_csv())
    elif settings.json:
        out.print(report.to_json(), markup=False)
    else:
        out.print(report.to_table())
    if not report.ok:
        raise typer.Exit(AUDIT_FAILED)
