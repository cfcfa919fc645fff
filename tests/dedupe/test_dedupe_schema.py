"""Migration 0008 creates exactly what the canonical models declare, and downgrades cleanly;
a new rates table re-converts stored values."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from dedupe_fixtures import NOW, cf_notice, ingest_as
from sqlalchemy import Engine, inspect, select

from scanner.models import Base, TenderValue
from scanner.services.dedupe import CanonicalConfig, refresh_canonical
from scanner.storage.database import alembic_config

TABLES = ("canonical_opportunities", "canonical_members", "dedupe_exclusions", "tender_values")


def test_model_and_migration_agree_on_the_canonical_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert [d for d in differences if any(t in repr(d) for t in TABLES)] == []


def test_migration_0008_downgrades_and_upgrades_again(engine: Engine) -> None:
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0007")
    assert not set(TABLES) & set(inspect(engine).get_table_names())
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    assert set(TABLES) <= set(inspect(engine).get_table_names())


def test_a_new_rates_table_reconverts_values(
    engine: Engine, tmp_path: Path, config: CanonicalConfig
) -> None:
    ingest_as(
        engine,
        tmp_path,
        "contracts_finder",
        [cf_notice("Energy audit", "Bath Council", "2026-12-30T12:00:00Z", 1000, currency="EUR")],
    )
    refresh_canonical(engine, config, NOW)
    newer = (date(2026, 6, 30), {**config.rates.tables[-1][1], "GBP": Decimal("0.9")})
    rates = replace(config.rates, tables=(*config.rates.tables, newer))
    counts = refresh_canonical(engine, replace(config, rates=rates), NOW)
    assert counts.refreshed == 0 and counts.converted == 1
    with engine.connect() as conn:
        row = conn.execute(select(TenderValue.value_reporting, TenderValue.rate_date)).one()
    assert row == (Decimal("900.00"), date(2026, 6, 30))
