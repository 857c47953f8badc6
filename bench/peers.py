"""The dev chains the node benchmark compares: each started on loopback, stopped after.

`gigledger-node start --dev`, Anvil and Hardhat's `hardhat node` all fund the ten
accounts of the "test test ... junk" mnemonic, so one workload script with one
set of keys runs against each of them unchanged.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / ".tools"
TOOLS_BIN = TOOLS / "node_modules" / ".bin"
# Hardhat 2 only runs from a directory where it is installed locally.
HARDHAT_CONFIG = Path(__file__).resolve().parent / "hardhat" / "hardhat.config.js"
STARTUP_SECONDS = 60


@dataclass(frozen=True)
class Peer:
    """A running chain: its name (with version) and JSON-RPC URL."""

    name: str
    url: str
    pid: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tool(name: str) -> str:
    """An npm tool from `make tools`' .tools, else from PATH."""
    local = TOOLS_BIN / name
    found = str(local) if local.exists() else shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} not installed: run `make tools`")
    return found


def _commands(port: int) -> dict[str, tuple[list[str], Path | None]]:
    return {
        "gigledger-node --dev": (
            [sys.executable, "-m", "gigledger_node.cli", "start", "--dev", "--no-deploy", "--no-index",
             "--port", str(port)],
            None,
        ),
        "anvil": ([tool("anvil"), "--host", "127.0.0.1", "--port", str(port), "--silent"], None),
        "hardhat": (
            [tool("hardhat"), "--config", str(HARDHAT_CONFIG), "node", "--hostname", "127.0.0.1", "--port", str(port)],
            TOOLS,
        ),
    }


PEERS = ("gigledger-node --dev", "anvil", "hardhat")


@contextlib.contextmanager
def running(name: str) -> Iterator[Peer]:
    """Start ``name`` on a free loopback port, wait until it answers, stop it after."""
    port = free_port()
    command, cwd = _commands(port)[name]
    log = tempfile.NamedTemporaryFile(prefix=f"bench-{name.split()[0]}-", suffix=".log", delete=False)
    with _serving(name, command, port, log, cwd) as peer:
        yield peer


@contextlib.contextmanager
def node_on(data_dir: Path) -> Iterator[Peer]:
    """`gigledger-node start DATA_DIR` (operator mode: fsync per block) on a free loopback port."""
    port = free_port()
    command = [sys.executable, "-m", "gigledger_node.cli", "start", str(data_dir), "--no-index", "--port", str(port)]
    with (data_dir / "bench-node.log").open("ab") as log, _serving(f"gigledger-node {data_dir.name}", command, port, log) as peer:
        yield peer


@contextlib.contextmanager
def _serving(name: str, command: list[str], port: int, log: IO[bytes], cwd: Path | None = None) -> Iterator[Peer]:
    env = {**os.environ, "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true"}
    process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        version = _wait(url, process)
        yield Peer(f"{name} ({version})", url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait(url: str, process: subprocess.Popen) -> str:
    """Poll until the chain answers; returns its web3_clientVersion."""
    deadline = time.monotonic() + STARTUP_SECONDS
    with httpx.Client(timeout=5) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
            try:
                client.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
            except httpx.HTTPError:
                time.sleep(0.1)
                continue
            answer = client.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "web3_clientVersion", "params": []})
            return answer.json().get("result", "unknown version")
    raise TimeoutError(f"{url} did not answer within {STARTUP_SECONDS} s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

