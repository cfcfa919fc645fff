"""A migrated schema for each test without running every migration for each test.

Alembic takes 0.4 s (SQLite) to 1.2 s (PostgreSQL) to build the schema, and most tests need a
fresh one: that was a third of the suite. The migrations run once per test process, for real,
and each test then gets the same result another way:

- SQLite: the migrated template file is copied with SQLite's online backup.
- PostgreSQL: every statement the migrations sent is recorded once (in a throw-away schema) and
  replayed in the test's fresh schema, in one transaction. The statements name no schema (the
  search path decides), so the replay builds what the migrations build. The replay is one
  script sent in one round trip (each statement's parameters bound by psycopg as literals):
  123 round trips per test cost more than the DDL itself on a loaded machine.

The tests of the migrations themselves (`tests/storage/test_migrations_keep_rows.py` and the
model/migration agreement checks through the real path) call `upgrade_schema`; the CLI under
test still runs Alembic, which finds the schema at head and does nothing.
"""

from __future__ import annotations

import sqlite3
import tempfile
import uuid
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine, event, text

from scanner.storage.database import make_engine, upgrade_schema

_sqlite_template: Path | None = None
# (statement, parameters, executemany, without parameters) as SQLAlchemy sent them
_Recorded = tuple[str, Any, bool, bool]
_postgres_statements: list[_Recorded] | None = None
_postgres_script: str | None = None


def migrate(engine: Engine) -> None:
    """Bring `engine`'s empty database to the head revision, as `upgrade_schema` would."""
    backend = engine.dialect.name
    if backend == "sqlite" and _is_file(engine):
        _copy_sqlite_template(engine)
    elif backend == "postgresql":
        _replay_postgres(engine)
    else:
        upgrade_schema(engine)


def _is_file(engine: Engine) -> bool:
    database = engine.url.database
    return bool(database) and database != ":memory:"


def _copy_sqlite_template(engine: Engine) -> None:
    global _sqlite_template
    if _sqlite_template is None:
        path = Path(tempfile.mkdtemp(prefix="lotwise-template-")) / "template.sqlite"
        template = make_engine(f"sqlite:///{path}")
        upgrade_schema(template)
        template.dispose()
        _sqlite_template = path
    source = sqlite3.connect(_sqlite_template)
    target = sqlite3.connect(str(engine.url.database))
    try:
        if target.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise RuntimeError(f"{engine.url.database} is not empty: migrate() wants a new one")
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()


def _replay_postgres(engine: Engine) -> None:
    connection = engine.raw_connection()
    try:
        script = _postgres_replay_script(engine, connection.driver_connection)
        with connection.driver_connection.cursor() as cursor:
            cursor.execute(script)  # no parameters: one simple query, every statement in it
        connection.commit()
    finally:
        connection.close()


def _postgres_replay_script(engine: Engine, driver: Any) -> str:
    """The recorded statements as one script, each with its parameters bound as psycopg
    would bind them (`mogrify`), built once per process."""
    global _postgres_script
    if _postgres_script is None:
        parts: list[str] = []
        with psycopg.ClientCursor(driver) as bind:
            for statement, parameters, many, bare in _postgres_migration_statements(engine):
                if bare:
                    parts.append(statement)
                elif many:
                    parts.extend(bind.mogrify(statement, one) for one in parameters)
                else:
                    parts.append(bind.mogrify(statement, parameters))
        _postgres_script = ";\n".join(parts)
    return _postgres_script


def _postgres_migration_statements(engine: Engine) -> list[_Recorded]:
    """What the migrations send to an empty PostgreSQL schema, recorded once per process."""
    global _postgres_statements
    if _postgres_statements is not None:
        return _postgres_statements
    schema = f"tmpl_{uuid.uuid4().hex[:12]}"
    url = engine.url.set(query={"options": f"-csearch_path={schema}"})
    admin = make_engine(engine.url.set(query={}).render_as_string(hide_password=False))
    lock = admin.connect()
    # One recording at a time across test processes: the first one creates the database-wide
    # pg_trgm extension, which two concurrent CREATE EXTENSION IF NOT EXISTS can both try.
    lock.execute(text("SELECT pg_advisory_lock(7412)"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    recorded: list[_Recorded] = []
    recorder = make_engine(url.render_as_string(hide_password=False))

    @event.listens_for(recorder, "before_cursor_execute")
    def _record(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        bare = not parameters and bool(context is not None and context.no_parameters)
        recorded.append((statement, parameters, many, bare))

    try:
        upgrade_schema(recorder)
    finally:
        recorder.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        lock.execute(text("SELECT pg_advisory_unlock(7412)"))
        lock.close()
        admin.dispose()
    if any(schema in recorded_[0] for recorded_ in recorded):
        raise RuntimeError("a migration names its schema; the replay cannot be used")
    _postgres_statements = recorded
    return recorded
