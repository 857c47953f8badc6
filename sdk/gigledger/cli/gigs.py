"""`gigledger gig ...` and `gigledger withdraw`: a gig's lifecycle and the payouts it credits."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from gigledger.cli.context import read, reader, run_action, settings_of, transact
from gigledger.cli.parsing import GigId, parse_address, parse_amount, parse_bytes32, parse_duration, parse_moment
from gigledger.cli.rendering import gig_list_table, gig_table, out, print_gig_result, print_json, print_receipt
from gigledger.client import GigLedger, GigResult
from gigledger.gigs import Gig

gig_app = typer.Typer(help="Create gigs and move them through their lifecycle.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Adds `gig` and `withdraw` to the `gigledger` app."""
    app.add_typer(gig_app, name="gig")
    app.command("withdraw")(withdraw)


@gig_app.command("create")
def gig_create(
    ctx: typer.Context,
    amount: Annotated[str, typer.Option(help="Amount with the token's unit: 1.5eth, 20gwei, 250usdc.")],
    arbiter: Annotated[str, typer.Option(parser=parse_address, help="Who resolves a dispute.")],
    deadline: Annotated[str, typer.Option(help="Delivery deadline: a duration from now (7d) or ISO date/time.")],
    freelancer: Annotated[
        Optional[str], typer.Option(parser=parse_address, help="Freelancer; omit for an open gig anyone may accept.")
    ] = None,
    token: Annotated[Optional[str], typer.Option(parser=parse_address, help="ERC-20 token; omit for ETH.")] = None,
    milestone: Annotated[Optional[list[str]], typer.Option(help="A milestone amount; repeat, in order.")] = None,
    review_period: Annotated[str, typer.Option(help="Client's review window after delivery.")] = "3d",
    skill: Annotated[Optional[list[str]], typer.Option(help="A skill tag; repeat for several.")] = None,
    terms_hash: Annotated[
        Optional[str], typer.Option(parser=parse_bytes32, help="bytes32 hash of the agreed terms.")
    ] = None,
) -> None:
    """Create and fund a gig."""
    settings = settings_of(ctx)

    def create(ledger: GigLedger) -> GigResult:
        units = ledger.token_units(token)
        return ledger.create_gig(
            parse_amount(amount, units),
            arbiter=arbiter,
            deadline=parse_moment(deadline),
            freelancer=freelancer,
            token=token,
            milestones=[parse_amount(m, units) for m in milestone or []],
            review_period=parse_duration(review_period),
            terms_hash=terms_hash,
            skills=skill or [],
        )

    print_gig_result(settings, "created", transact(settings, "creating the gig", create))


def _gig_transition(name: str, verb: str, help_text: str) -> None:
    """Registers `gigledger gig NAME ID`: one lifecycle call on one gig."""

    def command(ctx: typer.Context, gig_id: GigId) -> None:
        settings = settings_of(ctx)

        def transition(ledger: GigLedger) -> GigResult:
            result: GigResult = getattr(ledger, name.replace("-", "_"))(gig_id)
            return result

        print_gig_result(settings, verb, transact(settings, f"{verb} gig {gig_id}", transition))

    command.__doc__ = help_text
    gig_app.command(name)(command)


for _name, _verb, _help in [
    ("accept", "accepted", "Accept a gig (as its freelancer, or anyone eligible for an open gig)."),
    ("cancel", "cancelled", "Cancel a gig nobody accepted; the money goes back to the client."),
    ("approve", "approved", "Approve the delivery; the freelancer is paid."),
    ("claim", "claimed", "Take the payment once the review period passed undisputed."),
    ("refund", "refunded", "Take the money back once the deadline passed with nothing delivered."),
    ("dispute", "disputed", "Hand the gig to its arbiter."),
    ("release-milestone", "milestone released", "Pay the next milestone."),
]:
    _gig_transition(_name, _verb, _help)


@gig_app.command("deliver")
def gig_deliver(
    ctx: typer.Context,
    gig_id: GigId,
    deliverable_hash: Annotated[
        Optional[str], typer.Option(parser=parse_bytes32, help="bytes32 hash of the delivered work.")
    ] = None,
) -> None:
    """Mark a gig delivered; the client's review period starts."""
    settings = settings_of(ctx)
    delivered = transact(settings, f"delivering gig {gig_id}", lambda ledger: ledger.deliver(gig_id, deliverable_hash))
    print_gig_result(settings, "delivered", delivered)


@gig_app.command("resolve")
def gig_resolve(
    ctx: typer.Context,
    gig_id: GigId,
    to_freelancer: Annotated[
        str, typer.Option(help="The freelancer's share in the gig's token (0.4eth); the rest goes to the client.")
    ],
) -> None:
    """As the arbiter, split a disputed gig's money."""
    settings = settings_of(ctx)

    def resolve(ledger: GigLedger) -> GigResult:
        return ledger.resolve(gig_id, parse_amount(to_freelancer, ledger.token_units(ledger.gig(gig_id).token)))

    print_gig_result(settings, "resolved", transact(settings, f"resolving gig {gig_id}", resolve))


@gig_app.command("show")
def gig_show(ctx: typer.Context, gig_id: GigId) -> None:
    """Show one gig, rebuilt from the chain's events."""
    settings = settings_of(ctx)
    ledger = reader(settings)
    gig = run_action(settings, lambda: ledger.gig(gig_id))
    if settings.json:
        print_json(gig)
    else:
        out.print(run_action(settings, lambda: gig_table(gig, ledger.units_book())))


@gig_app.command("list")
def gig_list(
    ctx: typer.Context,
    client: Annotated[Optional[str], typer.Option(parser=parse_address, help="Only this client's gigs.")] = None,
    freelancer: Annotated[Optional[str], typer.Option(parser=parse_address, help="Only this freelancer's gigs.")] = None,
    state: Annotated[Optional[str], typer.Option(help="Only gigs in this state (open, accepted, delivered, ...).")] = None,
) -> None:
    """List gigs, optionally by client, freelancer and state."""
    settings = settings_of(ctx)

    def listed(ledger: GigLedger) -> tuple[list[Gig], list[str]]:
        gigs = ledger.gigs(client=client, freelancer=freelancer, state=state)
        units = ledger.units_book()
        return gigs, [units.show(g.amount, g.token) for g in gigs]

    gigs, amounts = read(settings, listed)
    if settings.json:
        print_json(gigs)
    else:
        out.print(gig_list_table(gigs, amounts))


def withdraw(
    ctx: typer.Context,
    token: Annotated[Optional[str], typer.Option(parser=parse_address, help="ERC-20 token; omit for ETH.")] = None,
    to: Annotated[Optional[str], typer.Option(parser=parse_address, help="Recipient; default the account itself.")] = None,
) -> None:
    """Withdraw payouts credited to the account because a transfer to it was rejected."""
    settings = settings_of(ctx)
    print_receipt(settings, "withdrawn", transact(settings, "withdrawing", lambda ledger: ledger.withdraw(token, to)))
