"""What every command shares: the settings, built once, and an engine made on first use
(never at import time, so `--help` works without a database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scanner.cli.output import err_console
from scanner.services.queries import tender_count
from scanner.settings import PROJECT_ROOT, Settings
from scanner.storage.database import settings_engine, upgrade_schema


@dataclass
class AppContext:
    settings: Settings
    _engine: Engine | None = field(default=None, repr=False)

    def engine(self, *, migrate: bool = True) -> Engine:
        """The database engine; the schema is created or upgraded on first use so a newcomer
        never meets a 'no such table' error."""
        if self._engine is None:
            self._engine = settings_engine(self.settings)
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


#: Where `lotwise demo` (and `make demo`) stores its data unless given `--database-url`.
DEMO_DATABASE = PROJECT_ROOT / "var" / "demo.sqlite"


def demo_hint(context: AppContext) -> None:
    """When this database holds no tenders but the demo left its own, say in one line how to
    reach them: a newcomer's next command after `make demo` must not just answer "0"."""
    if not DEMO_DATABASE.exists() or str(DEMO_DATABASE) in context.settings.database_url:
        return
    with Session(context.engine()) as session:
        if tender_count(session):
            return
    shown = (
        DEMO_DATABASE.relative_to(PROJECT_ROOT)
        if DEMO_DATABASE.is_relative_to(PROJECT_ROOT)
        else DEMO_DATABASE
    )
    err_console.print(
        f"No tenders in this database; the demo's are in {shown}:"
        f" export LOTWISE_DATABASE_URL=sqlite:///{DEMO_DATABASE} to explore them.",
        highlight=False,
        soft_wrap=True,
        markup=False,
    )
