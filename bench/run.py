"""Run the benchmarks under bench/ and rewrite their sections of BENCHMARKS.md.

Each benchmark module exposes `run() -> list[dict]`; a row has `benchmark`, `value`,
`unit`, and where one was measured in the same run, `baseline`, `ratio` and `note`.
A module may also expose `notes(rows) -> str`, Markdown printed under its table.
Running some modules (`bench/run.py node`) rewrites only their sections and keeps
the others as they were.
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
MODULES = ("gas", "node", "indexer", "name_search", "audit")
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


def run_module(name: str) -> tuple[list[dict], float, str]:
    """Run one benchmark module; returns its rows, how long it took and its notes.

    Loaded as `bench_<name>`, so bench/node.py does not shadow the `node` test
    package that the indexer benchmark borrows its node process from.
    """
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    started = time.perf_counter()
    rows = module.run()
    seconds = time.perf_counter() - started
    return rows, seconds, module.notes(rows) if hasattr(module, "notes") else ""


def previous_sections(path: Path) -> dict[str, str]:
    """The module sections ("## name (...)" to the next one) of an existing BENCHMARKS.md."""
    if not path.exists():
        return {}
    sections: dict[str, str] = {}
    for chunk in path.read_text().split("\n## ")[1:]:
        sections[chunk.split(" ", 1)[0]] = "## " + chunk.rstrip("\n")
    return sections


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("modules", nargs="*", default=list(MODULES), help="benchmark modules to run")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()

    sections = previous_sections(args.output)
    stamp = f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()}, Python {platform.python_version()}"
    for name in args.modules:
        print(f"running bench/{name}.py ...", flush=True)
        rows, seconds, notes = run_module(name)
        sections[name] = "\n\n".join(part for part in (f"## {name} ({seconds:.0f} s, {stamp})", table(rows), notes) if part)
        print(table(rows), flush=True)
    header = [
        "# Benchmarks",
        "",
        "Written by `make bench` (each section says when). "
        "Each baseline is measured in the same run unless its note says it is a reference figure.",
    ]
    ordered = [sections[n] for n in MODULES if n in sections] + [v for n, v in sections.items() if n not in MODULES]
    args.output.write_text("\n\n".join(["\n".join(header), *ordered]) + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
