"""This node against another checkout's, on the same workload in the same run.

    python bench/node_ab.py /path/to/other/checkout

Starts `gigledger-node start --dev` from this tree and from the other checkout (its
`sdk/` and `node/` put first on PYTHONPATH, the same interpreter and dependencies),
one after the other, and runs bench/node.py's ETH-transfer workloads (sequential,
burst, 4 concurrent clients) on each: the regression check for a change to the
node. Prints one row per workload with the ratio this/other; not part of `make bench`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent))

import peers  # noqa: E402

import node  # noqa: E402 - bench/node.py, beside this file

ROOT = Path(__file__).resolve().parents[1]


def transfer_rates(tree: Path) -> tuple[str, dict[str, float]]:
    """ETH-transfer rates of the node built from ``tree``."""
    os.environ["PYTHONPATH"] = os.pathsep.join(str(tree / part) for part in ("sdk", "node"))
    with peers.dev_node(label=f"gigledger-node from {tree}") as peer:
        work = node.Workloads(peer, node.dev_accounts())
        return peer.name, {shape: work.rate(node.Workloads.transfer, shape) for shape in node.SHAPES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="another checkout of this repository")
    args = parser.parse_args()
    _, ours = transfer_rates(ROOT)
    _, theirs = transfer_rates(args.other.resolve())
    print(f"| ETH transfers ({node.PER_ROUND} tx, median of {node.ROUNDS}) | this tree tx/s | {args.other} tx/s | ratio |")
    print("|---|---|---|---|")
    for shape in node.SHAPES:
        print(f"| {shape} | {ours[shape]:.1f} | {theirs[shape]:.1f} | {ours[shape] / theirs[shape]:.2f} |")


if __name__ == "__main__":
    main()
