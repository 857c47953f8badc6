"""Test tools for code built on GigLedger: Anvil on loopback, dev nodes, and a pytest plugin.

Load it as a plugin (`-p gigledger.testing`, as this project's pyproject does) for
the `anvil_process` and `dev_node_factory` fixtures; import it for the launchers.
Everything it starts listens on 127.0.0.1 and is stopped by the fixture that
started it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gigledger.devchain import DEV_MNEMONIC, LOOPBACK, DevNode, free_port

__all__ = ["AnvilProcess", "anvil_binary", "free_port", "rpc", "wait_until"]

STARTUP_TIMEOUT = 30.0
#: Where `make tools` installs the pinned Anvil, relative to the project root.
PROJECT_ANVIL = Path(".tools") / "node_modules" / ".bin" / "anvil"


def anvil_binary() -> str | None:
    """The Anvil binary: $ANVIL, the project's pinned one, else one on PATH."""
    for candidate in (os.environ.get("ANVIL"), PROJECT_ANVIL):
        if candidate and Path(candidate).is_file():
            return str(Path(candidate).resolve())
    return shutil.which("anvil")


def wait_until(ready: Callable[[], bool], what: str, timeout: float = STARTUP_TIMEOUT) -> None:
    """Polls `ready()` until it is true; raises TimeoutError naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} was not ready within {timeout:g}s")
        time.sleep(0.05)


def rpc(url: str, method: str, params: list[Any] | None = None) -> Any:
    """One raw JSON-RPC call; returns its result, raises RuntimeError on an error answer."""
    answer = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).json()
    if "error" in answer:
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


class AnvilProcess:
    """An Anvil process on a free loopback port, prefunding the dev mnemonic's accounts."""

    def __init__(self, *flags: str, binary: str | None = None) -> None:
        found = binary or anvil_binary()
        if found is None:
            raise FileNotFoundError("Anvil is not installed: `make tools` (npm install --prefix .tools @foundry-rs/anvil)")
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.process = subprocess.Popen(
            [found, "--port", str(self.port), "--host", LOOPBACK, "--silent", "--mnemonic", DEV_MNEMONIC, *flags],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "NO_COLOR": "1"},
        )
        try:
            wait_until(self._answers, f"anvil on {self.url}", timeout=20)
        except BaseException:
            self.stop()
            raise

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"anvil exited with {self.process.returncode}")
        try:
            rpc(self.url, "eth_chainId")
            return True
        except httpx.HTTPError:
            return False

    def rpc(self, method: str, *params: Any) -> Any:
        return rpc(self.url, method, list(params))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> AnvilProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ---------------------------------------------------------------- the pytest plugin


@pytest.fixture(scope="session")
def anvil_process() -> Iterator[AnvilProcess]:
    """A real Anvil process for the whole session (the test is skipped without Anvil)."""
    if anvil_binary() is None:
        pytest.skip("Anvil is not installed: `make tools`")
    with AnvilProcess() as process:
        yield process


@pytest.fixture
def dev_node_factory(tmp_path: Path) -> Iterator[Callable[..., DevNode]]:
    """dev_node_factory(**options) starts a `gigledger-node start --dev` (see DevNode); all stop at teardown."""
    started: list[DevNode] = []

    def start(**options: Any) -> DevNode:
        options.setdefault("data_dir", tmp_path / f"devnode-{len(started)}")
        options.setdefault("log_path", tmp_path / f"devnode-{len(started)}.log")
        node = DevNode(**options)
        started.append(node)
        return node.start()

    yield start
    for node in started:
        node.stop()
