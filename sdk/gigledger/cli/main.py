"""`gigledger`: gigs, attestations, reputation and payment history from the command line.

Connection settings come from options or the environment (GIGLEDGER_RPC,
GIGLEDGER_DEPLOYMENT, GIGLEDGER_KEYSTORE, GIGLEDGER_API); the signing key only from
a keystore file or $GIGLEDGER_PRIVATE_KEY, never from an argument.

Exit codes: 0 ok; 1 other error; 2 bad usage or settings (no account, no manifest,
bad keystore); 3 the contract refused (not authorised, wrong state, too early or
late, bad argument); 4 the node refused the sender (not allowlisted, no funds);
5 node unreachable or node error; 6 wrong chain or deployment; 7 transaction
timed out; 8 no such gig; 9 the audit found mismatches.
"""

from __future__ import annotations

from importlib.metadata import version as package_version
from pathlib import Path
from typing import Annotated, Optional

import typer

from gigledger.accounts import PASSWORD_ENV
from gigledger.cli import admin, audit, deploy, gigs, market, reputation, talent
from gigledger.cli.context import KEYSTORE_ENV, Settings
from gigledger.cli.rendering import out
from gigledger.client import API_ENV, DEFAULT_RPC, DEPLOYMENT_ENV, RPC_ENV

_PARAGRAPHS = (__doc__ or "").split("\n\n")
app = typer.Typer(
    name="gigledger",
    help=_PARAGRAPHS[0] + "\n\nThe exit codes are listed in `gigledger --help`'s epilog.",
    epilog=_PARAGRAPHS[-1].strip(),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        out.print(f"gigledger {package_version('gigledger')}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    rpc: Annotated[str, typer.Option(envvar=RPC_ENV, help="JSON-RPC URL of any EVM node.")] = DEFAULT_RPC,
    deployment: Annotated[
        Optional[Path], typer.Option(envvar=DEPLOYMENT_ENV, help="Deployment manifest (written by `deploy`).")
    ] = None,
    keystore: Annotated[
        Optional[Path],
        typer.Option(
            envvar=KEYSTORE_ENV,
            help=f"Keystore file of the signing account; its password from ${PASSWORD_ENV} or a prompt. "
            "Without one, the key in $GIGLEDGER_PRIVATE_KEY.",
        ),
    ] = None,
    api: Annotated[
        Optional[str], typer.Option(envvar=API_ENV, help="Query API URL: `history` reads it, `audit` checks its index.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for a transaction.")] = 60.0,
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Settle gigs on an EVM chain and read verifiable reputation."""
    ctx.obj = Settings(rpc, deployment, keystore, api, json_output, timeout)


for commands in (gigs, reputation, audit, deploy, admin, talent, market):
    commands.register(app)
