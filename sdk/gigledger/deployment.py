"""Deployment manifests: where GigLedger's contracts live on a chain, and deploying them.

A manifest is a small JSON file (chain id, contract addresses, the block to index
from, the source digest of each artifact) and the chain's trust anchor: its
genesis hash and the authority set that genesis lists (what an auditor pins). `verify` refuses a manifest whose chain
id or deployed code does not match the chain it is used with.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import eth_abi
from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from web3 import Web3

from gigledger.contracts import SHIPPED, load_artifact
from gigledger.errors import DeploymentMismatch, NodeError, WrongChain
from gigledger.gigs import ZERO_ADDRESS
from gigledger.seal import authorities_from_genesis
from gigledger.transactions import Receipt, TransactionSender


@dataclass(frozen=True)
class Deployment:
    """GigLedger's contracts on one chain."""

    chain_id: int
    escrow: str
    registry: str
    block: int  # the first block to index: the registry's deployment block
    artifacts: dict[str, str] = field(default_factory=dict)  # contract name -> sourceDigest
    market: str | None = None  # the TalentMarket; None in manifests from before the market
    genesis_hash: str | None = None  # the chain's block 0, as the deployer's node served it
    authorities: list[str] = field(default_factory=list)  # who may seal, as that genesis lists them

    @classmethod
    def load(cls, path: str | Path) -> Deployment:
        """Reads a manifest written by `save`."""
        data = json.loads(Path(path).read_text())
        return cls(
            chain_id=int(data["chain_id"]),
            escrow=Web3.to_checksum_address(data["escrow"]),
            registry=Web3.to_checksum_address(data["registry"]),
            block=int(data["block"]),
            artifacts=dict(data.get("artifacts", {})),
            market=Web3.to_checksum_address(data["market"]) if data.get("market") else None,
            genesis_hash=data.get("genesis_hash"),
            authorities=[Web3.to_checksum_address(a) for a in data.get("authorities", [])],
        )

    def save(self, path: str | Path) -> None:
        """Writes the manifest as JSON, creating parent directories."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")

    def address_of(self, contract: str) -> str | None:
        """The address of `GigEscrow`, `ReputationRegistry` or `TalentMarket` (None if not deployed)."""
        return {"GigEscrow": self.escrow, "ReputationRegistry": self.registry, "TalentMarket": self.market}[contract]

    def verify(self, w3: Web3) -> None:
        """Raises WrongChain or DeploymentMismatch unless this manifest describes `w3`'s chain."""
        actual = w3.eth.chain_id
        if actual != self.chain_id:
            raise WrongChain(self.chain_id, actual)
        for contract in SHIPPED:
            address = self.address_of(contract)
            if address is None:
                continue
            code = bytes(w3.eth.get_code(Web3.to_checksum_address(address)))
            expected = bytes.fromhex(load_artifact(contract)["deployedBytecode"].removeprefix("0x"))
            if not code:
                raise DeploymentMismatch(contract, address, actual, "has no code")
            # Vyper appends immutables (the escrow's registry) after the runtime code.
            if not code.startswith(expected):
                raise DeploymentMismatch(contract, address, actual, "holds different code than this SDK ships")
        registry_of_escrow = w3.eth.call({"to": Web3.to_checksum_address(self.escrow), "data": HexStr(_selector("REGISTRY()"))})
        if eth_abi.decode(["address"], registry_of_escrow)[0].lower() != self.registry.lower():
            raise DeploymentMismatch("GigEscrow", self.escrow, actual, "reports to another registry")
        if self.market is not None:
            escrow_of_market = w3.eth.call({"to": self.market, "data": HexStr(_selector("ESCROW()"))})
            if eth_abi.decode(["address"], escrow_of_market)[0].lower() != self.escrow.lower():
                raise DeploymentMismatch("TalentMarket", self.market, actual, "hires through another escrow")


def _selector(signature: str) -> str:
    return "0x" + Web3.keccak(text=signature)[:4].hex()


def _genesis(w3: Web3) -> dict:
    """Block 0 as the deployer's own node serves it: what the manifest pins for auditors, who
    check every header against it (the deployer trusts the node it deploys through)."""
    block = dict(w3.eth.get_block("earliest"))
    # web3's proof-of-authority middleware moves a long extraData aside; GigLedger nodes serve it whole beside.
    for name in ("sealedExtraData", "proofOfAuthorityData", "extraData"):
        if name in block:
            block["extraData"] = block[name]
            break
    return block


def deploy(
    w3: Web3,
    account: LocalAccount,
    *,
    treasury: str | None = None,
    fee_bps: int = 0,
    timeout: float = 60.0,
) -> Deployment:
    """Deploys the registry, the escrow and the talent market, and makes the escrow the
    registry's writer (at once: the registry is within its genesis period)."""
    sender = TransactionSender(w3, account, timeout=timeout)
    return deploy_with(sender, treasury=treasury, fee_bps=fee_bps)


def deploy_with(sender: TransactionSender, *, treasury: str | None = None, fee_bps: int = 0) -> Deployment:
    """`deploy` through an existing sender (sharing its nonces)."""
    registry_receipt = sender.deploy(load_artifact("ReputationRegistry")["bytecode"])
    registry = _created(registry_receipt, "ReputationRegistry")
    constructor = eth_abi.encode(["address", "address", "uint256"], [registry, treasury or ZERO_ADDRESS, fee_bps])
    escrow = _created(sender.deploy(load_artifact("GigEscrow")["bytecode"], constructor), "GigEscrow")
    announce = _selector("announce_writer(address)") + eth_abi.encode(["address"], [escrow]).hex()
    sender.send({"to": registry, "data": announce, "value": 0})
    market = _created(sender.deploy(load_artifact("TalentMarket")["bytecode"], eth_abi.encode(["address"], [escrow])), "TalentMarket")
    genesis = _genesis(sender.w3)
    return Deployment(
        chain_id=sender.chain_id,
        escrow=escrow,
        registry=registry,
        block=registry_receipt.block_number,
        artifacts={name: load_artifact(name)["sourceDigest"] for name in SHIPPED},
        market=market,
        genesis_hash="0x" + bytes(genesis["hash"]).hex(),
        authorities=authorities_from_genesis(genesis),
    )


def _created(receipt: Receipt, contract: str) -> str:
    """The address a deployment's receipt names; a receipt without one is the node's error."""
    if receipt.contract_address is None:
        raise NodeError(f"the receipt of the {contract} deployment ({receipt.transaction_hash}) names no contract address")
    return receipt.contract_address
