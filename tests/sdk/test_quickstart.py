"""The README's quickstart runs as written: the test takes it out of README.md."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_quickstart() -> str:
    """The Python block under the README's "Quickstart" heading."""
    section = README.read_text().split("## Quickstart", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def run_quickstart(rpc_url: str, manifest: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIGLEDGER_RPC": rpc_url, "GIGLEDGER_DEPLOYMENT": str(manifest)}
    return subprocess.run([sys.executable, "-c", readme_quickstart()], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=120)


def test_quickstart_runs_against_the_dev_node(dev_node, tmp_path):
    url, manifest = dev_node
    result = run_quickstart(url, manifest, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "has completed 1 gig(s)" in result.stdout
    assert "average score 5.0, on time 100%" in result.stdout


def test_quickstart_runs_against_anvil(anvil_chain, anvil_deployment, tmp_path):
    manifest = tmp_path / "deployment.json"
    anvil_deployment.save(manifest)
    result = run_quickstart(anvil_chain.rpc_url, manifest, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "has completed 1 gig(s)" in result.stdout
