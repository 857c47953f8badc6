"""`pip install gigledger` is the SDK alone: no node, no EVM, no contract toolchain."""

from __future__ import annotations

import json

import pytest

from gigledger import deploy
from gigledger.client import web3_for
from gigledger.devchain import dev_account

pytestmark = pytest.mark.slow

#: Top-level modules of what only `[node]`, `[dev]` or `[test]` bring.
HEAVY = ("eth", "ape", "vyper", "eth_tester", "boa", "sqlalchemy", "fastapi", "lmdb", "pytest")


def test_plain_install_imports_the_sdk_without_the_heavy_parts(run_light):
    probe = "import importlib.util, json, gigledger; print(json.dumps([m for m in %r if importlib.util.find_spec(m)]))"
    result = run_light("-c", probe % (HEAVY,))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_plain_install_reads_reputation_from_a_chain(run_light, anvil_process, tmp_path):
    deployment = deploy(web3_for(anvil_process.url)[0], dev_account(0))
    manifest = tmp_path / "deployment.json"
    deployment.save(manifest)
    read = (
        "from gigledger import GigLedger;"
        f"ledger = GigLedger.connect({anvil_process.url!r}, deployment={str(manifest)!r});"
        f"print(ledger.reputation({dev_account(2).address!r}).record.completed)"
    )
    result = run_light("-c", read)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"


def test_plain_install_ships_type_information(run_light):
    result = run_light("-c", "import importlib.resources as r; print(r.files('gigledger').joinpath('py.typed').is_file())")
    assert result.stdout.strip() == "True", result.stderr


def test_the_fresh_venv_runs_the_python_it_was_made_for(run_light, supported_python):
    result = run_light("-c", "import sys; print(f'{sys.version_info.major}.{sys.version_info.minor}')")
    assert result.stdout.strip() == supported_python, result.stderr
