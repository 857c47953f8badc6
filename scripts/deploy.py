"""Deploy GigLedger's contracts with the SDK and write the deployment manifest.

    GIGLEDGER_PRIVATE_KEY=0x… python scripts/deploy.py --rpc http://127.0.0.1:8545 --out deployment.json
    python scripts/deploy.py --keystore deployer.json --treasury 0x… --fee-bps 100

The deployer's key comes from a keystore (password from $GIGLEDGER_KEYSTORE_PASSWORD
or a prompt) or from $GIGLEDGER_PRIVATE_KEY, never from an argument. `gigledger
deploy` does the same from the installed CLI.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from gigledger.accounts import PASSWORD_ENV, load_account
from gigledger.client import DEFAULT_RPC, RPC_ENV, web3_for
from gigledger.deployment import deploy
from gigledger.errors import GigLedgerError


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rpc", default=os.environ.get(RPC_ENV, DEFAULT_RPC), help="JSON-RPC URL of the chain")
    parser.add_argument("--out", type=Path, default=Path("deployment.json"), help="where to write the manifest")
    parser.add_argument("--keystore", type=Path, help="deployer's keystore file (else $GIGLEDGER_PRIVATE_KEY)")
    parser.add_argument("--treasury", help="receives platform fees")
    parser.add_argument("--fee-bps", type=int, default=0, help="platform fee in basis points (at most 1000)")
    args = parser.parse_args()
    try:
        password = None
        if args.keystore and PASSWORD_ENV not in os.environ:
            password = getpass.getpass("Keystore password: ")
        account = load_account(args.keystore, password=password)
        if account is None:
            parser.error("no deployer key: pass --keystore or set GIGLEDGER_PRIVATE_KEY")
        w3, _ = web3_for(args.rpc)
        deployment = deploy(w3, account, treasury=args.treasury, fee_bps=args.fee_bps)
    except GigLedgerError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    deployment.save(args.out)
    print(f"chain {deployment.chain_id}: escrow {deployment.escrow}, registry {deployment.registry}, market {deployment.market}")
    print(f"manifest written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
