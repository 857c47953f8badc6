"""The ERC-20 test double (contracts/test/MockERC20.vy), compiled once per session."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from eth_account.signers.local import LocalAccount
from vyper.compiler import compile_from_file_input
from vyper.compiler.input_bundle import FilesystemInputBundle
from web3 import Web3

from gigledger.transactions import TransactionSender

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
MINTED = 10**24


@cache
def mock_token_artifact() -> tuple[list, str]:
    """MockERC20's ABI and deploy bytecode."""
    bundle = FilesystemInputBundle([CONTRACTS])
    source = bundle.load_file(CONTRACTS / "test" / "MockERC20.vy")
    out = compile_from_file_input(source, input_bundle=bundle, output_formats=["abi", "bytecode"])
    return out["abi"], out["bytecode"]


@cache
def mock_token_layout() -> dict:
    """MockERC20's storage layout, as the compiler reports it (where balanceOf lives)."""
    bundle = FilesystemInputBundle([CONTRACTS])
    source = bundle.load_file(CONTRACTS / "test" / "MockERC20.vy")
    return dict(compile_from_file_input(source, input_bundle=bundle, output_formats=["layout"])["layout"])


def deploy_mock_token(w3: Web3, owner: LocalAccount, *, holders: list[str], transfer_fee_bps: int = 0) -> str:
    """Deploys a MockERC20 and mints `MINTED` to each holder; returns its address."""
    abi, bytecode = mock_token_artifact()
    sender = TransactionSender(w3, owner)
    constructor = w3.codec.encode(["uint256"], [transfer_fee_bps])
    address = sender.deploy(bytecode, constructor).contract_address
    token = w3.eth.contract(address=address, abi=abi)
    for holder in holders:
        sender.transact(token.functions.mint(holder, MINTED))
    return address


def token_contract(w3: Web3, address: str):
    """A web3 contract object for a deployed MockERC20."""
    return w3.eth.contract(address=address, abi=mock_token_artifact()[0])


def block_recipient(w3: Web3, owner: LocalAccount, token: str, account: str) -> None:
    """Makes the token refuse transfers to `account` (as USDC's blocklist does)."""
    TransactionSender(w3, owner).transact(token_contract(w3, token).functions.block_recipient(account))
