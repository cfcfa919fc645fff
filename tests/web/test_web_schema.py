"""Migrations 0007 and 0012 create exactly what the web models declare, and downgrade cleanly."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from scanner.models import Base
from scanner.storage.database import alembic_config

WEB_TABLES = ("users", "suggestion_feedback", "auth_attempts", "web_sessions", "auth_tokens")


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


def test_migration_0012_keeps_every_row_that_points_at_users_and_organisations(
    engine: Engine,
) -> None:
    """Dropping `users.pending` and adding `organisations.listed` must not rebuild those tables
    on SQLite: a copy would fire the ON DELETE actions of rows pointing at them."""
    from datetime import UTC, datetime

    from sqlalchemy import insert, select

    from scanner.models import Organisation, User

    now = datetime(2026, 11, 27, tzinfo=UTC)
    with engine.begin() as conn:
        org = conn.execute(
            insert(Organisation).values(
                slug="kept", name="Kept", content_hash="x", created_at=now, updated_at=now
            )
        ).inserted_primary_key[0]
        conn.execute(
            insert(User).values(
                email="a@kept.example",
                role="organisation",
                organisation_id=org,
                password_hash="h",
                confirmed_at=now,
                active=True,
                created_at=now,
            )
        )
    config = alembic_config(engine)
    for target in ("0015", "head"):
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            (command.downgrade if target == "0015" else command.upgrade)(config, target)
    with engine.connect() as conn:
        assert (
            conn.scalar(select(User.organisation_id).where(User.email == "a@kept.example")) == org
        )
        assert conn.scalar(select(Organisation.listed).where(Organisation.id == org)) is False
