"""The dev chain: its mnemonic, accounts and authority key, and the one launcher of
`gigledger-node start --dev`.

Every dev chain this project starts (the node's `--dev`, Anvil in the tests, the
demo) prefunds the same accounts, so this module is the only place that names
them. The launcher runs the node as a process (the SDK never imports the node):
it starts it on loopback, waits until it answers, and stops it cleanly.
Never use any of this for a real chain: the keys are public.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_keys import keys
from eth_utils import keccak

#: The well-known Hardhat/Anvil mnemonic: its accounts are public test accounts.
DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_ACCOUNT_COUNT = 10
DEV_BALANCE = 10_000 * 10**18
DEV_CHAIN_ID = 1337
#: Fixed so dev chains are reproducible; never use it for a real chain.
DEV_AUTHORITY_KEY = keys.PrivateKey(keccak(b"gigledger dev authority"))
#: Where `start --dev` writes the manifest of the contracts it deployed.
DEPLOYMENT_FILE = "deployment.json"
LOOPBACK = "127.0.0.1"
STARTUP_TIMEOUT = 60.0


def dev_account(index: int) -> LocalAccount:
    """Account `index` of the dev mnemonic (dev chains prefund the first ten)."""
    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")


def dev_accounts(count: int = DEV_ACCOUNT_COUNT) -> list[LocalAccount]:
    """The first `count` accounts of the dev mnemonic."""
    return [dev_account(i) for i in range(count)]


def free_port() -> int:
    """A TCP port nobody listens on right now, on loopback."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


class NodeExited(RuntimeError):
    """The node process ended before it answered; carries the end of its output."""


class NodeProcess:
    """A `gigledger-node start ARGS` process on loopback, from start to a clean stop.

    Its output goes to `log_path` (a temporary file unless given). `start` returns
    once the node answers JSON-RPC, and, with `wait_for_deployment`, once it has
    written its contracts' manifest.
    """

    def __init__(self, args: list[str], log_path: Path | None = None, port: int | None = None) -> None:
        self.args = args
        self.port = port or free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self._own_log = log_path is None
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="gigledger-node-", suffix=".log")[1])
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        return [sys.executable, "-m", "gigledger_node.cli", "start", *self.args, "--port", str(self.port)]

    def launch(self) -> NodeProcess:
        """Starts the node without waiting for it to answer."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT)
        return self

    def start(self, wait_for: Path | None = None, timeout: float = STARTUP_TIMEOUT) -> NodeProcess:
        """Starts the node and waits until it answers (and `wait_for` exists, if given)."""
        process = self.launch().process
        assert process is not None
        deadline = time.monotonic() + timeout
        while not (self.answers() and (wait_for is None or wait_for.exists())):
            if process.poll() is not None:
                raise NodeExited(f"gigledger-node exited with {process.returncode}: {self.output()[-2000:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"gigledger-node was not ready on {self.url} within {timeout:g}s")
            time.sleep(0.1)
        return self

    def answers(self) -> bool:
        """Whether the node answers eth_chainId."""
        try:
            return "result" in self.call("eth_chainId")
        except (OSError, ValueError):
            return False

    def call(self, method: str, *params: Any) -> dict[str, Any]:
        """One JSON-RPC request over the standard library; returns the whole answer."""
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}).encode()
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            answer: dict[str, Any] = json.load(response)
            return answer

    def output(self) -> str:
        """What the node printed so far."""
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no chance to flush or clean up."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if the node has not stopped within 10 s."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._own_log:
            self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> NodeProcess:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


class DevNode(NodeProcess):
    """`gigledger-node start --dev` in a data directory of its own (temporary unless given).

    With `deploy` (the default) `start` waits until the contracts are deployed;
    `manifest` is then their deployment manifest. The query API and explorer
    serve on `api_url` unless `index` is off.
    """

    def __init__(self, data_dir: Path | None = None, *, deploy: bool = True, index: bool = True,
                 port: int | None = None, log_path: Path | None = None, extra: tuple[str, ...] = ()) -> None:
        self._temporary = data_dir is None
        self.data_dir = data_dir or Path(tempfile.mkdtemp(prefix="gigledger-devnode-")) / "node"
        self.deploy = deploy
        self.api_port = free_port()
        flags = ["--dev", str(self.data_dir), "--api-port", str(self.api_port)]
        flags += [] if deploy else ["--no-deploy"]
        flags += [] if index else ["--no-index"]
        super().__init__([*flags, *extra], log_path, port)
        self.api_url = f"http://{LOOPBACK}:{self.api_port}"

    @property
    def manifest(self) -> Path:
        return self.data_dir / DEPLOYMENT_FILE

    def start(self, wait_for: Path | None = None, timeout: float = STARTUP_TIMEOUT) -> DevNode:
        super().start(wait_for or (self.manifest if self.deploy else None), timeout)
        return self

    def stop(self) -> None:
        super().stop()
        if self._temporary:
            shutil.rmtree(self.data_dir.parent, ignore_errors=True)

    def __enter__(self) -> DevNode:
        return self
