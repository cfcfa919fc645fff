"""The seeded web database built once per test process and backend, copied for each test.

Seeding (ingest, assessment, organisations, matching) took 8-18 s a test, most of the web
suite's time. `web_fixtures.seed` now seeds a template database the first time a process asks
for a given set of releases on a backend, and gives each test an exact copy:

- SQLite: the template file is copied with SQLite's online backup (pages, triggers, the
  full-text index and `sqlite_sequence` included).
- PostgreSQL: the test's schema is already migrated (`schema_template.migrate`); its tables are
  emptied and filled from the template schema's tables with triggers off (the copied rows
  already hold what the triggers derived), and every sequence is set to the template's value.

`tests/web/test_seed_template.py` compares a copy with a fresh seed, table by table and
sequence by sequence, on both backends.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from schema_template import migrate
from sqlalchemy import Engine, text

from scanner.storage.database import make_engine

Seeder = Callable[[Engine, Path], None]

# (backend, key of the releases) -> SQLite template file or PostgreSQL template schema
_templates: dict[tuple[str, str], str] = {}
_cleanups: list[Callable[[], None]] = []


def drop_templates() -> None:
    """Drop this process's template schemas and files (called at the end of the test session:
    pytest-xdist workers end without running `atexit` handlers)."""
    while _cleanups:
        _cleanups.pop()()
    _templates.clear()


def releases_key(releases: list[dict[str, Any]] | None) -> str:
    """Names a set of releases (None: the default 120 generated ones)."""
    if releases is None:
        return "default"
    return hashlib.sha256(json.dumps(releases, sort_keys=True).encode()).hexdigest()


def copy_seeded(engine: Engine, key: str, seed_fresh: Seeder) -> None:
    """Give the migrated, empty database of `engine` the rows `seed_fresh` would have stored."""
    backend = engine.dialect.name
    if backend == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        _copy_sqlite(engine, _template(backend, key, engine, seed_fresh))
    elif backend == "postgresql":
        _copy_postgres(engine, _template(backend, key, engine, seed_fresh))
    else:
        with tempfile.TemporaryDirectory(prefix="lotwise-seed-") as work:
            seed_fresh(engine, Path(work))


def _template(backend: str, key: str, engine: Engine, seed_fresh: Seeder) -> str:
    found = _templates.get((backend, key))
    if found is not None:
        return found
    work = Path(tempfile.mkdtemp(prefix="lotwise-seed-"))
    _cleanups.append(lambda: shutil.rmtree(work, ignore_errors=True))
    if backend == "sqlite":
        where = str(work / "seeded.sqlite")
        template = make_engine(f"sqlite:///{where}")
    else:
        where = f"seed_{uuid.uuid4().hex[:12]}"
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{where}"'))
        _cleanups.append(
            lambda: _drop_schema(
                engine.url.set(query={}).render_as_string(hide_password=False), where
            )
        )
        url = engine.url.set(query={"options": f"-csearch_path={where}"})
        template = make_engine(url.render_as_string(hide_password=False))
    try:
        migrate(template)
        seed_fresh(template, work)
    finally:
        template.dispose()
    _templates[(backend, key)] = where
    return where


def _copy_sqlite(engine: Engine, template: str) -> None:
    engine.dispose()  # no pooled connection may hold the file while it is replaced
    source = sqlite3.connect(template)
    target = sqlite3.connect(str(engine.url.database))
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()


def _copy_postgres(engine: Engine, template: str) -> None:
    with engine.begin() as conn:
        target = conn.scalar(text("SELECT current_schema()"))
        columns: dict[str, list[str]] = {}
        for table, column in conn.execute(
            text(
                "SELECT c.table_name, c.column_name FROM information_schema.columns c"
                " JOIN pg_tables t ON t.schemaname = c.table_schema AND t.tablename = c.table_name"
                " WHERE c.table_schema = :s AND c.is_generated = 'NEVER'"
                " AND c.table_name <> 'alembic_version'"
                " ORDER BY c.table_name, c.ordinal_position"
            ),
            {"s": template},
        ):
            columns.setdefault(table, []).append(column)
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # no triggers
        conn.execute(text("TRUNCATE " + ", ".join(f'"{target}"."{t}"' for t in columns)))
        for table, names in columns.items():
            listed = ", ".join(f'"{c}"' for c in names)
            conn.execute(
                text(
                    f'INSERT INTO "{target}"."{table}" ({listed}) OVERRIDING SYSTEM VALUE'
                    f' SELECT {listed} FROM "{template}"."{table}"'
                )
            )
        # A sequence the template never read is as the migrations left it, in both schemas.
        conn.execute(
            text(
                "SELECT setval(format('%I.%I', CAST(:t AS text), sequencename), last_value)"
                " FROM pg_sequences WHERE schemaname = :s AND last_value IS NOT NULL"
            ),
            {"t": target, "s": template},
        )


def _drop_schema(url: str, schema: str) -> None:
    admin = make_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()
