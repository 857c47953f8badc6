"""The two chains the SDK is tested against: py-evm in process (eth-tester) and Anvil.

Both look the same to a test: a connected Web3, funded dev accounts, snapshots,
and a way to move the clock. Anvil runs as a real process on loopback.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_tester import EthereumTester, PyEVMBackend
from web3 import EthereumTesterProvider, Web3

ROOT = Path(__file__).resolve().parents[2]
ANVIL = ROOT / ".tools" / "node_modules" / ".bin" / "anvil"
DEV_MNEMONIC = "test test test test test test test test test test test junk"
#: deployer, client, freelancer, arbiter, stranger, relayer
DEV_ACCOUNTS = 6

Account.enable_unaudited_hdwallet_features()


def dev_account(index: int) -> LocalAccount:
    """Account `index` of the dev mnemonic (Anvil and `gigledger-node --dev` prefund them)."""
    return Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")


def anvil_binary() -> str | None:
    """The Anvil binary: the one npm installed for the project, else one on PATH."""
    if ANVIL.exists():
        return str(ANVIL)
    return shutil.which("anvil")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Chain:
    """A test chain: its Web3, its URL (None in process), and dev controls."""

    name: str
    w3: Web3
    rpc_url: str | None
    accounts: list[LocalAccount]
    snapshot: Callable[[], object]
    revert: Callable[[object], None]
    advance: Callable[[int], None]  # moves the clock forward by seconds and mines a block
    set_automine: Callable[[bool], None]

    @property
    def endpoint(self) -> str | Web3:
        """What `GigLedger.connect` takes for this chain."""
        return self.rpc_url or self.w3


def in_process_chain() -> Chain:
    """py-evm through eth-tester, with the dev accounts funded from its own."""
    tester = EthereumTester(PyEVMBackend())
    w3 = Web3(EthereumTesterProvider(tester))
    accounts = [dev_account(i) for i in range(DEV_ACCOUNTS)]
    funder = w3.eth.accounts[0]
    for account in accounts:
        w3.eth.send_transaction({"from": funder, "to": account.address, "value": 10_000 * 10**18})

    def advance(seconds: int) -> None:
        tester.time_travel(w3.eth.get_block("latest")["timestamp"] + seconds)

    def set_automine(on: bool) -> None:
        tester.enable_auto_mine_transactions() if on else tester.disable_auto_mine_transactions()

    return Chain(
        name="eth-tester",
        w3=w3,
        rpc_url=None,
        accounts=accounts,
        snapshot=tester.take_snapshot,
        revert=tester.revert_to_snapshot,
        advance=advance,
        set_automine=set_automine,
    )


class AnvilProcess:
    """An Anvil process on a free loopback port, stopped by `stop`."""

    def __init__(self, binary: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--host", "127.0.0.1", "--silent", "--mnemonic", DEV_MNEMONIC],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "NO_COLOR": "1"},
        )
        self.w3 = Web3(Web3.HTTPProvider(self.url, request_kwargs={"timeout": 10}))
        self._wait_until_ready()

    def _wait_until_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"anvil exited with {self.process.returncode}")
            try:
                self.w3.eth.chain_id
                return
            except Exception:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"anvil did not answer on {self.url} within {timeout}s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def chain(self) -> Chain:
        w3 = self.w3

        def rpc(method: str, *params: object) -> object:
            response = w3.provider.make_request(method, list(params))
            if "error" in response:
                raise RuntimeError(f"{method}: {response['error']}")
            return response["result"]

        def advance(seconds: int) -> None:
            rpc("evm_increaseTime", seconds)
            rpc("evm_mine")

        return Chain(
            name="anvil",
            w3=w3,
            rpc_url=self.url,
            accounts=[dev_account(i) for i in range(DEV_ACCOUNTS)],
            snapshot=lambda: rpc("evm_snapshot"),
            revert=lambda snapshot_id: rpc("evm_revert", snapshot_id),
            advance=advance,
            set_automine=lambda on: rpc("evm_setAutomine", on),
        )
