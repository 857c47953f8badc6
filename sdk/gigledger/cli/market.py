"""`gigledger profile|link|offer|hire`: the talent market from the command line.

Amounts take the token's own units (1eth, 250usdc); `offer list`, `profile show`
and `link show` read the query API (--api / GIGLEDGER_API); `hire` reads the
offer's terms from the chain itself and pays exactly those.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from gigledger.amounts import InvalidAmount, TokenUnits
from gigledger.cli.context import open_ledger, read, reader, run_action, settings_of, transact
from gigledger.cli.parsing import AddressArg, parse_address, parse_amount, parse_bytes32, parse_duration, parse_moment
from gigledger.cli.rendering import field_table, out, print_gig_result, print_json, print_receipt
from gigledger.client import GigLedger, GigResult
from gigledger.links import SignedLink
from gigledger.market import OfferResult
from gigledger.offers import Offer, hire_command
from gigledger.profiles import Profile, Rate
from gigledger.skills import skill_name
from gigledger.transactions import Receipt

profile_app = typer.Typer(help="Publish and read profiles.", no_args_is_help=True)
link_app = typer.Typer(help="Link two accounts into one identity (both must agree).", no_args_is_help=True)
offer_app = typer.Typer(help="Offer a service, withdraw it, browse offers.", no_args_is_help=True)
OfferId = Annotated[int, typer.Argument(help="The offer's id.", min=1)]


def register(app: typer.Typer) -> None:
    """Adds the market's command groups and `hire` to the `gigledger` app."""
    app.add_typer(profile_app, name="profile")
    app.add_typer(link_app, name="link")
    app.add_typer(offer_app, name="offer")
    app.command("hire")(hire)


# ---------------------------------------------------------------- profiles


@profile_app.command("set")
def profile_set(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="Display name.")],
    headline: Annotated[str, typer.Option(help="One line about your work.")] = "",
    skill: Annotated[Optional[list[str]], typer.Option(help="A skill you offer; repeat for several.")] = None,
    link: Annotated[Optional[list[str]], typer.Option(help="A link (portfolio, site); repeat for several.")] = None,
    rate: Annotated[Optional[str], typer.Option(help="Your rate in a token's units, e.g. 0.05eth or 40usdc.")] = None,
    rate_token: Annotated[Optional[str], typer.Option(parser=parse_address, help="The rate's ERC-20; omit for ETH.")] = None,
    availability: Annotated[Optional[str], typer.Option(help="e.g. '20h/week from January'.")] = None,
) -> None:
    """Publish your profile on chain (the latest one is your current one)."""
    settings = settings_of(ctx)

    def publish(ledger: GigLedger) -> Receipt:
        profile_rate = None
        if rate is not None:
            units = ledger.token_units(rate_token)
            profile_rate = Rate(units.format(parse_amount(rate, units)), rate_token or "ETH")
        profile = Profile(
            name=name,
            headline=headline,
            skills=tuple(skill or ()),
            links=tuple(link or ()),
            rate=profile_rate,
            availability=availability,
        )
        return ledger.set_profile(profile)

    print_receipt(settings, "profile published", transact(settings, "publishing the profile", publish))


@profile_app.command("show")
def profile_show(ctx: typer.Context, address: AddressArg) -> None:
    """Show an account's latest profile (from the query API)."""
    settings = settings_of(ctx)
    published = read(settings, lambda ledger: ledger.profile(address))
    if settings.json:
        print_json(published)
        return
    if published is None:
        out.print(f"{address} has published no profile")
        return
    rows: list[tuple[str, str]] = []
    if published.profile is None:
        rows.append(("invalid", published.error or ""))
    else:
        p = published.profile
        fields = [("name", p.name), ("headline", p.headline), ("skills", ", ".join(p.skills)), ("links", ", ".join(p.links))]
        if p.rate:
            fields.append(("rate", f"{p.rate.amount} ({p.rate.token})"))
        if p.availability:
            fields.append(("availability", p.availability))
        rows += [(field, value or "—") for field, value in fields]
    rows.append(("content hash", published.content_hash))
    rows.append(("published in", f"block {published.block_number}, transaction {published.transaction_hash}"))
    out.print(field_table(f"Profile of {address}", rows))


# ---------------------------------------------------------------- links


@link_app.command("sign")
def link_sign(
    ctx: typer.Context,
    other: AddressArg,
    deadline: Annotated[str, typer.Option(help="How long the consent stays valid (7d) or an ISO date/time.")] = "7d",
    out_path: Annotated[Optional[Path], typer.Option("--out", help="Write the consent here instead of stdout.")] = None,
) -> None:
    """Sign your consent to be linked with OTHER; give the file to OTHER, who runs `link add`."""
    settings = settings_of(ctx)
    consent = run_action(settings, lambda: open_ledger(settings).sign_link(other, deadline=parse_moment(deadline)))
    text = json.dumps(consent.to_json(), indent=2)
    if out_path is None:
        out.print(text, markup=False)
    else:
        out_path.write_text(text + "\n")
        out.print(f"consent to link {consent.account} with {other} written to {out_path}")


def _read_consent(consent_file: Path) -> SignedLink:
    try:
        return SignedLink.from_json(json.loads(consent_file.read_text()))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"cannot read a link consent from {consent_file}: {error}") from None


@link_app.command("add")
def link_add(
    ctx: typer.Context,
    consent_file: Annotated[Path, typer.Argument(help="The other account's signed consent (from `link sign`).")],
) -> None:
    """Link your account with the one whose signed consent this is."""
    settings = settings_of(ctx)
    consent = run_action(settings, lambda: _read_consent(consent_file))
    print_receipt(settings, "accounts linked", transact(settings, "linking", lambda ledger: ledger.link(consent)))


@link_app.command("remove")
def link_remove(ctx: typer.Context, other: AddressArg) -> None:
    """End your link with OTHER (either of the two may)."""
    settings = settings_of(ctx)
    print_receipt(settings, "accounts unlinked", transact(settings, "unlinking", lambda ledger: ledger.unlink(other)))


_IDENTITY_COUNTS = ("completed", "on_time", "missed_deadlines", "attestations")


@link_app.command("show")
def link_show(ctx: typer.Context, address: AddressArg) -> None:
    """Show the identity an account belongs to: its linked accounts and their shares (query API)."""
    settings = settings_of(ctx)
    identity = read(settings, lambda ledger: ledger.identity(address))
    if settings.json:
        print_json(identity)
        return
    table = Table(title=f"Identity of {address}")
    for column in ("account", "gigs completed", "on time", "missed deadlines", "attestations"):
        table.add_column(column)
    for share in identity["accounts"]:
        table.add_row(share["account"], *(str(share["record"][k]) for k in _IDENTITY_COUNTS))
    table.add_row("identity", *(str(identity["record"][k]) for k in _IDENTITY_COUNTS))
    out.print(table)


# ---------------------------------------------------------------- offers


@offer_app.command("create")
def offer_create(
    ctx: typer.Context,
    price: Annotated[str, typer.Option(help="Price in the token's units: 1eth, 250usdc.")],
    arbiter: Annotated[str, typer.Option(parser=parse_address, help="Who resolves a dispute.")],
    delivery: Annotated[str, typer.Option(help="Time from hire to deadline: 7d, 36h.")],
    token: Annotated[Optional[str], typer.Option(parser=parse_address, help="ERC-20 token; omit for ETH.")] = None,
    review_period: Annotated[str, typer.Option(help="Client's review window after delivery.")] = "3d",
    skill: Annotated[Optional[list[str]], typer.Option(help="A skill tag; repeat for several.")] = None,
    terms_hash: Annotated[
        Optional[str], typer.Option(parser=parse_bytes32, help="bytes32 hash of the offer's terms.")
    ] = None,
) -> None:
    """Offer a service on fixed terms (to change them, withdraw and post again)."""
    settings = settings_of(ctx)

    def post(ledger: GigLedger) -> OfferResult:
        return ledger.post_offer(
            parse_amount(price, ledger.token_units(token)),
            arbiter=arbiter,
            delivery_time=parse_duration(delivery),
            token=token,
            review_period=parse_duration(review_period),
            terms_hash=terms_hash,
            skills=skill or [],
        )

    result = transact(settings, "posting the offer", post)
    print_receipt(settings, f"offer {result.offer.offer_id} posted", result.receipt, offer=result.offer)


@offer_app.command("withdraw")
def offer_withdraw(ctx: typer.Context, offer_id: OfferId) -> None:
    """Take your offer down; nobody can hire it afterwards."""
    settings = settings_of(ctx)
    receipt = transact(settings, f"withdrawing offer {offer_id}", lambda ledger: ledger.withdraw_offer(offer_id))
    print_receipt(settings, f"offer {offer_id} withdrawn", receipt)


@offer_app.command("show")
def offer_show(ctx: typer.Context, offer_id: OfferId) -> None:
    """Show an offer's terms as the chain logged them, and whether it is open."""
    settings = settings_of(ctx)

    def terms(ledger: GigLedger) -> tuple[Offer, bool, TokenUnits]:
        offer = ledger.offer(offer_id)
        return offer, ledger.offer_is_open(offer), ledger.token_units(offer.token)

    offer, is_open, units = read(settings, terms)
    price = units.format(offer.price)
    if settings.json:
        print_json({"offer": offer, "open": is_open, "price": price})
        return
    out.print(field_table(f"Offer {offer_id}", [
        ("state", "open" if is_open else "closed (withdrawn or hired)"),
        ("freelancer", offer.freelancer),
        ("price", price),
        ("delivery", str(timedelta(seconds=offer.delivery_time))),
        ("review period", str(timedelta(seconds=offer.review_period))),
        ("arbiter", offer.arbiter),
        ("skills", ", ".join(skill_name(s) for s in offer.skills) or "—"),
        ("terms hash", offer.terms_hash),
    ]))
    if is_open:
        out.print(f"hire it with: {hire_command(offer, units)}")


@offer_app.command("list")
def offer_list(
    ctx: typer.Context,
    skill: Annotated[Optional[str], typer.Option(help="Only offers tagged with this skill.")] = None,
    state: Annotated[str, typer.Option(help="open, withdrawn, hired or all.")] = "open",
) -> None:
    """List offers (from the query API), newest first."""
    settings = settings_of(ctx)
    ledger = reader(settings)
    rows = run_action(settings, lambda: ledger.offers(skill=skill, state=state))
    if settings.json:
        print_json(rows)
        return
    units = {token: ledger.token_units(token) for token in {row["token"] for row in rows}}
    table = Table(title=f"{len(rows)} offer(s)")
    for column in ("id", "state", "freelancer", "price", "delivery", "skills"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row["offer_id"]),
            row["state"],
            row["freelancer"],
            units[row["token"]].format(int(row["price"])),
            str(timedelta(seconds=row["delivery_time"])),
            ", ".join(row["skills"]),
        )
    out.print(table)


# ---------------------------------------------------------------- hiring


def price_ceiling(text: str, offer_id: int, units: TokenUnits) -> int:
    """`--max-price` as the smallest unit of the offer's own token. A ceiling written in
    another token's units is refused: 250 USDC caps nothing about a price in DAI."""
    unit = units.unit_in(text)
    if unit is not None and not units.takes(unit):
        raise InvalidAmount(
            f"offer {offer_id} is priced in {units.name}, so a ceiling of {text!r} cannot cap it: {units.describe()}"
        )
    return parse_amount(text, units)


def hire(
    ctx: typer.Context,
    offer_id: OfferId,
    max_price: Annotated[
        Optional[str],
        typer.Option(help="Refuse if the offer costs more than this, in its token's units (1eth, 250usdc)."),
    ] = None,
    offer_hash: Annotated[
        Optional[str],
        typer.Option(parser=parse_bytes32, help="Refuse unless the offer's terms hash to this (the explorer shows it)."),
    ] = None,
) -> None:
    """Hire from an open offer: creates and funds a gig on its exact terms, for its freelancer."""
    settings = settings_of(ctx)

    def hire_from(ledger: GigLedger) -> GigResult:
        limit = None
        if max_price is not None:
            limit = price_ceiling(max_price, offer_id, ledger.token_units(ledger.offer(offer_id).token))
        return ledger.hire(offer_id, max_price=limit, offer_hash=offer_hash)

    result = transact(settings, f"hiring from offer {offer_id}", hire_from)
    print_gig_result(settings, f"created from offer {offer_id}", result)
