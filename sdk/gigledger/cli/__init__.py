"""The `gigledger` command line, split as Ape splits its CLI.

- `parsing`: how arguments are read (amounts, durations, addresses, hashes);
- `rendering`: how results are shown (tables, JSON, CSV; amounts in token units);
- `context`: what every command shares (settings, the ledger, errors to exit codes);
- one module per command group: `gigs`, `reputation`, `audit`, `deploy`, `talent`,
  `market`; `main` assembles them into `app`, the console script's entry point.
"""

from gigledger.cli.main import app

__all__ = ["app"]
