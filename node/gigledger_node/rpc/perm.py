"""The perm_ and admin_ namespaces (Besu-compatible); callable only with the admin token."""

from __future__ import annotations

from typing import Any

from gigledger_node.rpc.context import RpcContext
from gigledger_node.rpc.errors import InvalidParams
from gigledger_node.rpc.net import client_version

SUCCESS = "Success"  # Besu's result for every successful allowlist change


def _account_list(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise InvalidParams("invalid argument: expected a list of accounts")
    return value


def methods(ctx: RpcContext) -> dict[str, Any]:
    allowlist = ctx.node.allowlist

    def add(accounts: Any) -> str:
        allowlist.add(_account_list(accounts))
        return SUCCESS

    def remove(accounts: Any) -> str:
        ctx.node.remove_from_allowlist(_account_list(accounts))
        return SUCCESS

    def reload() -> str:
        allowlist.reload()
        return SUCCESS

    def node_info() -> dict[str, Any]:
        return {"name": client_version(), "chainId": ctx.ledger.chain_id}

    return {
        "perm_addAccountsToAllowlist": add,
        "perm_removeAccountsFromAllowlist": remove,
        "perm_getAccountsAllowlist": allowlist.accounts,
        "perm_reloadPermissionsFromFile": reload,
        "admin_nodeInfo": node_info,
    }
