"""`lotwise schedule`: run the scheduler (docs/operations.md); `schedule jobs` lists the
stored jobs; `schedule run crawl|digests|tick` runs one job once, as the scheduler would."""

from __future__ import annotations

import signal
import threading
from enum import StrEnum
from types import FrameType
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from scanner.cli.context import AppContext, app_context
from scanner.cli.output import console, err_console, print_json, table
from scanner.logs import configure_logging
from scanner.scheduler.app import LotwiseScheduler
from scanner.scheduler.clock import SteppedScheduler
from scanner.scheduler.runner import as_dict
from scanner.sources import SourcesFileError, load_sources

app = typer.Typer(
    help="Run crawls, split/match refreshes and digests on their schedules.",
    invoke_without_command=True,
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (stable field names).")]


class Frequency(StrEnum):
    daily = "daily"
    weekly = "weekly"


def _scheduler(context: AppContext, *, listing: bool = False) -> LotwiseScheduler:
    """The scheduler. A listing neither logs nor runs anything: its scheduler has no thread
    of its own (a background one could fire a due job while it shuts down)."""
    settings = context.settings
    if not listing:  # the scheduler's and one job's log lines are their output
        configure_logging(settings.log_level, settings.log_format)
    try:
        sources = load_sources(settings.sources_file)
    except SourcesFileError as exc:
        err_console.print(f"[red]{exc}[/]", highlight=False)
        raise typer.Exit(2) from exc
    engine = context.engine(migrate=True)
    if listing:
        return LotwiseScheduler(settings, engine, sources, scheduler=SteppedScheduler())
    return LotwiseScheduler(settings, engine, sources)


@app.callback()
def schedule(ctx: typer.Context) -> None:
    """Run the scheduler until SIGTERM or Ctrl-C; running crawls are stopped cleanly."""
    if ctx.invoked_subcommand is not None:
        return
    scheduler = _scheduler(app_context(ctx))
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    scheduler.start()
    console.print(
        f"Scheduler running with {len(scheduler.scheduler.get_jobs())} jobs "
        "(SIGTERM or Ctrl-C stops it).",
        highlight=False,
    )
    try:
        while not stop.wait(1.0):
            pass
    finally:
        scheduler.shutdown()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    console.print("Scheduler stopped.")


@app.command("jobs")
def jobs(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The stored jobs and their next run times."""
    scheduler = _scheduler(app_context(ctx), listing=True)
    scheduler.scheduler.start(paused=True)
    try:
        scheduler.sync_jobs()
        rows = [
            {"id": job.id, "trigger": str(job.trigger), "next_run": job.next_run_time}
            for job in scheduler.scheduler.get_jobs()
        ]
    finally:
        scheduler.scheduler.shutdown(wait=False)
    zone = ZoneInfo(scheduler.settings.timezone)
    if as_json:
        print_json(rows)
        return
    console.print(
        table(
            f"Scheduled jobs (times in {scheduler.settings.timezone})",
            ["id", "trigger", "next run"],
            (
                (
                    r["id"],
                    r["trigger"],
                    r["next_run"].astimezone(zone).strftime("%Y-%m-%d %H:%M")
                    if r["next_run"]
                    else "paused",
                )
                for r in rows
            ),
        )
    )


run_app = typer.Typer(help="Run one scheduled job now, in this process.")
app.add_typer(run_app, name="run")


@run_app.command("crawl")
def run_crawl(
    ctx: typer.Context,
    source: Annotated[list[str], typer.Argument(help="Sources to crawl, one after the other.")],
    as_json: JsonOption = False,
) -> None:
    """Crawl sources as the scheduler does (lease, timeout, split and match refresh)."""
    scheduler = _scheduler(app_context(ctx))
    unknown = [name for name in source if name not in scheduler.sources]
    if unknown:
        err_console.print(f"[red]Unknown source(s): {', '.join(unknown)}[/]")
        raise typer.Exit(2)
    reports = [scheduler.crawl(name) for name in source]
    if as_json:
        print_json([as_dict(r) for r in reports])
    else:
        for r in reports:
            console.print(f"{r.source}: {r.status} (run {r.run_id}) {r.message or ''}")
    if any(r.status not in ("ok", "partial") for r in reports):
        raise typer.Exit(1)


@run_app.command("digests")
def run_digests(ctx: typer.Context, frequency: Frequency, as_json: JsonOption = False) -> None:
    """Send the due digests of one frequency."""
    summary = _scheduler(app_context(ctx)).send_digests(frequency.value)
    if as_json:
        print_json(summary)
    else:
        console.print(
            f"{frequency.value} digests: {len(summary['sent'])} sent, "
            f"{len(summary['errors'])} errors."
        )


@run_app.command("tick")
def run_tick(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Mark orphaned runs failed and list the sources due for a retry (not crawled here)."""
    scheduler = _scheduler(app_context(ctx))
    scheduler.scheduler.start(paused=True)
    try:
        result = scheduler.tick()
    finally:
        scheduler.scheduler.shutdown(wait=False)
    if as_json:
        print_json(result)
    else:
        console.print(
            f"Recovered runs: {result['recovered'] or 'none'}; retry due: "
            f"{', '.join(result['retrying']) or 'none'}."
        )
