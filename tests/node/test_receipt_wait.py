"""A receipt asked for while its transaction is pooled is held until that transaction's
block is committed: one answer per transaction, however many blocks seal meanwhile."""

import asyncio

from gigledger_node.rpc.context import RpcContext
from gigledger_node.rpc.server import RpcServer


def test_a_receipt_held_across_an_unrelated_block_is_answered_once_its_own_block_commits(
    chain_node, dev_accounts, transfer
):
    """Block N (sealed while the poll waits) does not hold the transaction, N+1 does:
    the one poll answers with the receipt, not with a null at N."""
    server = RpcServer(RpcContext(node=chain_node), admin_token="local-admin-token")
    unrelated = chain_node.produce(allow_empty=True)
    tx_hash = "0x" + chain_node.submit(transfer(dev_accounts[0], 0)).hex()
    poll = {"jsonrpc": "2.0", "id": 1, "method": "eth_getTransactionReceipt", "params": [tx_hash]}

    async def poll_while_two_blocks_seal() -> dict:
        server._loop, server._sealed = asyncio.get_running_loop(), asyncio.Event()
        answer = asyncio.create_task(server._dispatch(server.dispatcher, poll, False))
        await asyncio.sleep(0.01)
        server._notify_on_loop(unrelated)  # a block commits without the transaction
        await asyncio.sleep(0.01)
        assert chain_node.produce() is not None  # its block; listeners hop to the loop
        return await asyncio.wait_for(answer, 5)

    assert asyncio.run(poll_while_two_blocks_seal())["result"]["transactionHash"] == tx_hash
