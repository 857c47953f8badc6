"""Fixtures for the node suite: real node processes on loopback, and clients for them."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_keys import keys
from web3 import HTTPProvider, Web3
from websockets.sync.client import connect as ws_connect

from gigledger import devchain
from gigledger.devchain import DEV_AUTHORITY_KEY, DEV_CHAIN_ID, STARTUP_TIMEOUT, free_port
from gigledger_node.chain.datadir import GenesisConfig, initialise
from gigledger_node.chain.node import ChainNode
from gigledger_node.rpc.context import RpcContext
from gigledger_node.rpc.dispatch import Dispatcher
from gigledger_node.rpc.filters import FilterRegistry
from gigledger_node.rpc.listener import ServerLimits, uvicorn_config
from gigledger_node.rpc.server import RpcServer


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

    def own_connection(self) -> NodeProcess:
        """A handle on the same node with an HTTP connection of its own (for another thread)."""
        handle = copy.copy(self)
        handle.client = httpx.Client(timeout=30)
        handle.process = None  # stopping the handle closes its connection, not the node
        return handle

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


@pytest.fixture
def dev_socket(dev_node) -> Iterator[Any]:
    """A WebSocket connection to the shared dev node, closed after the test."""
    with ws_connect(dev_node.url.replace("http", "ws"), open_timeout=10, max_size=None) as ws:
        yield ws


def ws_call(ws: Any, method: str, *params: Any) -> dict[str, Any]:
    """One JSON-RPC call over a WebSocket; returns the whole response object."""
    ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}))
    return json.loads(ws.recv(timeout=10))


@pytest.fixture(scope="module")
def deployed_dev_node(tmp_path_factory) -> Iterator[NodeProcess]:
    """A `start --dev` node with its contracts deployed, returned at its first eth_chainId answer."""
    data_dir = tmp_path_factory.mktemp("deployed") / "data"
    node = NodeProcess(["--dev", str(data_dir), "--no-index"], data_dir.parent / "node.log").start()
    yield node
    node.stop()


CALL_GAS_CAP = 40_000_000
CALL_TIMEOUT_SECONDS = 2


@pytest.fixture(scope="module")
def call_limited_node(tmp_path_factory) -> Iterator[NodeProcess]:
    """A dev node whose eth_call / eth_estimateGas are capped at CALL_GAS_CAP gas and
    CALL_TIMEOUT_SECONDS seconds."""
    args = ["--dev", "--no-deploy", "--no-index", "--rpc-gas-cap", str(CALL_GAS_CAP),
            "--rpc-evm-timeout", str(CALL_TIMEOUT_SECONDS)]
    node = NodeProcess(args, tmp_path_factory.mktemp("limited") / "node.log").start()
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
    """The execution-apis OpenRPC sources (read-only, beside the repo, or at $EXECUTION_APIS)."""
    beside = Path(__file__).resolve().parents[2] / ".." / "shared" / "execution-apis"
    root = Path(os.environ.get("EXECUTION_APIS", beside))
    if not (root / "src").is_dir():
        pytest.skip("execution-apis spec not found at ../shared/execution-apis")
    return root.resolve()


def make_chain_node(data_dir: Path, dev_accounts: list[LocalAccount]) -> ChainNode:
    """An in-process ChainNode: dev accounts 0-4 funded, 0-2 allowed, dev authority."""
    config = GenesisConfig(
        chain_id=DEV_CHAIN_ID,
        authorities=[DEV_AUTHORITY_KEY.public_key.to_checksum_address()],
        alloc={a.address: 10**24 for a in dev_accounts[:5]},
        allowlist=[a.address for a in dev_accounts[:3]],
    )
    initialise(data_dir, config, DEV_AUTHORITY_KEY)
    return ChainNode.open(data_dir, DEV_AUTHORITY_KEY)


@pytest.fixture
def chain_node(tmp_path, dev_accounts) -> Iterator[ChainNode]:
    """An in-process ChainNode: dev accounts 0-4 funded, 0-2 allowed, dev authority."""
    node = make_chain_node(tmp_path, dev_accounts)
    yield node
    node.ledger.close()


@pytest.fixture
def local_rpc(chain_node) -> Callable[..., dict[str, Any]]:
    """local_rpc(method, *params, admin=False): one request through the real dispatcher of
    the in-process ``chain_node``; nothing is sealed unless the test calls produce()."""
    server = RpcServer(RpcContext(node=chain_node), admin_token="local-admin-token")

    def call(method: str, *params: Any, admin: bool = False) -> dict[str, Any]:
        request = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
        return server.dispatcher.handle_request(request, admin)

    return call


@pytest.fixture
def asgi_client(chain_node) -> Iterator[Any]:
    """Starlette's TestClient on the RPC app over the in-process ``chain_node`` (no
    socket, no block producer): HTTP requests through the real endpoint code."""
    from starlette.testclient import TestClient

    with contextlib.closing(TestClient(RpcServer(RpcContext(node=chain_node), admin_token="local-admin-token").app)) as client:
        yield client


@pytest.fixture
def limited_server(chain_node) -> Iterator[Callable[[ServerLimits], int]]:
    """limited_server(limits) serves ``chain_node`` in-process on a loopback port with
    these listener limits and returns the port; stopped at teardown."""
    running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(limits: ServerLimits) -> int:
        port = free_port()
        app = RpcServer(RpcContext(node=chain_node), admin_token="local-admin-token").app
        server = uvicorn.Server(uvicorn_config(app, "127.0.0.1", port, limits))
        thread = threading.Thread(target=server.run, name="limited-rpc", daemon=True)
        thread.start()
        running.append((server, thread))
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return port

    yield start
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=10)


class ManualClock:
    """A monotonic clock that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


FILTER_TIMEOUT = 300.0
FILTER_CAP = 10


@pytest.fixture
def filter_rpc(chain_node, clock) -> Callable[..., dict[str, Any]]:
    """filter_rpc(method, *params): the filter methods of an in-process node, on ``clock``,
    expiring after FILTER_TIMEOUT seconds and holding at most FILTER_CAP filters."""
    registry = FilterRegistry(RpcContext(node=chain_node), FILTER_TIMEOUT, FILTER_CAP, clock)
    dispatcher = Dispatcher(registry.methods())

    def call(method: str, *params: Any) -> dict[str, Any]:
        return dispatcher.handle_request({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, False)

    return call


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


def sign_set_code(
    sender: LocalAccount, nonce: int, authorities: list[LocalAccount], delegate: str, chain_id: int = DEV_CHAIN_ID
) -> bytes:
    """A signed EIP-7702 transaction from ``sender`` carrying each authority's
    authorization (at its nonce 0) to delegate its code to ``delegate``."""
    authorizations = [a.sign_authorization({"chainId": chain_id, "address": delegate, "nonce": 0}) for a in authorities]
    tx = {
        "type": 4, "chainId": chain_id, "nonce": nonce, "to": "0x" + "42" * 20, "value": 0,
        "gas": 100_000, "maxFeePerGas": 10**11, "maxPriorityFeePerGas": 10**9,
        "authorizationList": authorizations,
    }
    return bytes(sender.sign_transaction(tx).raw_transaction)


@pytest.fixture(scope="session")
def set_code():
    """sign_set_code(sender, nonce, authorities, delegate) -> raw EIP-7702 tx bytes."""
    return sign_set_code


def reimport_blocks(node: ChainNode, fresh_dir: Path) -> int:
    """Import every block ``node`` sealed through py-evm's own validating
    ``import_block`` on a fresh chain from the same genesis (raising on the first
    invalid one); returns how many were imported.

    No header rule is relaxed: the only PoA difference, room in extraData for the
    seal, is GigLedgerVM's own allowance, and both chains use that VM class.
    """
    import rlp

    from gigledger.seal import authorities_in_extra_data, sealer_of
    from gigledger_node.chain.chain import Ledger

    fresh = Ledger(fresh_dir, node.ledger.genesis)
    try:
        assert fresh.head().hash == node.ledger.header_by_number(0).hash
        head = node.head().block_number
        authorities = authorities_in_extra_data(fresh.head().extra_data)
        for number in range(1, head + 1):
            block = node.ledger.block(node.ledger.header_by_number(number))
            assert sealer_of(rlp.decode(rlp.encode(block.header))) in authorities  # the seal py-evm does not check
            fresh.chain.import_block(block)
        assert fresh.head().hash == node.head().hash
        return head
    finally:
        fresh.close()


@pytest.fixture
def reimport(tmp_path_factory) -> Callable[[ChainNode], int]:
    """reimport(node): see reimport_blocks; returns how many blocks were imported."""
    return lambda node: reimport_blocks(node, tmp_path_factory.mktemp("reimport"))


@pytest.fixture
def tight_pool_node(chain_node) -> ChainNode:
    """chain_node with a small pool: 4 guaranteed pending per account, 8 queued per
    account, 12 pending and 10 queued in all, so the limits are reached cheaply."""
    from gigledger_node.chain.txpool import PoolLimits, TxPool

    chain_node.pool = TxPool(PoolLimits(account_slots=4, account_queue=8, global_slots=12, global_queue=10))
    return chain_node


POOL_LIFETIME = 60.0


@pytest.fixture
def aging_pool_node(chain_node, clock) -> ChainNode:
    """chain_node whose pool runs on ``clock`` and drops an account's queued
    transactions after POOL_LIFETIME seconds without activity."""
    from gigledger_node.chain.txpool import PoolLimits, TxPool

    chain_node.pool = TxPool(PoolLimits(lifetime=POOL_LIFETIME), clock=clock)
    return chain_node
