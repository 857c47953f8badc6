"""`gigledger-node index`: the library indexes, the command line draws the progress."""

from __future__ import annotations

import subprocess
import sys


def test_the_index_library_writes_nothing_to_the_terminal(story, tmp_path):
    manifest = tmp_path / "deployment.json"
    story.deployment.save(manifest)
    script = (
        "from gigledger_node.index.commands import open_indexer;"
        f"open_indexer({story.url!r}, {str(manifest)!r}, 'sqlite:///{tmp_path / 'index.sqlite'}').sync()"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout == "" and "indexing" not in result.stderr, result.stderr


def test_index_command_backfills_and_reports_where(story, tmp_path):
    manifest = tmp_path / "deployment.json"
    story.deployment.save(manifest)
    db = f"sqlite:///{tmp_path / 'index.sqlite'}"
    result = subprocess.run(
        [sys.executable, "-m", "gigledger_node.cli", "index", "--rpc", story.url, "--deployment", str(manifest),
         "--db", db, "--no-follow"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "indexing" in result.stderr and "indexed up to block" in result.stderr
    assert (tmp_path / "index.sqlite").stat().st_size > 0
