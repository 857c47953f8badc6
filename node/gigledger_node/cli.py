"""gigledger-node: initialise a data directory and serve it over JSON-RPC.

Each command is a thin function over the chain/ and rpc/ packages, so the
indexer and API commands can join this app without touching the others.
"""

from __future__ import annotations

import ipaddress
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Optional

import typer
import uvicorn
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_keys import keys
from eth_utils import to_canonical_address

from gigledger.devchain import DEPLOYMENT_FILE, DEV_AUTHORITY_KEY, DEV_BALANCE, DEV_CHAIN_ID, dev_accounts
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
from gigledger_node.rpc.context import RpcContext
from gigledger_node.rpc.server import RpcServer

app = typer.Typer(help="The GigLedger permissioned node.", no_args_is_help=True)



@app.command()
def init(
    data_dir: Annotated[Path, typer.Argument(help="Directory to create.")],
    config: Annotated[Path, typer.Option(help="Genesis config JSON: chainId, authorities, alloc, allowlist.")],
    authority_key: Annotated[Optional[Path], typer.Option(help="Hex key file of the sealing authority; generated if omitted.")] = None,
) -> None:
    """Create a data directory from a genesis config."""
    key = read_authority_key(authority_key) if authority_key else keys.PrivateKey(Account.create().key)
    try:
        initialise(data_dir, load_genesis_config(config), key)
    except DataDirError as error:
        raise typer.BadParameter(str(error)) from error
    typer.echo(f"initialised {data_dir}; sealing authority {key.public_key.to_checksum_address()}")
    typer.echo(f"admin token written to {data_dir / 'admin.token'}")


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
) -> None:
    """Serve a data directory over JSON-RPC (HTTP and WebSocket on one port)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for chatty in ("alembic", "httpx"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    if dev:
        _require_loopback(host)
        data_dir, local_accounts = _create_dev_data_dir(data_dir), _dev_accounts()
    elif data_dir is None:
        raise typer.BadParameter("give a data directory, or --dev")
    else:
        local_accounts = []
    node = ChainNode.open(data_dir, read_authority_key(data_dir / AUTHORITY_KEY_FILE))
    ctx = RpcContext(node=node, dev=dev, local_accounts={to_canonical_address(a.address): a for a in local_accounts})
    url = f"http://{host}:{port}"
    web = WebSettings(host=host, port=api_port or port + 1, db_url=db) if index else None

    def on_serving() -> None:
        if dev and deploy:
            _deploy_contracts(url, data_dir, local_accounts[0])
        if web is not None:
            _serve_index(url, data_dir, web)

    server = RpcServer(ctx, read_admin_token(data_dir), block_time, on_serving)
    typer.echo(f"serving chain {node.ledger.chain_id} from {data_dir} at {url} (head #{node.head().block_number})")
    try:
        uvicorn.run(server.app, host=host, port=port, log_level="warning", ws="websockets-sansio")
    finally:
        node.ledger.close()


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


def _deploy_contracts(url: str, data_dir: Path, deployer: LocalAccount) -> None:
    """Deploy the GigLedger contracts to the dev chain and write the manifest.

    Runs in a worker thread once the server is serving, talking to the node over
    its own HTTP endpoint like any client would.
    """
    from web3 import HTTPProvider, Web3

    from gigledger.deployment import deploy

    w3 = Web3(HTTPProvider(url))
    manifest = data_dir / DEPLOYMENT_FILE
    deploy(w3, deployer).save(manifest)
    typer.echo(f"contracts deployed; manifest at {manifest}")


@dataclass(frozen=True)
class WebSettings:
    """Where `start` serves the query API and explorer, and which index they read."""

    host: str
    port: int
    db_url: str | None


def _serve_index(url: str, data_dir: Path, web: WebSettings) -> None:
    """Follow the chain into the index and serve the query API and explorer beside JSON-RPC.

    Needs the contracts' manifest in the data directory: without one there is
    nothing to index, and the node says so instead of failing.
    """
    from gigledger.deployment import Deployment
    from gigledger_node.index.commands import follow_in_background
    from gigledger_node.index.db import default_url
    from gigledger_node.web.api import serve_in_background

    manifest = data_dir / DEPLOYMENT_FILE
    if not manifest.exists():
        typer.echo(f"no {manifest}: indexer, query API and explorer not started (deploy, then restart)")
        return
    deployment = Deployment.load(manifest)
    db_url = web.db_url or default_url(data_dir)
    # The web app migrates the index before the indexer thread opens it: Alembic's
    # migration context is process-global, so two threads must not migrate at once.
    serve_in_background(db_url, host=web.host, port=web.port, rpc_url=url, deployment=deployment)
    follow_in_background(url, deployment, db_url)
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
    from gigledger_node.index.commands import run_indexer

    run_indexer(
        rpc, deployment, db, data_dir=data_dir, follow=follow, poll_interval=poll_interval,
        confirmations=confirmations, max_range=max_range,
    )


@app.command()
def api(
    db: Annotated[Optional[str], typer.Option(help="SQLAlchemy URL of the index; default SQLite in --data-dir.")] = None,
    data_dir: Annotated[Path, typer.Option(help="Where the default SQLite index lives.")] = Path(".gigledger"),
    host: str = "127.0.0.1",
    port: int = 8000,
    rpc: Annotated[Optional[str], typer.Option(help="JSON-RPC endpoint, for audits.")] = None,
    deployment: Annotated[Optional[Path], typer.Option(help="Deployment manifest, for audits.")] = None,
) -> None:
    """Serve the query API (OpenAPI at /openapi.json) and the explorer over an index."""
    from gigledger.deployment import Deployment
    from gigledger_node.index.commands import index_url
    from gigledger_node.web.api import serve

    manifest = Deployment.load(deployment) if deployment else None
    serve(index_url(db, data_dir), host=host, port=port, rpc_url=rpc, deployment=manifest)


if __name__ == "__main__":
    app()
