"""Alembic environment: migrations run on the engine/connection Lotwise hands in
(`scanner.storage.database.upgrade_schema`), never on a URL read from an ini file."""

from __future__ import annotations

from alembic import context

from scanner.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = config.attributes["engine"]
        with engine.begin() as connection:
            _run(connection)
    else:
        _run(connection)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite ALTER TABLE support for later migrations
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
