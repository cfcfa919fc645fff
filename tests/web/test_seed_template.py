"""The web tests' seeded database is copied from a template (`seed_template`): a copy must hold
exactly what a fresh seed stores, row for row and sequence for sequence, and a change to one
copy must not reach the next."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from schema_template import migrate
from sqlalchemy import Engine, delete, text, update
from web_fixtures import seed, seed_fresh

from scanner.models import Match, Tender
from scanner.storage.database import make_engine

Dump = dict[str, list[str]]
# Columns a seeding fills from the real clock, not the seed's `NOW`: they differ between two
# fresh seeds too (matching stamps when it stored a list, `scanner/services/matching.py`).
WALL_CLOCK = {"matches": ("found_at", "updated_at")}
# The id of the PostgreSQL transaction that last raised the listing version (NULL on SQLite,
# migration 0023): another server transaction, another id, in two fresh seeds too.
TRANSACTION_IDS = {"tender_listing_version": ("xid",)}


@contextmanager
def _database(like: Engine, tmp_path: Path) -> Iterator[Engine]:
    """A new migrated, empty database on the backend of `like`."""
    if like.dialect.name == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.sqlite'}")
        migrate(engine)
        yield engine
        engine.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with like.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = like.url.set(query={"options": f"-csearch_path={schema}"})
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()
        with like.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def _dump(engine: Engine) -> Dump:
    """Every table's rows (in a fixed order) and, on PostgreSQL, every sequence's position."""
    dump: Dump = {}
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            tables = conn.scalars(
                text("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            ).all()
        else:
            tables = conn.scalars(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                    " ORDER BY tablename"
                )
            ).all()
            dump["sequences"] = sorted(
                repr(tuple(row))
                for row in conn.execute(
                    text(
                        "SELECT sequencename, last_value FROM pg_sequences"
                        " WHERE schemaname = current_schema()"
                    )
                )
            )
        for table in tables:
            rows = [dict(row) for row in conn.execute(text(f'SELECT * FROM "{table}"')).mappings()]
            for row in rows:
                for column in WALL_CLOCK.get(table, ()):
                    assert row[column] is not None
                    row[column] = "wall clock"
                for column in TRANSACTION_IDS.get(table, ()):
                    row[column] = "transaction id"
            dump[table] = sorted(repr(sorted(row.items())) for row in rows)
    return dump


def test_a_copied_seed_is_a_fresh_seed_and_a_copy_is_its_own(
    engine: Engine, tmp_path: Path
) -> None:
    seed(engine, tmp_path)
    with engine.begin() as conn:  # a test changing its copy...
        conn.execute(delete(Match))
        conn.execute(update(Tender).values(title="changed"))
    with _database(engine, tmp_path) as copied, _database(engine, tmp_path) as fresh:
        seed(copied, tmp_path)  # ...leaves the next copy untouched
        seed_fresh(fresh, tmp_path)
        expected = _dump(fresh)
        assert len(expected["tenders"]) > 50 and expected["matches"]
        assert _dump(copied) == expected
        assert _dump(engine) != expected
