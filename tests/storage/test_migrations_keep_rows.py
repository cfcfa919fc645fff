"""Migrations never lose rows: on SQLite a batch copy of `tenders` must not run the ON DELETE
actions of the lots pointing at it (foreign keys are off while migrating); both databases."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from test_tender_store import store, tender_release

from scanner.models import Lot, Tender
from scanner.storage.database import downgrade_schema, upgrade_schema


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        tenders = conn.scalar(select(func.count()).select_from(Tender))
        lots = conn.scalar(select(func.count()).select_from(Lot))
    return int(tenders or 0), int(lots or 0)


def test_downgrade_and_upgrade_through_table_copies_keep_every_lot(engine: Engine) -> None:
    store(engine, [tender_release("ocds-a-1", "r1", "2026-10-01T10:00:00Z")])
    assert _counts(engine) == (1, 2)
    downgrade_schema(engine, "0010")  # 0016 made tenders.raw nullable by copying the table
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM lots").scalar() == 2
    upgrade_schema(engine)
    assert _counts(engine) == (1, 2)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:  # switched back on for everything after the migration
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
