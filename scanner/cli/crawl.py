"""`lotwise crawl`, `sources`, `runs`, `errors`: crawling and its bookkeeping."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scanner.cli.context import app_context, parse_date
from scanner.cli.output import console, err_console, print_json, short_date, table
from scanner.cli.split import refresh_line
from scanner.services import queries
from scanner.services.crawl import CrawlEvent
from scanner.services.crawl_cycle import CycleReport, crawl_and_refresh
from scanner.services.refresh import RefreshReport
from scanner.settings import Settings
from scanner.sources import SourceConfig, SourcesFileError, load_sources

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (stable field names).")]


def register(app: typer.Typer) -> None:
    app.command()(crawl)
    app.command()(sources)
    app.command()(runs)
    app.command()(errors)


def crawl(
    ctx: typer.Context,
    source: Annotated[
        list[str] | None, typer.Argument(help="Sources to crawl (default: every enabled source).")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="Crawl from this date (YYYY-MM-DD) instead of the high-water mark."),
    ] = None,
) -> None:
    """Crawl sources incrementally, showing pages, new, updated and errors as they come."""
    context = app_context(ctx)
    configured = _load(context.settings.sources_file)
    names = source or [name for name, cfg in configured.items() if cfg.enabled]
    unknown = [name for name in names if name not in configured]
    if unknown:
        err_console.print(
            f"[red]Unknown source(s): {', '.join(unknown)}.[/] "
            f"Configured in {context.settings.sources_file}: {', '.join(configured)}"
        )
        raise typer.Exit(2)
    engine = context.engine(migrate=True)  # the crawl process expects the schema to exist
    report = crawl_with_progress(
        context.settings, engine, names, since=parse_date(since, "--since"), configs=configured
    )
    if report.status == "busy":  # a scheduler or another `lotwise crawl` is crawling it
        err_console.print(f"[red]{report.message}.[/] Try again when it has finished.")
        raise typer.Exit(1)
    if not report.ok:
        raise typer.Exit(1)


def crawl_with_progress(
    settings: Settings,
    engine: Engine,
    names: list[str],
    *,
    since: datetime | None,
    configs: Mapping[str, SourceConfig] | None = None,
) -> CycleReport:
    """Run the crawl cycle (`services.crawl_cycle`) showing live progress per source, then a
    summary table, the refresh lines, and the reason of a failure."""
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description:<18}"),
        TextColumn("pages {task.fields[pages]:>5}"),
        TextColumn("new {task.fields[new]:>6}"),
        TextColumn("updated {task.fields[updated]:>6}"),
        TextColumn("errors {task.fields[errors]:>4}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        tasks: dict[str, TaskID] = {}

        def on_event(event: CrawlEvent) -> None:
            name = str(event.get("source"))
            if name not in tasks:
                tasks[name] = progress.add_task(
                    name, total=None, pages=0, new=0, updated=0, errors=0
                )
            fields = {k: event[k] for k in ("pages", "new", "updated", "errors") if k in event}
            progress.update(tasks[name], **fields)
            if event["event"] == "finish":
                progress.update(tasks[name], total=1, completed=1)

        report = crawl_and_refresh(
            settings, engine, names, since=since, on_event=on_event, configs=configs
        )
    finished = [o.finish for o in report.outcomes if o.finish is not None]
    if finished:
        console.print(_summary(finished))
    if report.refresh is not None:
        print_refresh(report.refresh)
    if report.status not in ("ok", "partial", "busy"):
        err_console.print(f"[red]Crawl failed:[/] {report.message}", highlight=False)
        if report.returncode != 0 and report.log_tail and not finished:
            err_console.print(report.log_tail, markup=False, highlight=False)
    return report


def print_refresh(refresh: RefreshReport) -> None:
    """The refresh after a crawl or ingest: one line per step, a warning per failure."""
    if refresh.splits is not None:
        console.print(refresh_line(refresh.splits), highlight=False)
    if refresh.dedupe is not None and refresh.dedupe.refreshed:
        counts = refresh.dedupe
        console.print(
            f"De-duplication: {counts.refreshed} new or changed tenders placed in "
            f"{counts.seconds:.2f} s; {counts.merged} merged with another source's notice "
            f"({counts.by_identifier} by identifier); {counts.converted} values converted.",
            highlight=False,
        )
    if refresh.dedupe is not None and refresh.dedupe.unconverted:
        reasons = "; ".join(f"{why}: {n}" for why, n in sorted(refresh.dedupe.unconverted.items()))
        err_console.print(
            "Values not converted to the reporting currency (value filters skip these "
            f"tenders; add the rate to the rates file, LOTWISE_RATES_FILE): {reasons}",
            style="yellow",
            highlight=False,
            markup=False,
        )
    run = refresh.matches
    if run is not None and run.organisations:
        console.print(
            f"Matches: {run.organisations} organisation(s) ranked against {run.tenders} open "
            f"tenders ({run.opportunities} opportunities) in {run.seconds:.2f} s; "
            f"{run.stored} stored, {run.new} new.",
            highlight=False,
        )
    names = {"splits": "Split suggestions", "dedupe": "De-duplication", "matches": "Matches"}
    for failure in refresh.failures:
        err_console.print(
            f"[yellow]{names.get(failure.step, failure.step)} not refreshed:[/] {failure.reason}",
            highlight=False,
        )


def _summary(finished: list[dict[str, Any]]) -> Any:
    return table(
        "Crawl summary",
        ["source", "status", "pages", "seen", "new", "updated", "unchanged", "errors", "note"],
        (
            (
                e.get("source"),
                e.get("status"),
                e.get("pages"),
                e.get("seen"),
                e.get("new"),
                e.get("updated"),
                e.get("unchanged"),
                e.get("errors"),
                f"shortfall {e['shortfall']} of {e['expected_total']}"
                if e.get("shortfall")
                else "",
            )
            for e in finished
        ),
    )


def sources(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List configured sources with their stored tenders, last run and unresolved errors."""
    context = app_context(ctx)
    configured = _load(context.settings.sources_file)
    with Session(context.engine()) as session:
        stats = queries.source_stats(session)
    rows = [
        {
            "name": name,
            "spider": cfg.spider,
            "url": cfg.url,
            "enabled": cfg.enabled,
            "schedule": cfg.schedule,
            **{k: v for k, v in stats.get(name, {}).items() if k not in {"url"}},
        }
        for name, cfg in configured.items()
    ]
    rows += [
        {"name": name, "spider": None, **stat}
        for name, stat in stats.items()
        if name not in configured
    ]
    if as_json:
        print_json(rows)
        return
    console.print(
        table(
            f"Sources ({context.settings.sources_file})",
            ["name", "spider", "enabled", "tenders", "last run", "status", "errors", "url"],
            (
                (
                    r["name"],
                    r.get("spider"),
                    r.get("enabled", ""),
                    r.get("tenders", 0),
                    short_date(r.get("last_run_at")),
                    r.get("last_run_status"),
                    r.get("unresolved_errors", 0),
                    r.get("url"),
                )
                for r in rows
            ),
        )
    )


def runs(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    limit: Annotated[int, typer.Option(help="How many runs, newest first.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """List recent crawl runs with their counts."""
    context = app_context(ctx)
    with Session(context.engine()) as session:
        rows = queries.list_runs(session, source=source, limit=limit)
    if as_json:
        print_json(rows)
        return
    console.print(
        table(
            "Crawl runs",
            ["id", "source", "status", "started", "pages", "seen", "new", "upd", "errors", "note"],
            (
                (
                    r["id"],
                    r["source"],
                    r["status"],
                    (r["started_at"] or "")[:19],
                    r["pages"],
                    r["items_seen"],
                    r["items_new"],
                    r["items_updated"],
                    r["errors"],
                    r["message"],
                )
                for r in rows
            ),
        )
    )


def errors(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    all_errors: Annotated[
        bool, typer.Option("--all", help="Include errors resolved by a later retry.")
    ] = False,
    limit: Annotated[int, typer.Option(help="How many errors, newest first.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List crawl errors: failed pages (retried on the next run) and unusable records."""
    context = app_context(ctx)
    with Session(context.engine()) as session:
        rows = queries.list_errors(session, source=source, include_resolved=all_errors, limit=limit)
    if as_json:
        print_json(rows)
        return
    console.print(
        table(
            "Crawl errors",
            ["id", "source", "kind", "status", "tries", "reason", "url / record"],
            (
                (
                    r["id"],
                    r["source"],
                    r["kind"],
                    r["status"],
                    r["attempts"],
                    r["reason"],
                    r["url"] or r["record_key"],
                )
                for r in rows
            ),
        )
    )


def _load(path: Any) -> dict[str, Any]:
    try:
        return load_sources(path)
    except SourcesFileError as exc:
        err_console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
