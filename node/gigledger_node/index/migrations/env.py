"""Alembic environment: migrates the engine that `db.migrate` passes in.

Run by hand (`alembic -c node/gigledger_node/index/alembic.ini -x url=...`) it
builds an engine from the `url` argument instead.
"""

from alembic import context

from gigledger_node.index.db import make_engine, metadata

config = context.config


def _engine():
    engine = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(context.get_x_argument(as_dictionary=True)["url"])
    return engine


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
