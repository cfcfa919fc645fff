"""`lotwise status`: per-source crawl health and the schedule, as tables that fit 80 columns.

The verdict is `services.health.all_healthy`: `--json`'s `healthy` and the exit code (1 when
the database or any source is failing, stale or silent) always agree, and the web's operator page
shows the same states.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from scanner.cli.context import app_context, utc_now
from scanner.cli.output import console, err_console, print_json, table
from scanner.services.health import SourceHealth, all_healthy, healthz, source_health
from scanner.services.schedule import source_trigger
from scanner.sources import SourceConfig, SourcesFileError, load_sources

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (stable field names).")]


def register(app: typer.Typer) -> None:
    app.command()(status)


def status(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Crawl health per source and the next scheduled runs; exits 1 when the database or a
    source is failing (its last run failed), stale (nothing fetched for too long) or silent (pages
    fetched, no notice seen for LOTWISE_SILENT_DAYS)."""
    context = app_context(ctx)
    settings = context.settings
    try:
        sources = load_sources(settings.sources_file)
    except SourcesFileError as exc:
        err_console.print(f"[red]{exc}[/]", highlight=False)
        raise typer.Exit(2) from exc
    engine = context.engine()
    now = utc_now()
    ok, detail = healthz(engine)
    health = source_health(
        engine,
        now,
        sources,
        stale_intervals=settings.stale_intervals,
        silent_days=settings.silent_days,
    )
    healthy = all_healthy(ok, health)
    zone = ZoneInfo(settings.timezone)
    schedules = next_runs(sources, settings.timezone, now)
    if as_json:
        print_json(
            {
                "healthy": healthy,
                "database": detail,
                "sources": [h.as_dict() for h in health],
                "schedules": [
                    {"source": name, "schedule": when, "next_run": at.isoformat() if at else None}
                    for name, when, at in schedules
                ],
            }
        )
    else:
        console.print(_health_table(health, zone))
        if schedules:
            console.print(_schedule_table(schedules, settings.timezone))
        console.print(_database_line(ok, detail), highlight=False)
    if not healthy:
        raise typer.Exit(1)


def next_runs(
    sources: dict[str, SourceConfig], timezone: str, now: datetime
) -> list[tuple[str, str, datetime | None]]:
    """(source, schedule in words, next run in local time) of every scheduled source."""
    rows = []
    for name, config in sources.items():
        trigger = source_trigger(config, timezone)
        if trigger is None:
            continue
        when = f"cron {config.schedule}" if config.schedule else f"every {config.interval}"
        rows.append((name, when, trigger.get_next_fire_time(None, now)))
    return rows


def _local(value: datetime | None, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""


def _health_table(health: list[SourceHealth], zone: ZoneInfo) -> Any:
    return table(
        "Source health",
        ["source", "state", "last fetch", "last run", "err", "why"],
        (
            (
                h.name,
                h.state,
                _local(h.last_fetch_at, zone) or "never",
                f"{h.last_run_status or ''} {_local(h.last_run_at, zone)}".strip(),
                h.unresolved_errors,
                _why(h, zone),
            )
            for h in health
        ),
    )


def _why(h: SourceHealth, zone: ZoneInfo) -> str:
    parts = []
    if h.reason:
        parts.append(h.reason)
    if h.failing_since is not None:
        parts.append(f"failing since {_local(h.failing_since, zone)}")
    if h.lease_holder:
        parts.append(f"crawling on {h.lease_holder}")
    return "; ".join(parts)


def _schedule_table(rows: list[tuple[str, str, datetime | None]], timezone: str) -> Any:
    zone = ZoneInfo(timezone)
    return table(
        f"Schedules (times in {timezone})",
        ["source", "schedule", "next run"],
        ((name, when, _local(at, zone) or "not due") for name, when, at in rows),
    )


def _database_line(ok: bool, detail: dict[str, Any]) -> str:
    if ok:
        return f"Database: ok, schema at {detail.get('head')}."
    return f"Database: {detail.get('problem') or detail.get('database')}"
