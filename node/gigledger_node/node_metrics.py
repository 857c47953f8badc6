"""The chain node's figures for /metrics: head, pool size, blocks sealed and sealing time.

It only reads what the node already exposes (its head, its pool, the blocks its
listeners are told of); it changes nothing in the node.
"""

from __future__ import annotations

import logging

from gigledger_node.chain.node import ChainNode
from gigledger_node.chain.producer import ProducedBlock
from gigledger_node.metrics import Metrics

logger = logging.getLogger("gigledger_node.blocks")


def node_metrics(node: ChainNode) -> Metrics:
    """A registry reading `node`, and a listener that logs and counts each sealed block."""
    metrics = Metrics()
    metrics.gauge("gigledger_head_block", "Number of the chain's head block.", lambda: node.head().block_number)
    metrics.gauge("gigledger_txpool_transactions", "Transactions waiting in the pool.", lambda: len(node.pool))
    metrics.counter("gigledger_blocks_sealed_total", "Blocks this node sealed since it started.")
    metrics.counter("gigledger_block_transactions_total", "Transactions in the blocks this node sealed.")
    metrics.counter("gigledger_sealing_seconds_sum", "Time spent building, sealing and committing blocks.")
    metrics.counter("gigledger_sealing_seconds_count", "Blocks timed in gigledger_sealing_seconds_sum.")

    def on_block(produced: ProducedBlock) -> None:
        header = produced.block.header
        transactions = len(produced.block.transactions)
        metrics.inc("gigledger_blocks_sealed_total")
        metrics.inc("gigledger_block_transactions_total", transactions)
        metrics.inc("gigledger_sealing_seconds_sum", produced.seconds)
        metrics.inc("gigledger_sealing_seconds_count")
        logger.info("sealed block #%d %s: %d transaction(s), %d gas, %.1f ms", header.block_number,
                    "0x" + header.hash.hex(), transactions, header.gas_used, produced.seconds * 1000)

    node.listeners.append(on_block)
    return metrics
