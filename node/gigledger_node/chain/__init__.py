"""The chain half of the node: storage, py-evm chain, sealing, pool, producer, permissioning."""
