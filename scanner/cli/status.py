"""`lotwise status`: per-source crawl health (last success, lag, error rate, stale)."""

from __future__ import annotations

from typing import Annotated

import typer

from scanner.cli.context import app_context, utc_now
from scanner.cli.output import console, err_console, print_json, table
from scanner.services.health import healthz, source_health
from scanner.sources import SourcesFileError, load_sources

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (stable field names).")]


def register(app: typer.Typer) -> None:
    app.command()(status)


def status(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Crawl health per source; exits 1 when a source is failing or stale."""
    context = app_context(ctx)
    settings = context.settings
    try:
        sources = load_sources(settings.sources_file)
    except SourcesFileError as exc:
        err_console.print(f"[red]{exc}[/]", highlight=False)
        raise typer.Exit(2) from exc
    engine = context.engine()
    ok, detail = healthz(engine)
    health = source_health(engine, utc_now(), sources, stale_intervals=settings.stale_intervals)
    if as_json:
        print_json({"healthy": ok, "database": detail, "sources": [h.as_dict() for h in health]})
    else:
        console.print(
            table(
                "Source health",
                [
                    "source",
                    "state",
                    "schedule",
                    "last run",
                    "last success",
                    "lag",
                    "errors",
                    "error rate",
                    "lease",
                ],
                (
                    (
                        h.name,
                        h.state,
                        h.schedule,
                        f"{h.last_run_status or ''} {h.last_run_at or ''}"[:30],
                        h.last_success_at and h.last_success_at.isoformat()[:19],
                        _duration(h.lag_seconds),
                        h.unresolved_errors,
                        f"{h.error_rate:.0%} of {h.recent_runs}",
                        h.lease_holder,
                    )
                    for h in health
                ),
            )
        )
        console.print(f"Database: {detail}", highlight=False)
    if not ok or any(h.state in ("failing", "stale") for h in health):
        raise typer.Exit(1)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"
