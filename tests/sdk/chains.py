"""The two chains the SDK is tested against: py-evm in process (eth-tester) and Anvil.

Both look the same to a test: a connected Web3, funded dev accounts, snapshots,
and a way to move the clock. Anvil runs as a real process on loopback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from eth_account.signers.local import LocalAccount
from eth_tester import EthereumTester, PyEVMBackend
from web3 import EthereumTesterProvider, Web3

from gigledger.devchain import dev_accounts
from gigledger.testing import AnvilProcess

ROOT = Path(__file__).resolve().parents[2]
#: deployer, client, freelancer, arbiter, stranger, relayer
DEV_ACCOUNTS = 6


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
    accounts = dev_accounts(DEV_ACCOUNTS)
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


def chain_of_anvil(anvil: AnvilProcess) -> Chain:
    """The Chain of a running Anvil process."""
    w3 = Web3(Web3.HTTPProvider(anvil.url, request_kwargs={"timeout": 10}))

    def advance(seconds: int) -> None:
        anvil.rpc("evm_increaseTime", seconds)
        anvil.rpc("evm_mine")

    return Chain(
        name="anvil",
        w3=w3,
        rpc_url=anvil.url,
        accounts=dev_accounts(DEV_ACCOUNTS),
        snapshot=lambda: anvil.rpc("evm_snapshot"),
        revert=lambda snapshot_id: anvil.rpc("evm_revert", snapshot_id),
        advance=advance,
        set_automine=lambda on: anvil.rpc("evm_setAutomine", on),
    )
