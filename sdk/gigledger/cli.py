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

import enum
import json
import os
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime, timedelta
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Annotated, Any, Callable, Iterator, NoReturn, Optional

import typer
from rich.console import Console
from rich.table import Table

from gigledger.accounts import PASSWORD_ENV, load_account
from gigledger.addresses import InvalidAddress, checked_address
from gigledger.amounts import TokenUnits, UnitsBook
from gigledger.anchor import GENESIS_HASH_ENV
from gigledger.client import API_ENV, DEFAULT_RPC, DEPLOYMENT_ENV, RPC_ENV, GigLedger, NoAccount, web3_for
from gigledger.deployment import Deployment, deploy_with
from gigledger.errors import ConfigurationError, GigLedgerError
from gigledger.gigs import ZERO_ADDRESS, Gig
from gigledger.hashes import as_bytes32
from gigledger.payments import payments_csv
from gigledger.reputation import Reputation
from gigledger.skills import skill_name
from gigledger.transactions import TransactionSender

KEYSTORE_ENV = "GIGLEDGER_KEYSTORE"
#: Exit code for input the command cannot use (as for usage errors).
USAGE_ERROR = 2
#: Exit code when an audit finds mismatches.
AUDIT_FAILED = 9

app = typer.Typer(
    name="gigledger",
    help=__doc__.split("\n\n")[0] + "\n\nThe exit codes are listed in `gigledger --help`'s epilog.",
    epilog=__doc__.split("\n\n")[-1].strip(),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
gig_app = typer.Typer(help="Create gigs and move them through their lifecycle.", no_args_is_help=True)
app.add_typer(gig_app, name="gig")

# Piped output is read by people too: do not squeeze addresses into 80 columns.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 220)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@dataclass
class Settings:
    """The global options every command shares."""

    rpc: str
    deployment: Optional[Path]
    keystore: Optional[Path]
    api: Optional[str]
    json: bool
    timeout: float


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


# ---------------------------------------------------------------- plumbing


def _settings(ctx: typer.Context) -> Settings:
    return ctx.find_root().obj


def _account(settings: Settings):
    password = None
    if settings.keystore and PASSWORD_ENV not in os.environ:
        if not sys.stdin.isatty():
            raise ConfigurationError(f"keystore {settings.keystore} needs a password: set ${PASSWORD_ENV}")
        password = typer.prompt("Keystore password", hide_input=True)
    return load_account(settings.keystore, password=password)


def _ledger(settings: Settings, *, signing: bool = True) -> GigLedger:
    ledger = GigLedger.connect(
        settings.rpc,
        account=_account(settings) if signing else None,
        deployment=settings.deployment,
        api_url=settings.api,
        timeout=settings.timeout,
    )
    if signing and ledger.account is None:
        raise NoAccount()
    return ledger


def _run(settings: Settings, action: Callable[[], Any]) -> Any:
    """Runs a command's action, turning SDK errors into a message and an exit code."""
    try:
        return action()
    except GigLedgerError as error:
        _report(settings, error, error.exit_code)
    except ValueError as error:  # a malformed hash, an over-long skill tag: the caller's input
        _report(settings, error, USAGE_ERROR)


def _report(settings: Settings, error: Exception, exit_code: int) -> NoReturn:
    if settings.json:
        err.print_json(json.dumps({"error": type(error).__name__, "message": str(error)}))
    else:
        err.print(f"[red]error:[/red] {error}", markup=True)
    raise typer.Exit(exit_code)


@contextmanager
def _waiting(what: str) -> Iterator[None]:
    """A spinner on stderr while a transaction is sent and mined."""
    with err.status(f"{what}: waiting for the transaction to be mined…"):
        yield


def jsonable(value: Any) -> Any:
    """Dataclasses, flags and tuples as plain JSON values (flags by name)."""
    if is_dataclass(value):
        return {f.name: jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def _print_json(value: Any) -> None:
    out.print(json.dumps(jsonable(value), indent=2), markup=False)


# ---------------------------------------------------------------- parsing


def parse_amount(text: str, units: TokenUnits) -> int:
    """An amount in the token's own units ("1eth", "0.5eth", "250usdc") as its smallest unit.

    A bare number is refused (InvalidAmount says which units the token takes): "1"
    silently meaning 1 wei would escrow 10^18 times too little."""
    return units.parse(text)


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """A duration: "90s", "30m", "12h", "7d", "2w", or plain seconds."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhdw]?)\s*", text.lower())
    if not match:
        raise typer.BadParameter(f"{text!r} is not a duration (examples: 3600, 12h, 7d)")
    return timedelta(seconds=int(match.group(1)) * _DURATION_UNITS.get(match.group(2) or "s"))


def parse_moment(text: str) -> timedelta | datetime:
    """A deadline: a duration from now ("7d") or an ISO date/time ("2026-12-31T17:00:00+00:00")."""
    try:
        return parse_duration(text)
    except typer.BadParameter:
        pass
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is neither a duration (7d) nor an ISO date/time") from None


def _address(text: str) -> str:
    try:
        return checked_address(text)
    except InvalidAddress as error:
        raise typer.BadParameter(str(error)) from None


def _bytes32(text: str) -> str:
    try:
        return as_bytes32(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a bytes32 hash: expected 0x followed by 64 hex digits, such as the keccak256 of the document"
        ) from None


AddressArg = Annotated[str, typer.Argument(parser=_address, help="An account address.")]
GigId = Annotated[int, typer.Argument(help="The gig's id.", min=1)]


# ---------------------------------------------------------------- output


def _short(address: str) -> str:
    return "—" if address == ZERO_ADDRESS else address


def _when(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z") if timestamp else "—"


def _token(token: str) -> str:
    return "ETH" if token == ZERO_ADDRESS else token


def _gig_table(gig: Gig, units: UnitsBook) -> Table:
    table = Table(title=f"Gig {gig.gig_id}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    rows = [
        ("state", gig.state.name),
        ("client", gig.client),
        ("freelancer", _short(gig.freelancer) if gig.freelancer != ZERO_ADDRESS else "open to anyone"),
        ("arbiter", gig.arbiter),
        ("token", _token(gig.token)),
        ("amount", units.show(gig.amount, gig.token)),
        ("paid", units.show(gig.paid, gig.token)),
        ("milestones", ", ".join(units.show(m, gig.token) for m in gig.milestones) or "—"),
        ("released milestones", str(gig.released)),
        ("deadline", _when(gig.deadline)),
        ("review period", str(timedelta(seconds=gig.review_period))),
        ("fee", f"{gig.fee_bps / 100:g}%"),
        ("delivered at", _when(gig.delivered_at)),
        ("disputed at", _when(gig.disputed_at)),
        ("skills", ", ".join(skill_name(s) for s in gig.skills) or "—"),
        ("terms hash", gig.terms_hash),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def _print_gig_result(settings: Settings, verb: str, result: Any) -> None:
    if settings.json:
        _print_json({"gig": result.gig, "transaction_hash": result.transaction_hash, "block": result.receipt.block_number})
        return
    out.print(
        f"gig {result.gig_id} {verb}: now {result.gig.state.name} "
        f"(transaction {result.transaction_hash}, block {result.receipt.block_number})"
    )


def reputation_tables(rep: Reputation, units: UnitsBook) -> list[Table]:
    record = Table(title=f"Reputation of {rep.address}", show_header=False)
    record.add_column("measure", style="bold")
    record.add_column("value")
    rate = "—" if rep.on_time_rate is None else f"{rep.on_time_rate:.0%}"
    average = "—" if rep.average_score is None else f"{rep.average_score:.2f} / 5"
    for name, value in [
        ("gigs completed", rep.record.completed),
        ("delivered on time", f"{rep.delivered_on_time} of {rep.delivered} delivered ({rate})"),
        ("missed deadlines", rep.record.missed_deadlines),
        ("disputes opened / won / lost", f"{rep.record.disputes_opened} / {rep.record.disputes_won} / {rep.record.disputes_lost}"),
        ("attestations", rep.attestation_count),
        ("average score", average),
    ]:
        record.add_row(name, str(value))
    for volume in rep.volumes:
        record.add_row("volume", f"earned {units.show(volume.earned, volume.token)}, paid {units.show(volume.paid, volume.token)}")
    tables = [record]
    if rep.skills:
        skills = Table(title="Skills")
        for column in ("skill", "gigs completed", "attestations", "average score"):
            skills.add_column(column)
        for s in rep.skills:
            score = "—" if s.average_score is None else f"{s.average_score:.2f}"
            skills.add_row(s.skill, str(s.gigs_completed), str(s.attestations), score)
        tables.append(skills)
    if rep.attestations:
        received = Table(title="Attestations received")
        for column in ("gig", "from", "score", "skill", "revoked", "transaction"):
            received.add_column(column)
        for a in rep.attestations:
            received.add_row(str(a.gig_id), a.attester, str(a.score), a.skill or "—", "yes" if a.revoked else "", a.transaction_hash)
        tables.append(received)
    return tables


# ---------------------------------------------------------------- gig commands


@gig_app.command("create")
def gig_create(
    ctx: typer.Context,
    amount: Annotated[str, typer.Option(help="Amount with the token's unit: 1.5eth, 20gwei, 250usdc.")],
    arbiter: Annotated[str, typer.Option(parser=_address, help="Who resolves a dispute.")],
    deadline: Annotated[str, typer.Option(help="Delivery deadline: a duration from now (7d) or ISO date/time.")],
    freelancer: Annotated[
        Optional[str], typer.Option(parser=_address, help="Freelancer; omit for an open gig anyone may accept.")
    ] = None,
    token: Annotated[Optional[str], typer.Option(parser=_address, help="ERC-20 token; omit for ETH.")] = None,
    milestone: Annotated[Optional[list[str]], typer.Option(help="A milestone amount; repeat, in order.")] = None,
    review_period: Annotated[str, typer.Option(help="Client's review window after delivery.")] = "3d",
    skill: Annotated[Optional[list[str]], typer.Option(help="A skill tag; repeat for several.")] = None,
    terms_hash: Annotated[Optional[str], typer.Option(parser=_bytes32, help="bytes32 hash of the agreed terms.")] = None,
) -> None:
    """Create and fund a gig."""
    settings = _settings(ctx)

    def action():
        ledger = _ledger(settings)
        units = ledger.token_units(token)
        with _waiting("creating the gig"):
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

    _print_gig_result(settings, "created", _run(settings, action))


def _gig_transition(name: str, verb: str, help_text: str) -> None:
    """Registers `gigledger gig NAME ID`: one lifecycle call on one gig."""

    def command(ctx: typer.Context, gig_id: GigId) -> None:
        settings = _settings(ctx)

        def action():
            ledger = _ledger(settings)
            with _waiting(f"{verb} gig {gig_id}"):
                return getattr(ledger, name.replace("-", "_"))(gig_id)

        _print_gig_result(settings, verb, _run(settings, action))

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
    deliverable_hash: Annotated[Optional[str], typer.Option(parser=_bytes32, help="bytes32 hash of the delivered work.")] = None,
) -> None:
    """Mark a gig delivered; the client's review period starts."""
    settings = _settings(ctx)

    def action():
        ledger = _ledger(settings)
        with _waiting(f"delivering gig {gig_id}"):
            return ledger.deliver(gig_id, deliverable_hash)

    _print_gig_result(settings, "delivered", _run(settings, action))


@gig_app.command("resolve")
def gig_resolve(
    ctx: typer.Context,
    gig_id: GigId,
    to_freelancer: Annotated[str, typer.Option(help="The freelancer's share in the gig's token (0.4eth); the rest goes to the client.")],
) -> None:
    """As the arbiter, split a disputed gig's money."""
    settings = _settings(ctx)

    def action():
        ledger = _ledger(settings)
        with _waiting(f"resolving gig {gig_id}"):
            return ledger.resolve(gig_id, parse_amount(to_freelancer, ledger.token_units(ledger.gig(gig_id).token)))

    _print_gig_result(settings, "resolved", _run(settings, action))


@gig_app.command("show")
def gig_show(ctx: typer.Context, gig_id: GigId) -> None:
    """Show one gig, rebuilt from the chain's events."""
    settings = _settings(ctx)
    ledger = _ledger(settings, signing=False)
    gig = _run(settings, lambda: ledger.gig(gig_id))
    _print_json(gig) if settings.json else out.print(_run(settings, lambda: _gig_table(gig, ledger.units_book())))


@gig_app.command("list")
def gig_list(
    ctx: typer.Context,
    client: Annotated[Optional[str], typer.Option(parser=_address, help="Only this client's gigs.")] = None,
    freelancer: Annotated[Optional[str], typer.Option(parser=_address, help="Only this freelancer's gigs.")] = None,
    state: Annotated[Optional[str], typer.Option(help="Only gigs in this state (open, accepted, delivered, ...).")] = None,
) -> None:
    """List gigs, optionally by client, freelancer and state."""
    settings = _settings(ctx)
    ledger = _run(settings, lambda: _ledger(settings, signing=False))
    gigs = _run(settings, lambda: ledger.gigs(client=client, freelancer=freelancer, state=state))
    if settings.json:
        _print_json(gigs)
        return
    units = ledger.units_book()
    table = Table(title=f"{len(gigs)} gig(s)")
    for column in ("id", "state", "client", "freelancer", "token", "amount", "deadline"):
        table.add_column(column)
    for g in gigs:
        amount = _run(settings, lambda g=g: units.show(g.amount, g.token))
        table.add_row(str(g.gig_id), g.state.name, g.client, _short(g.freelancer), _token(g.token), amount, _when(g.deadline))
    out.print(table)


@app.command("withdraw")
def withdraw(
    ctx: typer.Context,
    token: Annotated[Optional[str], typer.Option(parser=_address, help="ERC-20 token; omit for ETH.")] = None,
    to: Annotated[Optional[str], typer.Option(parser=_address, help="Recipient; default the account itself.")] = None,
) -> None:
    """Withdraw payouts credited to the account because a transfer to it was rejected."""
    settings = _settings(ctx)

    def action():
        ledger = _ledger(settings)
        with _waiting("withdrawing"):
            return ledger.withdraw(token, to)

    receipt = _run(settings, action)
    if settings.json:
        _print_json({"transaction_hash": receipt.transaction_hash, "block": receipt.block_number})
    else:
        out.print(f"withdrawn (transaction {receipt.transaction_hash}, block {receipt.block_number})")


# ---------------------------------------------------------------- reputation commands


@app.command("attest")
def attest(
    ctx: typer.Context,
    gig_id: GigId,
    score: Annotated[int, typer.Option(min=1, max=5, help="1 (poor) to 5 (excellent).")],
    skill: Annotated[str, typer.Option(help="The skill this is about.")] = "",
    evidence_hash: Annotated[Optional[str], typer.Option(parser=_bytes32, help="bytes32 hash of supporting evidence.")] = None,
) -> None:
    """Attest about the other party of a settled gig (once per gig)."""
    settings = _settings(ctx)

    def action():
        ledger = _ledger(settings)
        with _waiting(f"attesting on gig {gig_id}"):
            return ledger.attest(gig_id, score, skill, evidence_hash)

    result = _run(settings, action)
    if settings.json:
        _print_json({"attestation": result.attestation, "transaction_hash": result.receipt.transaction_hash})
    else:
        a = result.attestation
        out.print(f"attested {a.score}/5 about {a.subject} on gig {a.gig_id} (transaction {a.transaction_hash})")


@app.command("reputation")
def reputation(ctx: typer.Context, address: AddressArg) -> None:
    """Show an account's objective record, attestations and skills."""
    settings = _settings(ctx)
    ledger = _ledger(settings, signing=False)
    rep = _run(settings, lambda: ledger.reputation(address))
    if settings.json:
        _print_json(rep)
        return
    for table in _run(settings, lambda: reputation_tables(rep, ledger.units_book())):
        out.print(table)


@app.command("history")
def history(
    ctx: typer.Context,
    address: AddressArg,
    csv_output: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
) -> None:
    """Show an account's payments to and from the escrow (directions seen from the escrow)."""
    settings = _settings(ctx)
    ledger = _ledger(settings, signing=False)
    payments = _run(settings, lambda: ledger.payment_history(address))
    if csv_output:
        out.file.write(payments_csv(payments))
        return
    if settings.json:
        _print_json(payments)
        return
    table = Table(title=f"Payments of {address}")
    for column in ("block", "gig", "kind", "direction", "token", "amount", "fee", "transaction"):
        table.add_column(column)
    units = ledger.units_book()
    for p in payments:
        amount, fee = _run(settings, lambda p=p: (units.show(p.amount, p.token), units.show(p.fee, p.token)))
        table.add_row(str(p.block_number), str(p.gig_id), p.kind, p.direction, _token(p.token), amount, fee, p.transaction_hash)
    out.print(table)


@app.command("audit")
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
    from gigledger.audit import api_checkpoint, audit_account, claims_from_api, reconcile
    from gigledger.bundle import write_bundle
    from gigledger.headers import default_cache_dir

    settings = _settings(ctx)

    def action():
        ledger = _ledger(settings, signing=False)
        anchor = TrustAnchor.pinned(genesis_hash or ledger.deployment.genesis_hash, checkpoint)
        with err.status("auditing…"):
            head = api_checkpoint(settings.api) if settings.api else None
            claimed, held = claims_from_api(settings.api, address) if settings.api else (None, None)
            if bundle is not None:
                verified = write_bundle(
                    bundle, ledger.w3, ledger.deployment, address, anchor=anchor, require_seals=not unsealed, head=head
                )
                return reconcile(verified, held=held, claimed=claimed)
            return audit_account(
                ledger.w3, ledger.deployment, address, anchor=anchor, require_seals=not unsealed, head=head,
                held=held, claimed=claimed, cache_dir=default_cache_dir(),
            )

    _print_audit(settings, _run(settings, action), csv_output)


@app.command("verify")
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

    settings = _settings(ctx)
    _print_audit(settings, _run(settings, lambda: verify_bundle(bundle, genesis_hash, checkpoint=checkpoint)), csv_output)


def _print_audit(settings: Settings, report: Any, csv_output: bool) -> None:
    """An audit report as CSV, JSON or a table; exits AUDIT_FAILED if it found mismatches."""
    if csv_output:
        out.file.write(report.to_csv())
    elif settings.json:
        out.print(report.to_json(), markup=False)
    else:
        out.print(report.to_table())
    if not report.ok:
        raise typer.Exit(AUDIT_FAILED)


# ---------------------------------------------------------------- deployment


@app.command("deploy")
def deploy(
    ctx: typer.Context,
    out_path: Annotated[
        Optional[Path], typer.Option("--out", help="Where to write the manifest; default --deployment, else deployment.json.")
    ] = None,
    treasury: Annotated[Optional[str], typer.Option(parser=_address, help="Receives platform fees.")] = None,
    fee_bps: Annotated[int, typer.Option(min=0, max=1000, help="Platform fee in basis points.")] = 0,
) -> None:
    """Deploy the registry, the escrow and the talent market, and write a deployment manifest."""
    settings = _settings(ctx)

    def action() -> Deployment:
        w3, url = web3_for(settings.rpc)
        account = _account(settings)
        if account is None:
            raise ConfigurationError("deploy needs a signing account: --keystore or $GIGLEDGER_PRIVATE_KEY")
        sender = TransactionSender(w3, account, url=url, timeout=settings.timeout)
        with _waiting("deploying"):
            return deploy_with(sender, treasury=treasury, fee_bps=fee_bps)

    deployment = _run(settings, action)
    out_path = out_path or settings.deployment or Path("deployment.json")
    deployment.save(out_path)
    if settings.json:
        _print_json({"manifest": str(out_path), **jsonable(deployment)})
    else:
        out.print(
            f"deployed on chain {deployment.chain_id}: escrow {deployment.escrow}, registry {deployment.registry}, "
            f"market {deployment.market}"
        )
        out.print(f"manifest written to {out_path}")


import gigledger.cli_talent  # noqa: E402, F401 - registers `gigledger talent`

# The market's commands live in their own module, which builds on the helpers above.
from gigledger.cli_market import register as _register_market  # noqa: E402

_register_market(app)
