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
import random
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
#: What `gigledger-node start` says when a port it needs is taken.
PORT_TAKEN = "Address already in use"


def dev_account(index: int) -> LocalAccount:
    """Account `index` of the dev mnemonic (dev chains prefund the first ten)."""
    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")


def dev_accounts(count: int = DEV_ACCOUNT_COUNT) -> list[LocalAccount]:
    """The first `count` accounts of the dev mnemonic."""
    return [dev_account(i) for i in range(count)]


#: Ports below this are left to services; free ports are chosen above it.
PORT_FLOOR = 20_000
#: Linux's default ephemeral range, used where /proc does not say.
DEFAULT_EPHEMERAL_RANGE = (32_768, 60_999)
#: How often a node whose chosen ports were taken meanwhile is restarted on others.
PORT_RETRIES = 3


def ephemeral_port_range() -> tuple[int, int]:
    """The range the kernel takes source ports of outgoing connections from."""
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        return DEFAULT_EPHEMERAL_RANGE
    return low, high


def free_port(span: int = 1) -> int:
    """The first of `span` consecutive loopback TCP ports nobody listens on right now.

    Chosen at random below the kernel's ephemeral range: a port the kernel hands
    out (bind to port 0) is also what it hands the next outgoing connection as
    its source port, so a server started a moment later could find it taken.
    """
    low = ephemeral_port_range()[0]
    ceiling = low if low - span > PORT_FLOOR else 65_535
    for _ in range(200):
        first = random.randrange(PORT_FLOOR, ceiling - span)
        if all(_bindable(port) for port in range(first, first + span)):
            return first
    raise RuntimeError(f"no {span} free consecutive ports on {LOOPBACK} between {PORT_FLOOR} and {ceiling}")


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return False
        return True


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
        self._ports_chosen_here = port is None
        #: The RPC port; `--dev`'s default API port is the next one, so both are free.
        self.port = port or free_port(span=2)
        self._own_log = log_path is None
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="gigledger-node-", suffix=".log")[1])
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "gigledger_node.cli", "start", *self.args, "--port", str(self.port)]

    def choose_other_ports(self) -> None:
        """New free ports, for a restart after the chosen ones were taken meanwhile."""
        self.port = free_port(span=2)

    def launch(self) -> NodeProcess:
        """Starts the node without waiting for it to answer."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT)
        return self

    def start(self, wait_for: Path | None = None, timeout: float = STARTUP_TIMEOUT) -> NodeProcess:
        """Starts the node and waits until it answers (and `wait_for` exists, if given).

        Ports this launcher chose can be taken by another process between the
        choice and the node's bind; the node then exits at once and is started
        again on other ports, up to `PORT_RETRIES` times.
        """
        for _ in range(PORT_RETRIES):
            try:
                return self._start_once(wait_for, timeout)
            except NodeExited as exited:
                if not (self._ports_chosen_here and PORT_TAKEN in str(exited)):
                    raise
                self.choose_other_ports()
        return self._start_once(wait_for, timeout)

    def _start_once(self, wait_for: Path | None, timeout: float) -> NodeProcess:
        log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        process = self.launch().process
        assert process is not None
        deadline = time.monotonic() + timeout
        while not (self.answers() and (wait_for is None or wait_for.exists())):
            if process.poll() is not None:
                said = self.output()[log_start:]
                raise NodeExited(f"gigledger-node exited with {process.returncode}: {said[-2000:]}")
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
        flags = ["--dev", str(self.data_dir)]
        flags += [] if deploy else ["--no-deploy"]
        flags += [] if index else ["--no-index"]
        super().__init__([*flags, *extra], log_path, port)

    @property
    def api_url(self) -> str:
        return f"http://{LOOPBACK}:{self.api_port}"

    def command(self) -> list[str]:
        return [*super().command(), "--api-port", str(self.api_port)]

    def choose_other_ports(self) -> None:
        super().choose_other_ports()
        self.api_port = free_port()

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
