"""Run every benchmark under bench/ and rewrite BENCHMARKS.md with what it measured.

Each benchmark module exposes `run() -> list[dict]`; a row has `benchmark`, `value`,
`unit`, and where one was measured in the same run, `baseline`, `ratio` and `note`.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# Order matters only for reading: contracts first, then the node, then the index.
MODULES = ("gas", "node", "indexer", "audit")
COLUMNS = ("benchmark", "value", "unit", "baseline", "ratio", "note")


def format_cell(value: object) -> str:
    """Numbers with thousands separators and at most two decimals; empty for None."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(rows: list[dict]) -> str:
    """A Markdown table of benchmark rows."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        lines.append("| " + " | ".join(format_cell(row.get(column)) for column in COLUMNS) + " |")
    return "\n".join(lines)


def run_module(name: str) -> tuple[list[dict], float]:
    """Run one benchmark module; returns its rows and how long it took.

    Loaded as `bench_<name>`, so bench/node.py does not shadow the `node` test
    package that the indexer benchmark borrows its node process from.
    """
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    started = time.perf_counter()
    rows = module.run()
    return rows, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("modules", nargs="*", default=list(MODULES), help="benchmark modules to run")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()

    sections = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{platform.machine()}, Python {platform.python_version()}. "
        "Each baseline is measured in the same run unless its note says it is a reference figure.",
    ]
    for name in args.modules:
        print(f"running bench/{name}.py ...", flush=True)
        rows, seconds = run_module(name)
        sections += ["", f"## {name} ({seconds:.0f} s)", "", table(rows)]
        print(table(rows), flush=True)
    args.output.write_text("\n".join(sections) + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
