"""Run a command against a throwaway `gigledger-node start --dev` on 127.0.0.1:8545.

`make test` uses it to run the Ape contract suite against the node, the address
ape-config.yaml gives `ethereum:local:node`:

    python scripts/on_dev_node.py ape test tests/ape --network ethereum:local:node
    ape run on_dev_node ape test tests/ape --network ethereum:local:node
"""

from __future__ import annotations

import subprocess
import sys

import click

from gigledger.devchain import DevNode, NodeExited

PORT = 8545


@click.command(context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
               short_help="Run a command against a throwaway dev node on port 8545.")
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def cli(command: tuple[str, ...]) -> None:
    """Starts the dev node (no contracts, no indexer), runs COMMAND, stops the node; exits as COMMAND did."""
    with DevNode(deploy=False, index=False, port=PORT) as node:
        try:
            node.start()
        except (NodeExited, TimeoutError) as error:
            sys.exit(str(error))
        sys.exit(subprocess.call(list(command)))


if __name__ == "__main__":
    cli()
