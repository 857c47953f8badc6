"""Fixtures for the node suite: real node processes on loopback, and clients for them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_keys import keys
from web3 import HTTPProvider, Web3

from gigledger import devchain
from gigledger.devchain import DEV_AUTHORITY_KEY, DEV_CHAIN_ID
from gigledger_node.chain.datadir import GenesisConfig, initialise
from gigledger_node.chain.node import ChainNode


class NodeProcess(devchain.NodeProcess):
    """The shared launcher, with an httpx client for the tests' raw JSON-RPC."""

    def __init__(self, args: list[str], log_path: Path) -> None:
        super().__init__(args, log_path)
        self.client = httpx.Client(timeout=30)  # one connection pool: a new client costs ~100 ms

    def rpc(self, method: str, *params: Any, token: str | None = None) -> dict[str, Any]:
        """One JSON-RPC call; returns the whole response object."""
        return self.post({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, token)

    def post(self, payload: Any, token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.post(self.url, json=payload, headers=headers)
        return response.json() if response.content else None

    def wait_for_receipt(self, tx_hash: str, timeout: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            receipt = self.rpc("eth_getTransactionReceipt", tx_hash).get("result")
            if receipt:
                return receipt
            time.sleep(0.02)
        raise TimeoutError(tx_hash)

    def stop(self) -> None:
        self.client.close()
        super().stop()


def plain_web3(url: str) -> Web3:
    """web3.py exactly as a user gets it: no POA middleware."""
    return Web3(HTTPProvider(url, request_kwargs={"timeout": 30}))


@pytest.fixture(scope="session")
def dev_accounts() -> list[LocalAccount]:
    return devchain.dev_accounts()


@pytest.fixture(scope="session")
def dev_node(tmp_path_factory) -> Iterator[NodeProcess]:
    """One shared `start --dev` node for tests that only add blocks."""
    node = NodeProcess(["--dev", "--no-deploy"], tmp_path_factory.mktemp("dev") / "node.log").start()
    yield node
    node.stop()


@pytest.fixture(scope="session")
def w3(dev_node) -> Web3:
    return plain_web3(dev_node.url)


@pytest.fixture
def stranger() -> LocalAccount:
    """An account that is on no allowlist."""
    return Account.create()


@pytest.fixture
def operator_dir(tmp_path, dev_accounts) -> Path:
    """An initialised (non-dev) data directory: dev accounts 0-4 funded, 0-2 allowed."""
    config = GenesisConfig(
        chain_id=4242,
        authorities=[],
        alloc={a.address: 10**24 for a in dev_accounts[:5]},
        allowlist=[a.address for a in dev_accounts[:3]],
    )
    data_dir = tmp_path / "data"
    initialise(data_dir, config, keys.PrivateKey(Account.create().key))
    return data_dir


@pytest.fixture
def start_node(tmp_path) -> Iterator[Callable[..., NodeProcess]]:
    """start_node(*args) starts `gigledger-node start *args`; all are stopped at teardown."""
    started: list[NodeProcess] = []

    def start(*args: str) -> NodeProcess:
        node = NodeProcess(list(args), tmp_path / f"node-{len(started)}.log").start()
        started.append(node)
        return node

    yield start
    for node in started:
        node.stop()


@pytest.fixture
def operator_node(operator_dir, start_node) -> NodeProcess:
    """A production-mode node (no dev methods) on its own data directory."""
    return start_node(str(operator_dir))


@pytest.fixture
def admin_token(operator_dir) -> str:
    return (operator_dir / "admin.token").read_text().strip()


def sign_transfer(account: LocalAccount, nonce: int, chain_id: int = DEV_CHAIN_ID, value: int = 1, **overrides) -> bytes:
    """A signed EIP-1559 ETH transfer to a fixed address."""
    tx = {
        "type": 2, "chainId": chain_id, "nonce": nonce, "to": "0x" + "42" * 20,
        "value": value, "gas": 21_000, "maxFeePerGas": 10**11, "maxPriorityFeePerGas": 10**9,
        **overrides,
    }
    return bytes(account.sign_transaction(tx).raw_transaction)


@pytest.fixture(scope="session")
def transfer():
    """sign_transfer(account, nonce, chain_id=1337, value=1, **fields) -> raw tx bytes."""
    return sign_transfer


@pytest.fixture(scope="session")
def execution_apis() -> Path:
    """The execution-apis OpenRPC sources (read-only, beside the repo)."""
    root = Path(__file__).resolve().parents[2] / ".." / "shared" / "execution-apis"
    if not (root / "src").is_dir():
        pytest.skip("execution-apis spec not found at ../shared/execution-apis")
    return root.resolve()


@pytest.fixture
def chain_node(tmp_path, dev_accounts) -> Iterator[ChainNode]:
    """An in-process ChainNode: dev accounts 0-4 funded, 0-2 allowed, dev authority."""
    config = GenesisConfig(
        chain_id=DEV_CHAIN_ID,
        authorities=[DEV_AUTHORITY_KEY.public_key.to_checksum_address()],
        alloc={a.address: 10**24 for a in dev_accounts[:5]},
        allowlist=[a.address for a in dev_accounts[:3]],
    )
    initialise(tmp_path, config, DEV_AUTHORITY_KEY)
    node = ChainNode.open(tmp_path, DEV_AUTHORITY_KEY)
    yield node
    node.ledger.close()


@pytest.fixture(scope="session")
def pinger_artifact() -> dict[str, Any]:
    """ABI and bytecode of the Pinger test contract (events, storage, a revert)."""
    import vyper

    source = (Path(__file__).parent / "contracts" / "Pinger.vy").read_text()
    return vyper.compile_code(source, output_formats=["abi", "bytecode"])


@pytest.fixture(scope="session")
def pinger(w3, dev_accounts, pinger_artifact):
    """A Pinger deployed on the shared dev node by dev account 0."""
    factory = w3.eth.contract(abi=pinger_artifact["abi"], bytecode=pinger_artifact["bytecode"])
    tx_hash = factory.constructor().transact({"from": dev_accounts[0].address})
    address = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=20).contractAddress
    return w3.eth.contract(address=address, abi=pinger_artifact["abi"])
