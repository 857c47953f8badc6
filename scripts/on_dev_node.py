"""Run a command against a throwaway `gigledger-node start --dev` on 127.0.0.1:8545.

`make test` uses it to run the Ape contract suite against the node, the address
ape-config.yaml gives `ethereum:local:node`:

    python scripts/on_dev_node.py ape test tests/ape --network ethereum:local:node
"""

from __future__ import annotations

import subprocess
import sys

from gigledger.devchain import DevNode, NodeExited

PORT = 8545


def main(command: list[str]) -> int:
    if not command:
        sys.exit(__doc__)
    with DevNode(deploy=False, index=False, port=PORT) as node:
        try:
            node.start()
        except (NodeExited, TimeoutError) as error:
            sys.exit(str(error))
        return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
