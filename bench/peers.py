"""The dev chains the node benchmark compares: each started on loopback, stopped after.

`gigledger-node start --dev`, Anvil and Hardhat's `hardhat node` all fund the ten
accounts of the "test test ... junk" mnemonic, so one workload script with one
set of keys runs against each of them unchanged. The node is started by
`gigledger.devchain`'s launcher and Anvil by `gigledger.testing`'s, as everywhere
else in the project; only Hardhat has a launcher of its own here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from gigledger.devchain import DevNode, NodeProcess, free_port
from gigledger.testing import AnvilProcess

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / ".tools"
TOOLS_BIN = TOOLS / "node_modules" / ".bin"
# Hardhat 2 only runs from a directory where it is installed locally (its npm prefix).
HARDHAT_CONFIG = Path(__file__).resolve().parent / "hardhat" / "hardhat.config.js"
STARTUP_SECONDS = 60
NODE = "gigledger-node --dev"
PEERS = (NODE, "anvil", "hardhat")


@dataclass(frozen=True)
class Peer:
    """A running chain: its name (with version), JSON-RPC URL and process id."""

    name: str
    url: str
    pid: int


def tool(name: str) -> str:
    """An npm tool from `make tools`' .tools, else from PATH."""
    local = TOOLS_BIN / name
    found = str(local) if local.exists() else shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} not installed: run `make tools`")
    return found


@contextlib.contextmanager
def running(name: str) -> Iterator[Peer]:
    """Start ``name`` (one of PEERS) on a free loopback port, stop it after."""
    if name == NODE:
        with dev_node() as peer:
            yield peer
    elif name == "anvil":
        with AnvilProcess(binary=tool("anvil")) as anvil:
            yield Peer(f"anvil ({client_version(anvil.url)})", anvil.url, anvil.process.pid)
    elif name == "hardhat":
        with hardhat() as peer:
            yield peer
    else:
        raise ValueError(f"unknown peer {name!r}; one of {PEERS}")


@contextlib.contextmanager
def dev_node(data_dir: Path | None = None, label: str = NODE) -> Iterator[Peer]:
    """`gigledger-node start --dev --no-deploy --no-index` (in ``data_dir`` if given)."""
    with DevNode(data_dir, deploy=False, index=False) as node:
        yield _peer(label, node.start())


@contextlib.contextmanager
def node_on(data_dir: Path) -> Iterator[Peer]:
    """`gigledger-node start DATA_DIR` (operator mode: fsync per block) on a free loopback port."""
    with NodeProcess([str(data_dir), "--no-index"], log_path=data_dir / "bench-node.log") as node:
        yield _peer(f"gigledger-node {data_dir.name}", node.start())


def _peer(label: str, node: NodeProcess) -> Peer:
    assert node.process is not None
    return Peer(f"{label} ({client_version(node.url)})", node.url, node.process.pid)


@contextlib.contextmanager
def hardhat() -> Iterator[Peer]:
    """`hardhat node` on a free loopback port, run from the npm prefix it is installed in."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    binary = tool("hardhat")
    prefix = Path(binary).parent.parent.parent  # PREFIX/node_modules/.bin/hardhat
    command = [binary, "--config", str(HARDHAT_CONFIG), "node", "--hostname", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true"}
    with tempfile.NamedTemporaryFile(prefix="bench-hardhat-", suffix=".log", delete=False) as log:
        process = subprocess.Popen(command, cwd=prefix, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            _wait(url, process)
            yield Peer(f"hardhat ({client_version(url)})", url, process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait(url: str, process: subprocess.Popen) -> None:
    """Poll until the chain answers."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            client_version(url)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {STARTUP_SECONDS} s")


def client_version(url: str) -> str:
    answer = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "web3_clientVersion", "params": []}, timeout=5)
    return answer.json().get("result", "unknown version")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
