"""Fixtures for the SDK and CLI tests: one deployment per chain kind, reset per test.

`chain` is parametrised over the in-process py-evm chain and a real Anvil process;
every test using it runs on both. Each test starts from a snapshot taken right
after deployment, so tests do not see each other's gigs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable, Iterator

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3

from gigledger import Deployment, Gig, GigLedger, deploy
from gigledger.devchain import DevNode

from .chains import Chain, chain_of_anvil, in_process_chain
from .tokens import deploy_mock_token

GIG_AMOUNT = 10**18
CHAIN_KINDS = ["eth-tester", "anvil"]


@pytest.fixture(scope="session")
def deployed_chains() -> dict[str, tuple[Chain, Deployment, object]]:
    """Per chain kind, once: the chain, its deployment, and the snapshot right after it."""
    return {}


def _reset_after_test(kind: str, request, deployed_chains) -> Iterator[Chain]:
    """Deploys on chain `kind` once, then hands it out and reverts it after each test."""
    if kind not in deployed_chains:
        test_chain = in_process_chain() if kind == "eth-tester" else chain_of_anvil(request.getfixturevalue("anvil_process"))
        deployment = deploy(test_chain.w3, test_chain.accounts[0])
        deployed_chains[kind] = (test_chain, deployment, test_chain.snapshot())
    test_chain, deployment, snapshot = deployed_chains[kind]
    yield test_chain
    test_chain.set_automine(True)
    test_chain.revert(snapshot)
    # Anvil forgets a snapshot once reverted to; take it again for the next test.
    deployed_chains[kind] = (test_chain, deployment, test_chain.snapshot())


@pytest.fixture(params=CHAIN_KINDS)
def chain(request, deployed_chains) -> Iterator[Chain]:
    """A chain with GigLedger deployed, as it was just after deployment."""
    yield from _reset_after_test(request.param, request, deployed_chains)


@pytest.fixture
def anvil_chain(request, deployed_chains) -> Iterator[Chain]:
    """The Anvil chain alone (for the CLI, which talks HTTP), as it was just after deployment."""
    yield from _reset_after_test("anvil", request, deployed_chains)


@pytest.fixture
def anvil_deployment(anvil_chain, deployed_chains) -> Deployment:
    """The Anvil chain's GigLedger deployment."""
    return deployed_chains["anvil"][1]


@pytest.fixture
def deployment(chain, deployed_chains) -> Deployment:
    """The chain's GigLedger deployment."""
    return deployed_chains[chain.name][1]


@pytest.fixture
def ledger_for(chain, deployment) -> Callable[[LocalAccount], GigLedger]:
    """Connects a GigLedger for any account to the chain under test."""
    return lambda account: GigLedger.connect(chain.endpoint, account=account, deployment=deployment)


@pytest.fixture
def owner(chain, ledger_for) -> GigLedger:
    """The deployer: owns the escrow and the registry."""
    return ledger_for(chain.accounts[0])


@pytest.fixture
def client(chain, ledger_for) -> GigLedger:
    """The client: posts and funds gigs."""
    return ledger_for(chain.accounts[1])


@pytest.fixture
def freelancer(chain, ledger_for) -> GigLedger:
    """The freelancer: accepts and delivers."""
    return ledger_for(chain.accounts[2])


@pytest.fixture
def arbiter(chain, ledger_for) -> GigLedger:
    """The arbiter: resolves disputes."""
    return ledger_for(chain.accounts[3])


@pytest.fixture
def stranger(chain, ledger_for) -> GigLedger:
    """Someone with no part in any gig."""
    return ledger_for(chain.accounts[4])


@pytest.fixture
def relayer(chain, ledger_for) -> GigLedger:
    """Submits other people's signed attestations."""
    return ledger_for(chain.accounts[5])


@pytest.fixture
def reader(chain, deployment) -> GigLedger:
    """A read-only GigLedger (no account)."""
    return GigLedger.connect(chain.endpoint, deployment=deployment)


@pytest.fixture
def create_gig(client, freelancer, arbiter) -> Callable[..., Gig]:
    """Creates a one-payment ETH gig for the freelancer; keyword arguments override."""

    def create(**overrides) -> Gig:
        options = dict(
            freelancer=freelancer.address,
            arbiter=arbiter.address,
            deadline=timedelta(days=7),
            review_period=timedelta(days=3),
            skills=["python"],
        )
        options.update(overrides)
        return client.create_gig(options.pop("amount", GIG_AMOUNT), **options).gig

    return create


@pytest.fixture
def funded_gig(create_gig) -> Gig:
    """An open gig, funded, naming the freelancer."""
    return create_gig()


@pytest.fixture
def accepted_gig(funded_gig, freelancer) -> Gig:
    """A gig the freelancer accepted."""
    return freelancer.accept(funded_gig).gig


@pytest.fixture
def delivered_gig(accepted_gig, freelancer) -> Gig:
    """A gig the freelancer delivered; the review period runs."""
    return freelancer.deliver(accepted_gig, b"\x01" * 32).gig


@pytest.fixture
def released_gig(delivered_gig, client) -> Gig:
    """A gig the client approved: paid out and settled."""
    return client.approve(delivered_gig).gig


@pytest.fixture
def disputed_gig(accepted_gig, client) -> Gig:
    """A gig the client disputed before delivery."""
    return client.dispute(accepted_gig).gig


@pytest.fixture
def token(chain) -> str:
    """A plain ERC-20 with tokens minted to the client."""
    return deploy_mock_token(chain.w3, chain.accounts[0], holders=[chain.accounts[1].address])


@pytest.fixture
def balance_of(chain) -> Callable[[str], int]:
    """ETH balance of an address."""
    return lambda address: chain.w3.eth.get_balance(Web3.to_checksum_address(address))


# ---------------------------------------------------------------- the CLI


GIGLEDGER = Path(sys.executable).with_name("gigledger")


@dataclass
class Cli:
    """Runs `gigledger` as a subprocess against the Anvil chain, as a given account."""

    rpc_url: str
    manifest: Path
    cwd: Path

    def __call__(self, *args: str, account: LocalAccount | None = None, env: dict[str, str] | None = None,
                 timeout: float = 60) -> subprocess.CompletedProcess:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("GIGLEDGER_")}
        environment.update(GIGLEDGER_RPC=self.rpc_url, GIGLEDGER_DEPLOYMENT=str(self.manifest))
        if account is not None:
            environment["GIGLEDGER_PRIVATE_KEY"] = account.key.hex()
        environment.update(env or {})
        return subprocess.run(
            [str(GIGLEDGER), *args], capture_output=True, text=True, env=environment, cwd=self.cwd, timeout=timeout
        )


@pytest.fixture
def cli(anvil_chain, anvil_deployment, tmp_path) -> Cli:
    """`gigledger` pointed at the Anvil chain and its deployment manifest."""
    manifest = tmp_path / "deployment.json"
    anvil_deployment.save(manifest)
    return Cli(anvil_chain.rpc_url, manifest, tmp_path)


@pytest.fixture
def anvil_ledger_for(anvil_chain, anvil_deployment) -> Callable[[LocalAccount], GigLedger]:
    """Connects a GigLedger for any account to the Anvil chain (to set the scene for CLI tests)."""
    return lambda account: GigLedger.connect(anvil_chain.rpc_url, account=account, deployment=anvil_deployment)


@pytest.fixture
def anvil_delivered_gig(anvil_chain, anvil_ledger_for) -> Gig:
    """On Anvil: a gig from dev account 1 to dev account 2, accepted and delivered."""
    client, freelancer = (anvil_ledger_for(a) for a in anvil_chain.accounts[1:3])
    gig = client.create_gig(
        GIG_AMOUNT, freelancer=freelancer.address, arbiter=anvil_chain.accounts[3].address,
        deadline=timedelta(days=7), skills=["python"],
    ).gig
    return freelancer.deliver(freelancer.accept(gig).gig).gig


# ---------------------------------------------------------------- this project's node


@pytest.fixture
def bare_dev_node(tmp_path) -> Iterator[str]:
    """`gigledger-node start --dev` with nothing deployed and no indexer: its URL."""
    with DevNode(tmp_path / "bare-node", deploy=False, index=False, log_path=tmp_path / "bare-node.log").start() as node:
        yield node.url


@pytest.fixture
def dev_node(tmp_path) -> Iterator[tuple[str, Path]]:
    """`gigledger-node start --dev` on a free loopback port: its URL and deployment manifest."""
    with DevNode(tmp_path / "node", log_path=tmp_path / "node.log").start() as node:
        yield node.url, node.manifest
