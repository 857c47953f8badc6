"""BlockStore: buffered writes, one durable commit per block."""

import subprocess
import sys
import threading

import pytest

from gigledger_node.chain.storage import BlockStore


@pytest.fixture
def store(tmp_path):
    store = BlockStore(tmp_path / "db")
    yield store
    store.close()


def test_reads_see_uncommitted_writes(store):
    store[b"k"] = b"v"
    assert store[b"k"] == b"v"


def test_committed_writes_survive_reopening(tmp_path, store):
    store[b"k"] = b"v"
    store.commit()
    store.close()
    assert BlockStore(tmp_path / "db")[b"k"] == b"v"


def test_uncommitted_writes_are_lost_on_reopening(tmp_path, store):
    store[b"k"] = b"v"
    store.close()
    assert b"k" not in BlockStore(tmp_path / "db")


def test_delete_hides_a_committed_key_before_and_after_commit(store):
    store[b"k"] = b"v"
    store.commit()
    del store[b"k"]
    assert b"k" not in store
    store.commit()
    assert b"k" not in store


def test_deleting_a_missing_key_raises_key_error(store):
    with pytest.raises(KeyError):
        del store[b"missing"]


def test_atomic_batch_discards_its_writes_when_it_raises(store):
    with pytest.raises(RuntimeError):
        with store.atomic_batch() as batch:
            batch[b"k"] = b"v"
            raise RuntimeError
    assert b"k" not in store


def test_discard_drops_everything_since_the_last_commit(store):
    store[b"kept"] = b"1"
    store.commit()
    store[b"dropped"] = b"2"
    store.discard()
    assert b"kept" in store and b"dropped" not in store


def test_keys_with_prefix_returns_committed_keys_in_range_in_order(store):
    for n in (5, 1, 9, 3):
        store[b"p:" + bytes([n])] = b""
    store[b"q:" + bytes([2])] = b""
    store.commit()
    assert store.keys_with_prefix(b"p:", bytes([2]), bytes([6])) == [b"p:\x03", b"p:\x05"]


def _read_on_another_thread(store: BlockStore, key: bytes) -> bytes | None:
    found: list[bytes | None] = []
    worker = threading.Thread(target=lambda: found.append(store.get(key)))
    worker.start()
    worker.join()
    return found[0]


def test_other_threads_do_not_see_a_writers_uncommitted_writes(store):
    store[b"k"] = b"v"
    assert _read_on_another_thread(store, b"k") is None


def test_other_threads_see_writes_once_committed(store):
    store[b"k"] = b"v"
    store.commit()
    assert _read_on_another_thread(store, b"k") == b"v"


def test_a_non_durable_commit_survives_the_process_being_killed(tmp_path):
    """durable=False (dev chains) skips fsync, not atomicity: a killed writer's commit is kept."""
    writer = (
        "import os, sys; from pathlib import Path; from gigledger_node.chain.storage import BlockStore\n"
        "store = BlockStore(Path(sys.argv[1]), durable=False)\n"
        "store[b'k'] = b'v'; store.commit(); store[b'lost'] = b'x'\n"
        "os.kill(os.getpid(), 9)\n"
    )
    subprocess.run([sys.executable, "-c", writer, str(tmp_path / "db")], check=False)
    reopened = BlockStore(tmp_path / "db")
    assert reopened.get(b"k") == b"v"
    assert reopened.get(b"lost") is None
    reopened.close()
