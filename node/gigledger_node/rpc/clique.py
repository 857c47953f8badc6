"""The clique_ namespace: who may seal blocks.

The authority set is fixed at genesis (there is no voting), so every block's
signers are the ones the genesis header's extraData lists.
"""

from __future__ import annotations

from typing import Any

from gigledger.seal import authorities_in_extra_data
from gigledger_node.rpc.context import RpcContext
from gigledger_node.rpc.errors import ServerError


def methods(ctx: RpcContext) -> dict[str, Any]:
    def get_signers(block: Any = "latest") -> list[str]:
        """geth's clique_getSigners: the authorities at ``block`` (a number or tag)."""
        if ctx.header(block) is None:
            raise ServerError("unknown block")
        return authorities_in_extra_data(ctx.state_header("earliest").extra_data)

    return {"clique_getSigners": get_signers}
