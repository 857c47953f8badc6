"""`gigledger admin ...`: the owners' calls on the escrow and the registry."""

from __future__ import annotations

from typing import Annotated, Optional, cast

import typer

from gigledger.cli.context import settings_of, transact
from gigledger.cli.parsing import AddressArg, parse_address, parse_amount
from gigledger.cli.rendering import print_receipt, show_time
from gigledger.client import GigLedger
from gigledger.events import WriterAnnounced
from gigledger.transactions import Receipt

admin_app = typer.Typer(help="The contract owners' calls: minimum gig amounts, the registry's writers.",
                        no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Adds `admin` to the `gigledger` app."""
    app.add_typer(admin_app, name="admin")


@admin_app.command("set-min-amount")
def set_min_amount(
    ctx: typer.Context,
    amount: Annotated[str, typer.Argument(help="The smallest amount of a new gig, in the token's units (0.01eth); 0eth for none.")],
    token: Annotated[Optional[str], typer.Option(parser=parse_address, help="ERC-20 token; omit for ETH.")] = None,
) -> None:
    """As the escrow's owner, refuse new gigs below AMOUNT (live gigs are not affected)."""
    settings = settings_of(ctx)

    def set_minimum(ledger: GigLedger) -> Receipt:
        return ledger.set_min_amount(token, parse_amount(amount, ledger.token_units(token)))

    print_receipt(settings, f"minimum gig amount set to {amount}", transact(settings, "setting the minimum", set_minimum))


@admin_app.command("announce-writer")
def announce_writer(ctx: typer.Context, writer: AddressArg) -> None:
    """As the registry's owner, let WRITER (an escrow) record outcomes, from the time the registry says."""
    settings = settings_of(ctx)
    receipt = transact(settings, f"announcing writer {writer}", lambda ledger: ledger.announce_writer(writer))
    effective_at = cast(WriterAnnounced, receipt.event(WriterAnnounced)).effective_at
    print_receipt(settings, f"writer {writer} announced, effective {show_time(effective_at)}", receipt,
                  effective_at=effective_at)


@admin_app.command("retire-writer")
def retire_writer(ctx: typer.Context, writer: AddressArg) -> None:
    """As the registry's owner, stop WRITER taking new gigs; it still settles the ones it holds."""
    settings = settings_of(ctx)
    receipt = transact(settings, f"retiring writer {writer}", lambda ledger: ledger.retire_writer(writer))
    print_receipt(settings, f"writer {writer} retired", receipt)
