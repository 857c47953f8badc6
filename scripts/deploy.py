"""Deploy GigLedger's contracts with the SDK and write the deployment manifest.

An Ape script, run from the repository's root on any network Ape knows:

    ape run deploy --network ethereum:local:node --out deployment.json
    ape run deploy --network ethereum:gigledger:node --keystore deployer.json --treasury 0x… --fee-bps 100

or without Ape's network, on a JSON-RPC URL:

    GIGLEDGER_PRIVATE_KEY=0x… python scripts/deploy.py --rpc http://127.0.0.1:8545 --out deployment.json

The deployer's key comes from a keystore (password from $GIGLEDGER_KEYSTORE_PASSWORD
or a prompt) or from $GIGLEDGER_PRIVATE_KEY, never from an argument; on a local Ape
network without either, the dev chain's first account deploys. `gigledger deploy`
does the same from the installed CLI. Either way the contracts are deployed by the
SDK's `deploy`, so Ape and the CLI produce the same contracts and the same manifest.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from ape.cli import ConnectedProviderCommand
from eth_account.signers.local import LocalAccount
from web3 import Web3

from gigledger.accounts import PASSWORD_ENV, load_account
from gigledger.client import DEFAULT_RPC, RPC_ENV, web3_for
from gigledger.deployment import deploy
from gigledger.devchain import dev_account
from gigledger.errors import GigLedgerError


def deployment_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options both ways of running this script take."""
    for option in reversed(
        [
            click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("deployment.json"),
                         show_default=True, help="Where to write the manifest."),
            click.option("--keystore", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                         help="The deployer's keystore file (else $GIGLEDGER_PRIVATE_KEY)."),
            click.option("--treasury", help="Receives platform fees."),
            click.option("--fee-bps", type=click.IntRange(0, 1000), default=0, help="Platform fee in basis points."),
        ]
    ):
        command = option(command)
    return command


def deployer(keystore: Path | None, *, local: bool) -> LocalAccount:
    """The keystore's account, else $GIGLEDGER_PRIVATE_KEY's, else on a local chain the dev account."""
    password = click.prompt("Keystore password", hide_input=True) if keystore and PASSWORD_ENV not in os.environ else None
    account = load_account(keystore, password=password)
    if account is not None:
        return account
    if local:
        return dev_account(0)
    raise click.UsageError("no deployer key: pass --keystore or set GIGLEDGER_PRIVATE_KEY")


def deploy_and_save(chain: Callable[[], Web3], keystore: Path | None, *, local: bool, out: Path,
                    treasury: str | None, fee_bps: int) -> None:
    """Deploys the registry, escrow and market on `chain()`, writes their manifest to `out`, and
    says so; an SDK error (bad key, node unreachable, deployment refused) exits with its code."""
    try:
        account = deployer(keystore, local=local)
        deployment = deploy(chain(), account, treasury=treasury, fee_bps=fee_bps)
    except GigLedgerError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(error.exit_code)
    deployment.save(out)
    click.echo(f"chain {deployment.chain_id}: escrow {deployment.escrow}, registry {deployment.registry}, "
               f"market {deployment.market}")
    click.echo(f"manifest written to {out}")


@click.command(cls=ConnectedProviderCommand, short_help="Deploy GigLedger's contracts and write their manifest.")
@deployment_options
def cli(provider: Any, out: Path, keystore: Path | None, treasury: str | None, fee_bps: int) -> None:
    """`ape run deploy`: deploys on the network Ape connected to (--network)."""
    deploy_and_save(lambda: provider.web3, keystore, local=provider.network.is_local, out=out,
                    treasury=treasury, fee_bps=fee_bps)


@click.command(help=__doc__.splitlines()[0])
@click.option("--rpc", default=lambda: os.environ.get(RPC_ENV, DEFAULT_RPC), help="JSON-RPC URL of the chain.")
@deployment_options
def standalone(rpc: str, out: Path, keystore: Path | None, treasury: str | None, fee_bps: int) -> None:
    """`python scripts/deploy.py`: deploys on the chain at --rpc."""
    deploy_and_save(lambda: web3_for(rpc)[0], keystore, local=False, out=out, treasury=treasury, fee_bps=fee_bps)


if __name__ == "__main__":
    standalone()
