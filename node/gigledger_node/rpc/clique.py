"""The clique_ namespace: who may seal blocks.

The authority set is fixed at genesis (there is no voting), so every block's
signers are the ones the genesis header's extraData lists.
"""

from __future__ import annotations

from typing import Any

from gigledger_node.chain.sealing import authorities_from_genesis
from gigledger_node.rpc.context import RpcContext
from gigledger_node.rpc.errors import ServerError


def methods(ctx: RpcContext) -> dict[str, Any]:
    def get_signers(block: Any = "latest") -> list[str]:
        """geth's clique_getSigners: the authorities at ``block`` (a number or tag)."""
        if ctx.header(block) is None:
            raise ServerError("unknown block")
        return list(authorities_from_genesis(ctx.state_header("earliest")))

    return {"clique_getSigners": get_signers}
