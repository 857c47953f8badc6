"""`gigledger talent SKILL`: freelancers for a skill, ranked by evidence, from the query API."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from gigledger.cli.context import run_action, settings_of
from gigledger.cli.rendering import out, print_json
from gigledger.client import API_ENV
from gigledger.errors import ConfigurationError
from gigledger.talent import TalentPage, fetch_talent


def register(app: typer.Typer) -> None:
    """Adds `talent` to the `gigledger` app."""
    app.command("talent")(talent)


def talent_table(page: TalentPage, names: dict[str, str] | None = None) -> Table:
    """The ranking as a table, with each row's reasons; ``names`` shows known accounts by name."""
    table = Table(title=f"{page.skill}: {page.total} freelancer(s), {page.rule}")
    for column in ("#", "account", "trust", "gigs", "on time (delivered)", "clients", "earned", "why"):
        table.add_column(column)
    for e in page.entries:
        rate = "—" if e.on_time_rate is None else f"{e.delivered_on_time}/{e.delivered} ({e.on_time_rate:.0%})"
        earned = ", ".join(f"{x.formatted} {x.label}" for x in e.earned) or "—"
        trust = "—" if e.trust_score is None else f"{e.trust_score:.4f}"
        account = f"{names[e.account]} ({e.account})" if names and e.account in names else e.account
        table.add_row(str(e.rank), account, trust, str(e.completed_in_skill), rate, str(e.distinct_clients), earned, e.why)
    return table


def talent(
    ctx: typer.Context,
    skill: Annotated[str, typer.Argument(help="The skill's name, e.g. python.")],
    trusted: Annotated[Optional[list[str]], typer.Option(help="An account you trust; repeat. Seeds the trust score.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many freelancers to show.")] = 20,
) -> None:
    """Freelancers for a skill, ranked by evidence, each with why (needs --api)."""
    settings = settings_of(ctx)

    def action() -> TalentPage:
        if not settings.api:
            raise ConfigurationError(f"the talent directory is served by the query API: pass --api or set {API_ENV}")
        return fetch_talent(settings.api, skill, trusted=trusted, limit=limit)

    page = run_action(settings, action)
    if settings.json:
        print_json(page)
    else:
        out.print(talent_table(page))
