"""The index: the contracts' events in SQL, kept in step with the chain over JSON-RPC.

`db` (schema, migrations), `endpoint` (JSON-RPC), `indexer` (follow, checkpoint,
reorg), `projection` (events -> rows and aggregates), `queries` (the read side
the API and explorer share), `audit` (the index's claims checked on chain),
`commands` (what the CLI runs).
"""
