"""The artifacts the SDK ships are built from the contracts as they are now."""

from __future__ import annotations

import importlib.util

import pytest

from gigledger.contracts import SHIPPED, UnknownArtifact, load_artifact

from .chains import ROOT


@pytest.fixture(scope="module")
def build_artifacts():
    """scripts/build_artifacts.py, imported as a module."""
    spec = importlib.util.spec_from_file_location("build_artifacts", ROOT / "scripts" / "build_artifacts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_artifact_matches_the_contract_sources(name, build_artifacts):
    assert load_artifact(name)["sourceDigest"] == build_artifacts.source_digest(), (
        "sdk/gigledger/artifacts are stale: run `make artifacts`"
    )


def test_an_unknown_artifact_names_the_shipped_ones():
    with pytest.raises(UnknownArtifact, match="GigEscrow"):
        load_artifact("Nope")


@pytest.mark.parametrize("name", ["ReputationRegistry"])
def test_shipped_storage_layout_is_the_compilers(name, build_artifacts):
    from gigledger.storage import shipped_layout

    assert shipped_layout(name) == build_artifacts.storage_layout(name), "sdk/gigledger/artifacts are stale: run `make artifacts`"
