"""What every `gigledger` command shares: its settings, its ledger, and how it fails.

A command's work runs inside `run_action`, which turns SDK errors into one line on
stderr (JSON with --json) and the exit code the error carries.
"""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, NoReturn, Optional, TypeVar, cast

import typer
from eth_account.signers.local import LocalAccount

from gigledger.accounts import PASSWORD_ENV, load_account
from gigledger.cli.rendering import err
from gigledger.client import GigLedger, NoAccount
from gigledger.errors import ConfigurationError, GigLedgerError

KEYSTORE_ENV = "GIGLEDGER_KEYSTORE"
#: Exit code for input the command cannot use (as for usage errors).
USAGE_ERROR = 2

T = TypeVar("T")


@dataclass
class Settings:
    """The global options every command shares."""

    rpc: str
    deployment: Optional[Path]
    keystore: Optional[Path]
    api: Optional[str]
    json: bool
    timeout: float


def settings_of(ctx: typer.Context) -> Settings:
    """The global options, as the root command stored them."""
    return cast(Settings, ctx.find_root().obj)


def signing_account(settings: Settings) -> LocalAccount | None:
    """The keystore's account (asking for its password on a terminal), else $GIGLEDGER_PRIVATE_KEY's."""
    password = None
    if settings.keystore and PASSWORD_ENV not in os.environ:
        if not sys.stdin.isatty():
            raise ConfigurationError(f"keystore {settings.keystore} needs a password: set ${PASSWORD_ENV}")
        password = typer.prompt("Keystore password", hide_input=True)
    return load_account(settings.keystore, password=password)


def open_ledger(settings: Settings, *, signing: bool = True) -> GigLedger:
    """A ledger on the configured node and deployment; with `signing`, one that has an account."""
    ledger = GigLedger.connect(
        settings.rpc,
        account=signing_account(settings) if signing else None,
        deployment=settings.deployment,
        api_url=settings.api,
        timeout=settings.timeout,
    )
    if signing and ledger.account is None:
        raise NoAccount()
    return ledger


def run_action(settings: Settings, action: Callable[[], T]) -> T:
    """Runs a command's action, turning SDK errors into a message and an exit code."""
    try:
        return action()
    except GigLedgerError as error:
        report_error(settings, error, error.exit_code)
    except ValueError as error:  # a malformed hash, an over-long skill tag: the caller's input
        report_error(settings, error, USAGE_ERROR)


def transact(settings: Settings, what: str, call: Callable[[GigLedger], T]) -> T:
    """Runs `call` on a signing ledger behind a spinner saying `what`; SDK errors exit as `run_action` says."""

    def action() -> T:
        ledger = open_ledger(settings)
        with waiting(what):
            return call(ledger)

    return run_action(settings, action)


def reader(settings: Settings) -> GigLedger:
    """A read-only ledger; an unreachable node or a wrong manifest exits as `run_action` says."""
    return run_action(settings, lambda: open_ledger(settings, signing=False))


def read(settings: Settings, call: Callable[[GigLedger], T]) -> T:
    """Runs `call` on a read-only ledger; SDK errors exit as `run_action` says."""
    return run_action(settings, lambda: call(open_ledger(settings, signing=False)))


def report_error(settings: Settings, error: Exception, exit_code: int) -> NoReturn:
    """Prints the error on stderr (as JSON with --json) and exits with `exit_code`."""
    if settings.json:
        err.print_json(json.dumps({"error": type(error).__name__, "message": str(error)}))
    else:
        err.print(f"[red]error:[/red] {error}", markup=True)
    raise typer.Exit(exit_code)


@contextmanager
def waiting(what: str) -> Iterator[None]:
    """A spinner on stderr while a transaction is sent and mined."""
    with err.status(f"{what}: waiting for the transaction to be mined…"):
        yield
