"""What every command shares: the settings, built once, and an engine made on first use
(never at import time, so `--help` works without a database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import typer
from sqlalchemy import Engine

from scanner.settings import Settings
from scanner.storage.database import make_engine, upgrade_schema


@dataclass
class AppContext:
    settings: Settings
    _engine: Engine | None = field(default=None, repr=False)

    def engine(self, *, migrate: bool = True) -> Engine:
        """The database engine; the schema is created or upgraded on first use so a newcomer
        never meets a 'no such table' error."""
        if self._engine is None:
            self._engine = make_engine(
                self.settings.database_url,
                connect_timeout=self.settings.database_connect_timeout,
                statement_timeout=self.settings.database_statement_timeout,
            )
            if migrate:
                upgrade_schema(self._engine)
        return self._engine


def app_context(ctx: typer.Context) -> AppContext:
    root = ctx.find_root()
    if not isinstance(root.obj, AppContext):
        root.obj = AppContext(settings=Settings())
    return root.obj


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_date(value: str | None, option: str) -> datetime | None:
    """A CLI date (`2026-11-01` or ISO datetime); naive values are read as UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
