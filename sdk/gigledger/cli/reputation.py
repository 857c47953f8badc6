"""`gigledger attest|invalidate-nonce|reputation|history`: evidence about an account, written and read."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from gigledger.cli.context import reader, run_action, settings_of, transact
from gigledger.cli.parsing import AddressArg, GigId, parse_bytes32
from gigledger.cli.rendering import out, payments_table, print_json, print_receipt, reputation_tables
from gigledger.payments import payments_csv


def register(app: typer.Typer) -> None:
    """Adds `attest`, `invalidate-nonce`, `reputation` and `history` to the `gigledger` app."""
    app.command("attest")(attest)
    app.command("invalidate-nonce")(invalidate_nonce)
    app.command("reputation")(reputation)
    app.command("history")(history)


def attest(
    ctx: typer.Context,
    gig_id: GigId,
    score: Annotated[int, typer.Option(min=1, max=5, help="1 (poor) to 5 (excellent).")],
    skill: Annotated[str, typer.Option(help="The skill this is about.")] = "",
    evidence_hash: Annotated[
        Optional[str], typer.Option(parser=parse_bytes32, help="bytes32 hash of supporting evidence.")
    ] = None,
) -> None:
    """Attest about the other party of a settled gig (once per gig)."""
    settings = settings_of(ctx)
    result = transact(settings, f"attesting on gig {gig_id}", lambda ledger: ledger.attest(gig_id, score, skill, evidence_hash))
    if settings.json:
        print_json({"attestation": result.attestation, "transaction_hash": result.receipt.transaction_hash})
    else:
        a = result.attestation
        out.print(f"attested {a.score}/5 about {a.subject} on gig {a.gig_id} (transaction {a.transaction_hash})")


def invalidate_nonce(ctx: typer.Context) -> None:
    """Give up your next signed-attestation nonce: an attestation you signed with it can never be submitted."""
    settings = settings_of(ctx)
    receipt = transact(settings, "invalidating the nonce", lambda ledger: ledger.invalidate_nonce())
    print_receipt(settings, "signed-attestation nonce invalidated", receipt)


def reputation(ctx: typer.Context, address: AddressArg) -> None:
    """Show an account's objective record, attestations and skills."""
    settings = settings_of(ctx)
    ledger = reader(settings)
    rep = run_action(settings, lambda: ledger.reputation(address))
    if settings.json:
        print_json(rep)
        return
    for table in run_action(settings, lambda: reputation_tables(rep, ledger.units_book())):
        out.print(table)


def history(
    ctx: typer.Context,
    address: AddressArg,
    csv_output: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
) -> None:
    """Show an account's payments to and from the escrow (directions seen from the escrow)."""
    settings = settings_of(ctx)
    ledger = reader(settings)
    payments = run_action(settings, lambda: ledger.payment_history(address))
    if csv_output:
        out.file.write(payments_csv(payments))
    elif settings.json:
        print_json(payments)
    else:
        out.print(run_action(settings, lambda: payments_table(address, payments, ledger.units_book())))
