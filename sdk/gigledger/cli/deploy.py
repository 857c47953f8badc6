"""`gigledger deploy`: the registry, the escrow and the talent market, and their manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from gigledger.cli.context import run_action, settings_of, signing_account, waiting
from gigledger.cli.parsing import parse_address
from gigledger.cli.rendering import jsonable, out, print_json
from gigledger.client import web3_for
from gigledger.deployment import Deployment, deploy_with
from gigledger.errors import ConfigurationError
from gigledger.transactions import TransactionSender


def register(app: typer.Typer) -> None:
    """Adds `deploy` to the `gigledger` app."""
    app.command("deploy")(deploy)


def deploy(
    ctx: typer.Context,
    out_path: Annotated[
        Optional[Path], typer.Option("--out", help="Where to write the manifest; default --deployment, else deployment.json.")
    ] = None,
    treasury: Annotated[Optional[str], typer.Option(parser=parse_address, help="Receives platform fees.")] = None,
    fee_bps: Annotated[int, typer.Option(min=0, max=1000, help="Platform fee in basis points.")] = 0,
) -> None:
    """Deploy the registry, the escrow and the talent market, and write a deployment manifest."""
    settings = settings_of(ctx)

    def action() -> Deployment:
        w3, url = web3_for(settings.rpc)
        account = signing_account(settings)
        if account is None:
            raise ConfigurationError("deploy needs a signing account: --keystore or $GIGLEDGER_PRIVATE_KEY")
        sender = TransactionSender(w3, account, url=url, timeout=settings.timeout)
        with waiting("deploying"):
            return deploy_with(sender, treasury=treasury, fee_bps=fee_bps)

    deployment = run_action(settings, action)
    manifest = out_path or settings.deployment or Path("deployment.json")
    deployment.save(manifest)
    if settings.json:
        print_json({"manifest": str(manifest), **jsonable(deployment)})
    else:
        out.print(
            f"deployed on chain {deployment.chain_id}: escrow {deployment.escrow}, registry {deployment.registry}, "
            f"market {deployment.market}"
        )
        out.print(f"manifest written to {manifest}")
