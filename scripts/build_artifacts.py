"""Compile contracts/ into the ABI and bytecode artifacts the SDK ships.

Run by `make artifacts`; tests/sdk fail when the shipped artifacts are stale.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import vyper
from vyper.compiler import compile_from_file_input
from vyper.compiler.input_bundle import FilesystemInputBundle

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"
ARTIFACTS = ROOT / "sdk" / "gigledger" / "artifacts"
# The deployable contracts; test doubles are compiled only by the tests.
SHIPPED = ("GigEscrow", "ReputationRegistry", "TalentMarket")
# Those whose storage layout ships too: the auditor proves the registry's record from its slots.
LAYOUTS = ("ReputationRegistry",)


def source_digest() -> str:
    """A digest of every Vyper source that the shipped contracts can import."""
    digest = hashlib.sha256()
    for path in sorted(CONTRACTS.rglob("*.vy*")):
        if "test" in path.relative_to(CONTRACTS).parts:
            continue
        digest.update(str(path.relative_to(CONTRACTS)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def search_paths() -> list[Path]:
    """Where imports resolve: contracts/, then the installed packages (snekmate)."""
    return [CONTRACTS, *(Path(entry) for entry in sys.path if entry and Path(entry).is_dir())]


def compile_contract(name: str) -> dict:
    """Compile one contract to its artifact: ABI, deploy bytecode and runtime bytecode."""
    bundle = FilesystemInputBundle(search_paths())
    file_input = bundle.load_file(CONTRACTS / f"{name}.vy")
    out = compile_from_file_input(file_input, input_bundle=bundle, output_formats=["abi", "bytecode", "bytecode_runtime"])
    return {
        "contractName": name,
        "compiler": f"vyper-{vyper.__version__}",
        "abi": out["abi"],
        "bytecode": out["bytecode"],
        "deployedBytecode": out["bytecode_runtime"],
    }


def storage_layout(name: str) -> dict:
    """Where one contract keeps its storage variables, as the compiler lays them out
    (what the auditor's storage proofs need: `gigledger.storage`)."""
    bundle = FilesystemInputBundle(search_paths())
    file_input = bundle.load_file(CONTRACTS / f"{name}.vy")
    return dict(compile_from_file_input(file_input, input_bundle=bundle, output_formats=["layout"])["layout"])


def layout_path(name: str) -> Path:
    """The shipped layout of one contract, beside its artifact."""
    return ARTIFACTS / f"{name}.layout.json"


def build() -> dict[str, dict]:
    """Every shipped artifact, stamped with the digest of the sources it came from."""
    digest = source_digest()
    artifacts = {}
    for name in SHIPPED:
        artifact = compile_contract(name)
        artifact["sourceDigest"] = digest
        artifacts[name] = artifact
    return artifacts


def main() -> int:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, artifact in build().items():
        (ARTIFACTS / f"{name}.json").write_text(json.dumps(artifact, indent=1, sort_keys=True) + "\n")
        print(f"wrote {ARTIFACTS / f'{name}.json'}")
    for name in LAYOUTS:
        layout_path(name).write_text(json.dumps(storage_layout(name), indent=1, sort_keys=True) + "\n")
        print(f"wrote {layout_path(name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
