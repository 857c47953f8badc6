"""The GigLedger story, end to end, through the SDK (`make demo`).

A client escrows a payment for a freelancer, the freelancer accepts and delivers,
the client approves and the freelancer is paid; then each attests about the other
and the demo prints both accounts' reputation as the chain records it.

An Ape script, run from the repository's root (`python -m scripts.demo` takes the
same options):

    ape run demo                          # starts `gigledger-node start --dev` itself
    ape run demo --serve                  # ... and keeps it and the explorer up until Ctrl-C
    ape run demo --rpc URL --deployment deployment.json   # any EVM node
    ape run demo --in-process             # py-evm in this process, no node at all

It takes no `--network`: the story needs the dev accounts funded and, by default,
the node's explorer, so it starts its own node or uses the one named.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Iterator

import click
import httpx
from rich.console import Console
from web3 import Web3

from gigledger import Deployment, GigLedger, deploy, hash_content
from gigledger.cli.rendering import reputation_tables
from gigledger.devchain import DevNode, NodeExited, dev_accounts
from scripts._market_story import play_market, show_market_pages

console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


@contextmanager
def dev_node() -> Iterator[DevNode]:
    """`gigledger-node start --dev` in a temporary data directory, contracts deployed."""
    node = DevNode()
    try:
        with console.status("starting gigledger-node --dev and deploying the contracts…"):
            node.start()
    except (NodeExited, TimeoutError) as error:
        sys.exit(str(error))
    try:
        yield node
    finally:
        node.stop()


def in_process_chain() -> tuple[Web3, Deployment]:
    """py-evm in this process (eth-tester), dev accounts funded, contracts deployed."""
    from eth_tester import EthereumTester, PyEVMBackend
    from web3 import EthereumTesterProvider

    w3 = Web3(EthereumTesterProvider(EthereumTester(PyEVMBackend())))
    accounts = dev_accounts(8)  # the gig story's four and the market story's
    for account in accounts:
        w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": account.address, "value": 100 * 10**18})
    return w3, deploy(w3, accounts[0])


def step(text: str, transaction_hash: str) -> None:
    console.print(f"[green]✓[/green] {text} [dim]{transaction_hash}[/dim]")


def story(endpoint: str | Web3, deployment: Deployment | Path) -> tuple[int, list[str]]:
    """The gig, from posting to reputation: returns its id and its parties' addresses."""
    _, alice, bob, carol = dev_accounts(4)
    client = GigLedger.connect(endpoint, account=alice, deployment=deployment)
    freelancer = GigLedger.connect(endpoint, account=bob, deployment=deployment)
    console.print(f"client [bold]{alice.address}[/bold], freelancer [bold]{bob.address}[/bold], "
                  f"arbiter {carol.address}\n")

    created = client.create_gig(
        10**18,
        freelancer=bob.address,
        arbiter=carol.address,
        deadline=timedelta(days=7),
        terms_hash=hash_content("Build a CSV importer for the accounting app."),
        skills=["python", "data"],
    )
    gig_id = created.gig_id
    step(f"client escrowed 1 ETH for gig {gig_id}", created.transaction_hash)
    step("freelancer accepted", freelancer.accept(gig_id).transaction_hash)
    step("freelancer delivered", freelancer.deliver(gig_id, hash_content("importer v1.0 release")).transaction_hash)
    approved = client.approve(gig_id)
    step(f"client approved: gig {approved.gig.state.name}, freelancer paid", approved.transaction_hash)
    step("client attested 5/5 for python", client.attest(gig_id, 5, "python").receipt.transaction_hash)
    step("freelancer attested 4/5 about the client", freelancer.attest(gig_id, 4, "communication").receipt.transaction_hash)

    units = client.units_book()
    for address in (bob.address, alice.address):
        console.print()
        for table in reputation_tables(client.reputation(address), units):
            console.print(table)
    console.print("\nPayment history of the freelancer (directions seen from the escrow):")
    for payment in client.payment_history(bob.address):
        amount = units.show(payment.amount, payment.token)
        console.print(f"  block {payment.block_number}: {payment.kind} {payment.direction} {amount}")
    play_market(endpoint, deployment, console)
    return gig_id, [alice.address, bob.address]


def wait_for_index(explorer_url: str, rpc_url: str, timeout: float = 30.0) -> None:
    """Wait until the node's indexer has caught up with the chain head."""
    head = Web3(Web3.HTTPProvider(rpc_url)).eth.block_number
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{explorer_url}/status", timeout=5).json()["checkpoint_block"] >= head:
                return
        except (httpx.HTTPError, KeyError, TypeError):
            pass
        time.sleep(0.2)
    console.print(f"[yellow]the index has not reached block {head} yet; the pages may lag[/yellow]")


def show_explorer(node: DevNode, gig_id: int, parties: list[str]) -> None:
    """Print where the story can be seen in the explorer."""
    wait_for_index(node.api_url, node.url)
    console.print(f"\nExplorer: {node.api_url}/")
    console.print(f"  gig {gig_id}: {node.api_url}/gig/{gig_id}")
    for role, address in zip(("client", "freelancer"), parties, strict=True):
        console.print(f"  {role}: {node.api_url}/account/{address}")
    show_market_pages(node.api_url, node.url, node.manifest, console)


def serve_until_interrupted(node: DevNode) -> None:
    console.print(f"\nServing JSON-RPC at {node.url} and the explorer at {node.api_url}/ "
                  f"(manifest {node.manifest}); Ctrl-C stops.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        console.print("stopping")


@click.command(short_help="The GigLedger story, end to end, on a dev node or any chain.")
@click.option("--rpc", help="JSON-RPC URL of a node with GigLedger deployed.")
@click.option("--deployment", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Its deployment manifest.")
@click.option("--in-process", is_flag=True, help="Run on py-evm in this process.")
@click.option("--serve", is_flag=True, help="Keep the dev node and explorer running until Ctrl-C.")
def cli(rpc: str | None, deployment: Path | None, in_process: bool, serve: bool) -> None:
    """The gig story, then the market story, and where to see them in the explorer."""
    if rpc or deployment:
        if not (rpc and deployment):
            raise click.UsageError("--rpc and --deployment go together")
        story(rpc, deployment)
    elif in_process:
        story(*in_process_chain())
    else:
        with dev_node() as node:
            gig_id, parties = story(node.url, node.manifest)
            show_explorer(node, gig_id, parties)
            if serve:
                serve_until_interrupted(node)


if __name__ == "__main__":
    cli()
