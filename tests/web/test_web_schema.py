"""Migration 0007 creates exactly what the web models declare, and downgrades cleanly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from scanner.models import Base
from scanner.storage.database import alembic_config

WEB_TABLES = ("users", "suggestion_feedback", "auth_attempts")


def test_model_and_migration_agree_on_the_web_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert [d for d in differences if any(t in repr(d) for t in WEB_TABLES)] == []


def test_migration_0007_downgrades_and_upgrades_again(engine: Engine) -> None:
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0006")
    assert not set(WEB_TABLES) & set(inspect(engine).get_table_names())
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    assert set(WEB_TABLES) <= set(inspect(engine).get_table_names())
