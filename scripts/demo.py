"""The GigLedger story, end to end, through the SDK (`make demo`).

A client escrows a payment for a freelancer, the freelancer accepts and delivers,
the client approves and the freelancer is paid; then each attests about the other
and the demo prints both accounts' reputation as the chain records it.

    python scripts/demo.py                          # starts `gigledger-node start --dev` itself
    python scripts/demo.py --rpc URL --deployment deployment.json   # any EVM node
    python scripts/demo.py --in-process             # py-evm in this process, no node at all
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Iterator

from eth_account import Account
from eth_account.signers.local import LocalAccount
from rich.console import Console
from web3 import Web3

from gigledger import Deployment, GigLedger, deploy, hash_content
from gigledger.cli import reputation_tables

DEV_MNEMONIC = "test test test test test test test test test test test junk"
NODE = Path(sys.executable).with_name("gigledger-node")
console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def dev_accounts(count: int) -> list[LocalAccount]:
    """The first accounts of the dev mnemonic, which dev chains prefund."""
    Account.enable_unaudited_hdwallet_features()
    return [Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(count)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def dev_node() -> Iterator[tuple[str, Path]]:
    """`gigledger-node start --dev` in a temporary data directory: its URL and manifest."""
    with tempfile.TemporaryDirectory(prefix="gigledger-demo-") as data:
        port = free_port()
        manifest = Path(data) / "node" / "deployment.json"
        process = subprocess.Popen(
            [str(NODE), "start", "--dev", str(manifest.parent), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            with console.status("starting gigledger-node --dev and deploying the contracts…"):
                _wait_for(manifest, process)
            yield f"http://127.0.0.1:{port}", manifest
        finally:
            process.terminate()
            process.wait(timeout=10)
            process.stderr.close()


def _wait_for(path: Path, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            sys.exit(f"gigledger-node exited with {process.returncode}:\n{process.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            sys.exit(f"gigledger-node wrote no {path.name} within {timeout:g}s")
        time.sleep(0.1)


def in_process_chain() -> tuple[Web3, Deployment]:
    """py-evm in this process (eth-tester), dev accounts funded, contracts deployed."""
    from eth_tester import EthereumTester, PyEVMBackend
    from web3 import EthereumTesterProvider

    w3 = Web3(EthereumTesterProvider(EthereumTester(PyEVMBackend())))
    accounts = dev_accounts(4)
    for account in accounts:
        w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": account.address, "value": 100 * 10**18})
    return w3, deploy(w3, accounts[0])


def step(text: str, transaction_hash: str) -> None:
    console.print(f"[green]✓[/green] {text} [dim]{transaction_hash}[/dim]")


def story(endpoint: str | Web3, deployment: Deployment | Path) -> None:
    """The gig, from posting to reputation."""
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

    for address in (bob.address, alice.address):
        console.print()
        for table in reputation_tables(client.reputation(address)):
            console.print(table)
    console.print("\nPayment history of the freelancer (directions seen from the escrow):")
    for payment in client.payment_history(bob.address):
        console.print(f"  block {payment.block_number}: {payment.kind} {payment.direction} {payment.amount} wei")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rpc", help="JSON-RPC URL of a node with GigLedger deployed")
    parser.add_argument("--deployment", type=Path, help="its deployment manifest")
    parser.add_argument("--in-process", action="store_true", help="run on py-evm in this process")
    args = parser.parse_args()
    if args.rpc or args.deployment:
        if not (args.rpc and args.deployment):
            parser.error("--rpc and --deployment go together")
        story(args.rpc, args.deployment)
    elif args.in_process or not NODE.exists():
        w3, deployment = in_process_chain()
        story(w3, deployment)
    else:
        with dev_node() as (url, manifest):
            story(url, manifest)


if __name__ == "__main__":
    main()
