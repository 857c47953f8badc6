"""`gigledger audit|verify`: check an account's payments against a pinned genesis, online or from a bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from gigledger.anchor import GENESIS_HASH_ENV
from gigledger.cli.context import open_ledger, run_action, settings_of
from gigledger.cli.parsing import AddressArg
from gigledger.cli.rendering import err, print_audit
from gigledger.report import AuditReport


def register(app: typer.Typer) -> None:
    """Adds `audit` and `verify` to the `gigledger` app."""
    app.command("audit")(audit)
    app.command("verify")(verify)


def audit(
    ctx: typer.Context,
    address: AddressArg,
    genesis_hash: Annotated[
        Optional[str],
        typer.Option(envvar=GENESIS_HASH_ENV, help="The genesis hash to trust; default: the one the manifest records."),
    ] = None,
    checkpoint: Annotated[
        Optional[str], typer.Option(help="A block you trust, NUMBER:HASH: headers are verified from it.")
    ] = None,
    unsealed: Annotated[
        bool, typer.Option("--unsealed", help="Accept a chain whose genesis names no authorities (Anvil, Hardhat).")
    ] = False,
    bundle: Annotated[
        Optional[Path], typer.Option(help="Also write a proof bundle here, to check offline with `gigledger verify`.")
    ] = None,
    csv_output: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
) -> None:
    """Verify every escrow payment of an account against the chain, trusting only a pinned
    genesis hash (headers, seals, receipts, completeness by bloom, the escrow's balance by
    proof), and with --api, the index behind that query API against it, at its checkpoint."""
    from gigledger.anchor import TrustAnchor
    from gigledger.audit import api_checkpoint, audit_account, claims_from_api, reconcile, record_from_api
    from gigledger.bundle import write_bundle
    from gigledger.headers import default_cache_dir

    settings = settings_of(ctx)

    def action() -> AuditReport:
        ledger = open_ledger(settings, signing=False)
        anchor = TrustAnchor.pinned(genesis_hash or ledger.deployment.genesis_hash, checkpoint)
        with err.status("auditing…"):
            head = api_checkpoint(settings.api) if settings.api else None
            claimed, held = claims_from_api(settings.api, address) if settings.api else (None, None)
            record = record_from_api(settings.api, address) if settings.api else None
            if bundle is not None:
                verified = write_bundle(
                    bundle, ledger.w3, ledger.deployment, address, anchor=anchor, require_seals=not unsealed, head=head,
                    record_tokens=record.volumes if record is not None else (),
                )
                return reconcile(verified, held=held, claimed=claimed, record=record)
            return audit_account(
                ledger.w3, ledger.deployment, address, anchor=anchor, require_seals=not unsealed, head=head,
                held=held, claimed=claimed, record=record, cache_dir=default_cache_dir(),
            )

    print_audit(settings, run_action(settings, action), csv_output)


def verify(
    ctx: typer.Context,
    bundle: Annotated[Path, typer.Argument(help="A proof bundle written by `gigledger audit --bundle`.")],
    genesis_hash: Annotated[
        str, typer.Option(envvar=GENESIS_HASH_ENV, help="The genesis hash you trust (not the bundle's word for it).")
    ],
    checkpoint: Annotated[
        Optional[str], typer.Option(help="A block you trust, NUMBER:HASH: headers are verified from it.")
    ] = None,
    csv_output: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
) -> None:
    """Check a proof bundle offline, with no network: every header, seal, receipt and the
    escrow's balance must hash up to the genesis hash you pin."""
    from gigledger.bundle import verify_bundle

    settings = settings_of(ctx)
    print_audit(settings, run_action(settings, lambda: verify_bundle(bundle, genesis_hash, checkpoint=checkpoint)), csv_output)
