"""ERC-20 test doubles with a symbol and decimals (contracts/test/NamedERC20.vy), and
one without either (MockERC20), deployed over JSON-RPC."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from eth_account.signers.local import LocalAccount
from vyper.compiler import compile_from_file_input
from vyper.compiler.input_bundle import FilesystemInputBundle
from web3 import Web3

from gigledger.transactions import TransactionSender

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
MINTED = 10**30


@cache
def artifact(name: str) -> tuple[list, str]:
    """A test double's ABI and deploy bytecode."""
    bundle = FilesystemInputBundle([CONTRACTS])
    source = bundle.load_file(CONTRACTS / "test" / f"{name}.vy")
    out = compile_from_file_input(source, input_bundle=bundle, output_formats=["abi", "bytecode"])
    return out["abi"], out["bytecode"]


def _deploy(w3: Web3, owner: LocalAccount, name: str, types: list[str], args: list, holders: list[str]) -> str:
    abi, bytecode = artifact(name)
    sender = TransactionSender(w3, owner)
    address = sender.deploy(bytecode, w3.codec.encode(types, args)).contract_address
    token = w3.eth.contract(address=address, abi=abi)
    for holder in holders:
        sender.transact(token.functions.mint(holder, MINTED))
    return address


def deploy_named_token(w3: Web3, owner: LocalAccount, symbol: str, decimals: int, holders: list[str]) -> str:
    """A NamedERC20 with ``symbol`` and ``decimals``, minted to each holder."""
    return _deploy(w3, owner, "NamedERC20", ["string", "uint8"], [symbol, decimals], holders)


def deploy_nameless_token(w3: Web3, owner: LocalAccount, holders: list[str]) -> str:
    """A token without symbol() or decimals() (MockERC20), minted to each holder."""
    return _deploy(w3, owner, "MockERC20", ["uint256"], [0], holders)
