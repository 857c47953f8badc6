"""Log ranges adapt to what the endpoint accepts."""

from __future__ import annotations

from gigledger_node.index.db import open_index
from gigledger_node.index.endpoint import Endpoint
from gigledger_node.index.indexer import Indexer, RangeSizer

from .conftest import index_contents
from .proxy import rpc_proxy

MOST_BLOCKS = 3


class CappedLogs:
    """Refuses, like Besu or a hosted node, log queries over more than MOST_BLOCKS blocks."""

    def __init__(self) -> None:
        self.refused: list[int] = []

    def __call__(self, request: dict) -> dict | None:
        if request["method"] != "eth_getLogs":
            return None
        query = request["params"][0]
        span = int(query["toBlock"], 16) - int(query["fromBlock"], 16) + 1
        if span > MOST_BLOCKS:
            self.refused.append(span)
            return {"error": {"code": -32005, "message": "query returned more than 10000 results"}}
        return None


def test_range_halves_until_the_endpoint_accepts_it(story, engine):
    capped = CappedLogs()
    with rpc_proxy(story.url, refuse=capped) as url:
        indexer = Indexer(engine, Endpoint(url), story.deployment, sizer=RangeSizer(size=64))
        indexer.sync()
        lag = indexer.lag()

    assert len(capped.refused) >= 3 and lag == 0


def test_a_capped_endpoint_yields_the_same_index(story, engine, tmp_path):
    with rpc_proxy(story.url, refuse=CappedLogs()) as url:
        Indexer(engine, Endpoint(url), story.deployment, sizer=RangeSizer(size=64)).sync()
    direct = open_index(f"sqlite:///{tmp_path / 'direct.sqlite'}")
    Indexer(direct, Endpoint(story.url), story.deployment).sync()

    assert index_contents(engine) == index_contents(direct)
    direct.dispose()


def test_each_refusal_halves_the_range():
    sizer = RangeSizer(size=64)
    sizer.shrink()
    sizer.shrink()

    assert sizer.size == 16


def test_range_grows_after_light_queries_up_to_its_largest():
    sizer = RangeSizer(size=4, largest=16)
    for _ in range(3):
        sizer.fit(logs=10)

    assert sizer.size == 16


def test_a_heavy_query_halves_the_range():
    sizer = RangeSizer(size=64, heaviest=1_000)
    sizer.fit(logs=5_000)

    assert sizer.size == 32


def test_pipelined_backfill_equals_indexing_step_by_step(seeded_chain, engine, tmp_path):
    url, deployment, _ = seeded_chain
    Indexer(engine, Endpoint(url), deployment, sizer=RangeSizer.up_to(4)).sync()

    stepwise = open_index(f"sqlite:///{tmp_path / 'stepwise.sqlite'}")
    indexer = Indexer(stepwise, Endpoint(url), deployment, sizer=RangeSizer.up_to(4))
    while indexer.step() is not None:
        pass
    assert index_contents(engine) == index_contents(stepwise)
    stepwise.dispose()
