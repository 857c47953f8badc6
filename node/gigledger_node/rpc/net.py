"""The net_ and web3_ namespaces: who this node is and whether it listens."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from eth_utils import keccak

from gigledger_node.rpc import params
from gigledger_node.rpc.context import RpcContext
from gigledger_node.rpc.serialize import hex_bytes, hex_int

CLIENT_NAME = "GigLedger"


def client_version() -> str:
    """geth-style name/version/engine/runtime, e.g. GigLedger/v0.1.0/py-evm-0.12.1b1/python3.11."""
    import platform

    return (
        f"{CLIENT_NAME}/v{version('gigledger')}/py-evm-{version('py-evm')}"
        f"/python{platform.python_version()}"
    )


def methods(ctx: RpcContext) -> dict[str, Any]:
    return {
        "web3_clientVersion": client_version,
        "web3_sha3": lambda payload: hex_bytes(keccak(params.data(payload))),
        "net_version": lambda: str(ctx.ledger.chain_id),
        "net_listening": lambda: True,
        "net_peerCount": lambda: hex_int(0),
    }
