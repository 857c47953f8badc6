"""Run a command against a throwaway `gigledger-node start --dev` on 127.0.0.1:8545.

`make test` uses it to run the Ape contract suite against the node, the address
ape-config.yaml gives `ethereum:local:node`:

    python scripts/on_dev_node.py ape test tests/ape --network ethereum:local:node
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HOST, PORT = "127.0.0.1", 8545
STARTUP_SECONDS = 60
NODE = Path(sys.executable).with_name("gigledger-node")


def port_is_free() -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((HOST, PORT)) != 0


def answers() -> bool:
    request = urllib.request.Request(
        f"http://{HOST}:{PORT}",
        data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return "result" in json.load(response)
    except OSError:
        return False


def wait_until_serving(node: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not answers():
        if node.poll() is not None:
            sys.exit(f"gigledger-node exited with {node.returncode}")
        if time.monotonic() > deadline:
            sys.exit(f"gigledger-node did not answer on {HOST}:{PORT} within {STARTUP_SECONDS}s")
        time.sleep(0.2)


def main(command: list[str]) -> int:
    if not command:
        sys.exit(__doc__)
    if not port_is_free():
        sys.exit(f"{HOST}:{PORT} is taken; stop whatever serves there first")
    with tempfile.TemporaryDirectory(prefix="gigledger-ape-") as data:
        node = subprocess.Popen(
            [str(NODE), "start", "--dev", f"{data}/node", "--no-deploy", "--no-index", "--host", HOST, "--port", str(PORT)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_serving(node)
            return subprocess.call(command)
        finally:
            node.terminate()
            node.wait(timeout=20)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
