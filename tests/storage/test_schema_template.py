"""The tests' schema shortcut (`tests/schema_template.py`) builds what the migrations build."""

from __future__ import annotations

from pathlib import Path

from schema_template import migrate
from sqlalchemy import Engine, text

from scanner.storage.database import make_engine, upgrade_schema

# Everything a schema holds that a test could meet, in a comparable form.
POSTGRES_CATALOG = {
    "columns": "SELECT table_name, column_name, data_type, is_nullable, column_default"
    " FROM information_schema.columns WHERE table_schema = current_schema()",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes"
    " WHERE schemaname = current_schema()",
    "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
    " FROM pg_constraint WHERE connamespace = current_schema()::regnamespace",
    "triggers": "SELECT event_object_table, trigger_name, event_manipulation, action_statement"
    " FROM information_schema.triggers WHERE trigger_schema = current_schema()",
    "functions": "SELECT proname, pg_get_functiondef(oid) FROM pg_proc"
    " WHERE pronamespace = current_schema()::regnamespace",
    "version": "SELECT version_num FROM alembic_version",
}
SQLITE_CATALOG = {
    # Column order is left out: Alembic's batch copies do not keep it the same from run to run.
    "columns": 'SELECT m.name, c.name, c.type, c."notnull", c.dflt_value, c.pk'
    " FROM sqlite_master AS m, pragma_table_info(m.name) AS c WHERE m.type = 'table'",
    "objects": "SELECT type, name, tbl_name, sql FROM sqlite_master"
    " WHERE type != 'table' AND name NOT LIKE 'sqlite_%'",
    "version": "SELECT version_num FROM alembic_version",
}


def _catalog(engine: Engine) -> dict[str, set[tuple[object, ...]]]:
    queries = POSTGRES_CATALOG if engine.dialect.name == "postgresql" else SQLITE_CATALOG
    with engine.connect() as conn:
        schema = (
            conn.execute(text("SELECT current_schema()")).scalar()
            if queries is POSTGRES_CATALOG
            else None
        )
        return {
            name: {
                tuple(_unnamed(value, schema) for value in row) for row in conn.execute(text(sql))
            }
            for name, sql in queries.items()
        }


def _unnamed(value: object, schema: str | None) -> object:
    """Definitions without the schema's own (random) name."""
    return value.replace(f"{schema}.", "<schema>.") if schema and isinstance(value, str) else value


def test_the_shortcut_builds_the_migrated_schema_on_sqlite(tmp_path: Path) -> None:
    migrated = make_engine(f"sqlite:///{tmp_path / 'migrated.sqlite'}")
    upgrade_schema(migrated)
    copied = make_engine(f"sqlite:///{tmp_path / 'copied.sqlite'}")
    migrate(copied)
    expected, got = _catalog(migrated), _catalog(copied)
    assert len(expected["columns"]) > 300 and len(expected["objects"]) > 40
    assert got == expected
    with copied.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_the_shortcut_builds_the_migrated_schema_on_postgresql(
    postgres_url: str, another_postgres_url: str
) -> None:
    migrated = make_engine(postgres_url)
    upgrade_schema(migrated)
    replayed = make_engine(another_postgres_url)
    migrate(replayed)
    expected, got = _catalog(migrated), _catalog(replayed)
    assert len(expected["indexes"]) > 50 and expected["triggers"]
    assert got == expected
    migrated.dispose()
    replayed.dispose()
