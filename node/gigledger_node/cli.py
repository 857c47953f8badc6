"""gigledger-node: initialise a data directory and serve it over JSON-RPC.

Each command is a thin function over the chain/ and rpc/ packages, so the
indexer and API commands can join this app without touching the others.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional, TypeVar

import typer
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_keys import keys
from eth_utils import to_canonical_address

from gigledger.devchain import DEPLOYMENT_FILE, DEV_AUTHORITY_KEY, DEV_BALANCE, DEV_CHAIN_ID, dev_accounts
from gigledger_node.admin import TOKEN_ENV, AdminClient, AdminError, checked_account
from gigledger_node.chain.calls import CallLimits
from gigledger_node.chain.datadir import (
    AUTHORITY_KEY_FILE,
    DataDirError,
    GenesisConfig,
    initialise,
    load_genesis_config,
    read_admin_token,
    read_authority_key,
)
from gigledger_node.chain.node import ChainNode
from gigledger_node.chain.producer import BlockLimits
from gigledger_node.chain.txpool import PoolLimits
from gigledger_node.metrics import Metrics
from gigledger_node.node_metrics import node_metrics
from gigledger_node.rpc.context import RpcContext
from gigledger_node.rpc.listener import serve
from gigledger_node.rpc.server import RpcServer

if TYPE_CHECKING:
    from gigledger.deployment import Deployment

app = typer.Typer(help="The GigLedger permissioned node.", no_args_is_help=True)
T = TypeVar("T")


@app.command()
def init(
    data_dir: Annotated[Path, typer.Argument(help="Directory to create.")],
    config: Annotated[Path, typer.Option(help="Genesis config JSON: chainId, authorities, alloc, allowlist.")],
    authority_key: Annotated[
        Optional[Path],
        typer.Option(help="Hex key file of one of the config's authorities (required if it lists any); else one is generated."),
    ] = None,
) -> None:
    """Create a data directory from a genesis config."""
    try:
        genesis = load_genesis_config(config)
        if genesis.authorities and authority_key is None:
            raise typer.BadParameter("the config lists authorities: give the key file of one of them", param_hint="--authority-key")
        key = read_authority_key(authority_key) if authority_key else keys.PrivateKey(Account.create().key)
        initialise(data_dir, genesis, key)
    except DataDirError as error:
        raise typer.BadParameter(str(error)) from error
    typer.echo(f"initialised {data_dir}; sealing authority {key.public_key.to_checksum_address()}")
    typer.echo(f"admin token written to {data_dir / 'admin.token'}")


LOG_LEVELS = ("debug", "info", "warning", "error")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gigledger-node {package_version('gigledger')}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """The GigLedger permissioned node."""


def _require_usable_trusted() -> None:
    """Refuses, before anything starts, a $GIGLEDGER_TRUSTED the query API could not seed trust from."""
    from gigledger_node.index.errors import QueryError
    from gigledger_node.index.trust import operator_trusted

    try:
        operator_trusted()
    except QueryError as error:
        raise typer.BadParameter(f"{error} (a comma-separated list of 0x addresses)", param_hint="$GIGLEDGER_TRUSTED") from None


@app.command()
def start(
    data_dir: Annotated[Optional[Path], typer.Argument(help="Initialised data directory (omit with --dev).")] = None,
    host: str = "127.0.0.1",
    port: int = 8545,
    block_time: Annotated[Optional[float], typer.Option(help="Seal every N seconds instead of on demand.")] = None,
    dev: Annotated[bool, typer.Option(help="Throwaway chain: funded test accounts, evm_* methods, contracts deployed.")] = False,
    deploy: Annotated[bool, typer.Option(help="With --dev: deploy the GigLedger contracts and write deployment.json.")] = True,
    index: Annotated[bool, typer.Option(help="Index deployment.json's contracts and serve the query API and explorer.")] = True,
    api_port: Annotated[Optional[int], typer.Option(help="Port of the query API and explorer; default: the RPC port + 1.")] = None,
    db: Annotated[Optional[str], typer.Option(help="SQLAlchemy URL of the index; default SQLite in the data directory.")] = None,
    cors_origin: Annotated[Optional[list[str]], typer.Option(help="A browser origin the query API admits (CORS); repeat for several.")] = None,
    log_level: Annotated[str, typer.Option(help=f"One of {', '.join(LOG_LEVELS)}.")] = "info",
    rpc_gas_cap: Annotated[
        int, typer.Option(min=21_000, help="Most gas one eth_call / eth_estimateGas may use (geth's rpc.gascap).")
    ] = CallLimits.gas_cap,
    rpc_evm_timeout: Annotated[
        float, typer.Option(min=0.001, help="Seconds one eth_call / eth_estimateGas may run (geth's rpc.evmtimeout).")
    ] = CallLimits.timeout,
    txpool_lifetime: Annotated[
        str,
        typer.Option(
            metavar="DURATION",
            help="How long an account's nonce-gapped transactions stay pooled with none of its transactions "
            "becoming executable: seconds, or a number ending in s, m or h (geth's txpool.lifetime).",
        ),
    ] = "3h",
    block_tx_timeout: Annotated[
        float, typer.Option(min=0.001, help="Seconds one transaction may run while a block is built; "
                            "one that runs longer is left out of the block and dropped.")
    ] = BlockLimits.tx_timeout,
) -> None:
    """Serve a data directory over JSON-RPC (HTTP and WebSocket on one port)."""
    _configure_logging(log_level)
    pool_limits = PoolLimits(lifetime=_duration(txpool_lifetime, "--txpool-lifetime"))
    if index:
        _require_usable_trusted()
    web = WebSettings(host=host, port=api_port or port + 1, db_url=db, cors_origins=tuple(cors_origin or ())) if index else None
    _require_free_ports(host, [port] + ([web.port] if web else []))
    temporary = dev and data_dir is None
    if dev:
        _require_loopback(host)
        data_dir, local_accounts = _create_dev_data_dir(data_dir), _dev_accounts()
    elif data_dir is None:
        raise typer.BadParameter("give a data directory, or --dev")
    else:
        local_accounts = []
    try:
        limits = CallLimits(gas_cap=rpc_gas_cap, timeout=rpc_evm_timeout)
        _serve(data_dir, host, port, block_time, dev and deploy, web, local_accounts, limits, pool_limits,
               BlockLimits(tx_timeout=block_tx_timeout))
    finally:
        if temporary:
            shutil.rmtree(data_dir, ignore_errors=True)


def _serve(data_dir: Path, host: str, port: int, block_time: float | None, deploy: bool,
           web: WebSettings | None, local_accounts: list[LocalAccount], limits: CallLimits, pool_limits: PoolLimits,
           block_limits: BlockLimits) -> None:
    """Serves the node until it is stopped; `local_accounts` non-empty means a dev chain."""
    dev = bool(local_accounts)
    # A dev chain is throwaway (start --dev never reopens one): no fsync per block.
    node = ChainNode.open(data_dir, read_authority_key(data_dir / AUTHORITY_KEY_FILE), durable=not dev,
                          pool_limits=pool_limits, block_limits=block_limits)
    metrics = node_metrics(node)
    ctx = RpcContext(
        node=node,
        dev=dev,
        local_accounts={to_canonical_address(a.address): a for a in local_accounts},
        call_limits=limits,
    )
    url = f"http://{host}:{port}"
    deployment = _deploy_before_serving(ctx, read_admin_token(data_dir), block_time, local_accounts[0]) if deploy else None

    def on_serving() -> None:
        if deployment is not None:
            _save_manifest_once_listening(deployment, data_dir, host, port)
        if dev:
            _print_dev_environment(url, data_dir / DEPLOYMENT_FILE if deploy else None)
        if web is not None:
            _serve_index(url, data_dir, web, metrics)

    server = RpcServer(ctx, read_admin_token(data_dir), block_time, on_serving)
    typer.echo(f"serving chain {node.ledger.chain_id} from {data_dir} at {url} (head #{node.head().block_number})")
    if dev:
        _print_dev_accounts(local_accounts)
    # uvicorn re-raises the SIGTERM it stopped on; exit through Python so the
    # `finally` blocks run (close the ledger, remove a temporary data directory).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        serve(server.app, host, port)
    finally:
        node.ledger.close()


def _configure_logging(level: str) -> None:
    if level.lower() not in LOG_LEVELS:
        raise typer.BadParameter(f"--log-level {level!r}: expected one of {', '.join(LOG_LEVELS)}")
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for chatty in ("alembic", "httpx"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLogger().level))


DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}


def _duration(text: str, option: str) -> float:
    """Seconds from "90", "90s", "30m", "1.5h"; anything else, or zero, is a usage error naming ``option``."""
    match = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)([smh]?)", text.strip())
    if match is None:
        raise typer.BadParameter(f"{text!r} is not a duration: give seconds, or a number ending in s, m or h (90s, 30m, 3h)",
                                 param_hint=option)
    seconds = float(match[1]) * DURATION_UNITS[match[2]]
    if seconds <= 0:
        raise typer.BadParameter(f"{text!r}: must be more than 0", param_hint=option)
    return seconds


def _require_free_ports(host: str, ports: list[int]) -> None:
    """Exit at once, touching nothing, if another process already listens on a port the node needs."""
    for port in ports:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as error:
                typer.echo(f"error: cannot listen on {host}:{port}: {error.strerror} (is another node running? "
                           "choose --port / --api-port)", err=True)
                raise typer.Exit(code=1) from None


def _print_dev_accounts(accounts: list[LocalAccount]) -> None:
    typer.echo(f"dev accounts ({DEV_BALANCE // 10**18:,} ETH each; public test keys, never use them on a real chain):")
    for number, account in enumerate(accounts):
        typer.echo(f"  ({number}) {account.address}  key {account.key.hex()}")


def _print_dev_environment(url: str, manifest: Path | None) -> None:
    """The line that points `gigledger` and the SDK at this dev node."""
    deployment = f" GIGLEDGER_DEPLOYMENT={manifest}" if manifest is not None else ""
    typer.echo(f"export GIGLEDGER_RPC={url}{deployment}")


def _require_loopback(host: str) -> None:
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise typer.BadParameter("--dev serves only on loopback (127.0.0.1, ::1, localhost)")


def _dev_accounts() -> list[LocalAccount]:
    """The dev chain's prefunded accounts (gigledger.devchain owns them)."""
    return dev_accounts()


def _create_dev_data_dir(data_dir: Path | None) -> Path:
    """A fresh dev data directory (a temporary one unless a path is given)."""
    target = data_dir or Path(tempfile.mkdtemp(prefix="gigledger-dev-"))
    accounts: list[str] = [a.address for a in _dev_accounts()]
    config = GenesisConfig(
        chain_id=DEV_CHAIN_ID,
        authorities=[DEV_AUTHORITY_KEY.public_key.to_checksum_address()],
        alloc={a: DEV_BALANCE for a in accounts},
        allowlist=accounts,
    )
    initialise(target, config, DEV_AUTHORITY_KEY)
    return target


def _deploy_before_serving(
    ctx: RpcContext, admin_token: str, block_time: float | None, deployer: LocalAccount
) -> Deployment:
    """Seal the dev deployment before the requested port opens.

    The deployment talks JSON-RPC like any client, so it runs against a private
    server on an ephemeral loopback port. Only then does `start` open the public
    port: a script that waits for eth_chainId and then sends from account 0 would
    otherwise race the deployment for that account's nonces ("nonce too low").
    Call it before the public RpcServer is built, so that one wakes the producer.
    """
    import uvicorn  # plain uvicorn: a private, short-lived loopback server needs no public limits

    private = RpcServer(ctx, admin_token, block_time)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(private.app, log_level="warning", ws="none"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
        thread.start()
        try:
            while not server.started and thread.is_alive():
                time.sleep(0.01)
            return _deploy_contracts(f"http://127.0.0.1:{listener.getsockname()[1]}", deployer)
        finally:
            server.should_exit = True
            thread.join()


def _deploy_contracts(url: str, deployer: LocalAccount) -> Deployment:
    """Deploy the GigLedger contracts to the dev chain at ``url``."""
    from web3 import HTTPProvider, Web3

    from gigledger.deployment import deploy

    return deploy(Web3(HTTPProvider(url)), deployer)


def _save_manifest_once_listening(deployment: Deployment, data_dir: Path, host: str, port: int) -> None:
    """Write deployment.json once the public port accepts connections: scripts and
    tests wait for the manifest and then connect at once."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.01)
    manifest = data_dir / DEPLOYMENT_FILE
    written = manifest.with_suffix(".tmp")
    deployment.save(written)
    os.replace(written, manifest)  # whoever sees the manifest sees all of it
    typer.echo(f"contracts deployed; manifest at {manifest}")


@dataclass(frozen=True)
class WebSettings:
    """Where `start` serves the query API and explorer, and which index they read."""

    host: str
    port: int
    db_url: str | None
    cors_origins: tuple[str, ...] = ()


#: How often a node without a deployment manifest looks for one.
MANIFEST_POLL_SECONDS = 1.0


def _serve_index(url: str, data_dir: Path, web: WebSettings, metrics: Metrics) -> None:
    """Follow the chain into the index and serve the query API and explorer beside JSON-RPC.

    Needs the contracts' manifest in the data directory. Without one the node
    waits for it, so `gigledger deploy --out DATA_DIR/deployment.json` against
    the running node is all it takes to start the index.
    """
    manifest = data_dir / DEPLOYMENT_FILE
    if manifest.exists():
        _start_index(url, manifest, data_dir, web, metrics)
        return
    typer.echo(f"no {manifest} yet: the indexer, query API and explorer start once it is written "
               f"(gigledger deploy --rpc {url} --out {manifest})")

    def wait_for_manifest() -> None:
        while not manifest.exists():
            time.sleep(MANIFEST_POLL_SECONDS)
        time.sleep(MANIFEST_POLL_SECONDS)  # let the writer finish the file
        _start_index(url, manifest, data_dir, web, metrics)

    threading.Thread(target=wait_for_manifest, name="manifest-watch", daemon=True).start()


def _start_index(url: str, manifest: Path, data_dir: Path, web: WebSettings, metrics: Metrics) -> None:
    from gigledger.deployment import Deployment
    from gigledger_node.index.commands import follow_in_background
    from gigledger_node.index.db import default_url
    from gigledger_node.index.indexer import FollowerHealth
    from gigledger_node.web.api import serve_in_background

    deployment = Deployment.load(manifest)
    db_url = web.db_url or default_url(data_dir)
    # The web app migrates the index before the indexer thread opens it: Alembic's
    # migration context is process-global, so two threads must not migrate at once.
    health = FollowerHealth()
    serve_in_background(db_url, host=web.host, port=web.port, rpc_url=url, deployment=deployment,
                        metrics=metrics, cors_origins=web.cors_origins, health=health)
    follow_in_background(url, deployment, db_url, health=health)
    typer.echo(f"query API and explorer at http://{web.host}:{web.port}/ (index {db_url})")


@app.command()
def index(
    deployment: Annotated[Path, typer.Option(help="Deployment manifest (JSON) of the contracts to index.")],
    rpc: Annotated[str, typer.Option(help="Any EVM JSON-RPC endpoint: this node, Anvil, Besu.")] = "http://127.0.0.1:8545",
    db: Annotated[Optional[str], typer.Option(help="SQLAlchemy URL, e.g. postgresql+psycopg://...; default SQLite in --data-dir.")] = None,
    data_dir: Annotated[Path, typer.Option(help="Where the default SQLite index lives.")] = Path(".gigledger"),
    follow: Annotated[bool, typer.Option(help="Keep following new blocks after the backfill.")] = True,
    poll_interval: Annotated[float, typer.Option(help="Seconds between polls for new blocks.")] = 1.0,
    confirmations: Annotated[int, typer.Option(help="Stay this many blocks behind the head.")] = 0,
    max_range: Annotated[int, typer.Option(help="Most blocks per log query (the range adapts below it).")] = 100_000,
) -> None:
    """Index the escrow's and registry's events into SQL, following the chain."""
    from rich.console import Console

    from gigledger_node.backfill_progress import BackfillProgress
    from gigledger_node.index.commands import IndexerStopped, run_indexer

    console = Console(stderr=True)
    try:
        run_indexer(
            rpc, deployment, db, data_dir=data_dir, follow=follow, poll_interval=poll_interval,
            confirmations=confirmations, max_range=max_range,
            progress=lambda first, last: BackfillProgress(first, last, console), say=console.print,
        )
    except IndexerStopped as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(3) from None


@app.command()
def api(
    db: Annotated[Optional[str], typer.Option(help="SQLAlchemy URL of the index; default SQLite in --data-dir.")] = None,
    data_dir: Annotated[Path, typer.Option(help="Where the default SQLite index lives.")] = Path(".gigledger"),
    host: str = "127.0.0.1",
    port: int = 8000,
    rpc: Annotated[Optional[str], typer.Option(help="JSON-RPC endpoint, for audits.")] = None,
    deployment: Annotated[Optional[Path], typer.Option(help="Deployment manifest, for audits.")] = None,
    cors_origin: Annotated[Optional[list[str]], typer.Option(help="A browser origin the API admits (CORS); repeat for several.")] = None,
) -> None:
    """Serve the query API (OpenAPI at /openapi.json, docs at /docs) and the explorer over an index."""
    from gigledger.deployment import Deployment

    _require_usable_trusted()
    from gigledger_node.index.commands import index_url
    from gigledger_node.web.api import serve

    manifest = Deployment.load(deployment) if deployment else None
    serve(index_url(db, data_dir), host=host, port=port, rpc_url=rpc, deployment=manifest, cors_origins=cors_origin or ())


# ---------------------------------------------------------------- the allowlist, over the admin API

AdminRpc = Annotated[str, typer.Option(help="JSON-RPC URL of the running node.")]
AdminRpcDefault = "http://127.0.0.1:8545"
AdminDataDir = Annotated[Optional[Path], typer.Option(help=f"The node's data directory, for its admin.token (else ${TOKEN_ENV}).")]


def _admin(rpc: str, data_dir: Path | None) -> AdminClient:
    if data_dir is not None:
        try:
            return AdminClient(rpc, read_admin_token(data_dir))
        except (OSError, DataDirError) as error:
            raise typer.BadParameter(f"no admin token in {data_dir}: {error}", param_hint="--data-dir") from None
    token = os.environ.get(TOKEN_ENV)
    if not token:
        raise typer.BadParameter(f"give --data-dir (for its admin.token) or set ${TOKEN_ENV}", param_hint="--data-dir")
    return AdminClient(rpc, token)


def _accounts(addresses: list[str]) -> list[str]:
    try:
        return [checked_account(a) for a in addresses]
    except AdminError as error:
        raise typer.BadParameter(str(error), param_hint="ADDRESS") from None


def _admin_call(action: Callable[[], T]) -> T:
    try:
        return action()
    except AdminError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from None


def _change_allowlist(addresses: list[str], rpc: str, data_dir: Path | None, change: str) -> None:
    """`change` ("allow" or "disallow") the accounts on the running node, and say so."""
    accounts, admin = _accounts(addresses), _admin(rpc, data_dir)
    _admin_call(lambda: getattr(admin, change)(accounts))
    typer.echo(f"{change}ed {', '.join(accounts)}")


@app.command()
def allow(
    addresses: Annotated[list[str], typer.Argument(help="Accounts that may send transactions.", metavar="ADDRESS...")],
    rpc: AdminRpc = AdminRpcDefault,
    data_dir: AdminDataDir = None,
) -> None:
    """Add accounts to the running node's allowlist."""
    _change_allowlist(addresses, rpc, data_dir, "allow")


@app.command()
def disallow(
    addresses: Annotated[list[str], typer.Argument(help="Accounts to refuse from now on.", metavar="ADDRESS...")],
    rpc: AdminRpc = AdminRpcDefault,
    data_dir: AdminDataDir = None,
) -> None:
    """Remove accounts from the running node's allowlist."""
    _change_allowlist(addresses, rpc, data_dir, "disallow")


@app.command()
def allowlist(rpc: AdminRpc = AdminRpcDefault, data_dir: AdminDataDir = None) -> None:
    """Print the accounts the running node lets send transactions, one a line."""
    admin = _admin(rpc, data_dir)
    for account in _admin_call(admin.allowlist):
        typer.echo(account)


if __name__ == "__main__":
    app()
