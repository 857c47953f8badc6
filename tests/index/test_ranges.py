"""Log ranges adapt to what the endpoint accepts."""

from __future__ import annotations

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
    from gigledger_node.index.db import open_index

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


def test_range_grows_after_each_accepted_query():
    sizer = RangeSizer(size=4, largest=16)
    sizer.grow()
    sizer.grow()
    sizer.grow()

    assert sizer.size == 16
