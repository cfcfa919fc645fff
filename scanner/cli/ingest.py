"""`lotwise ingest FILE...`: load OCDS files (packages or JSON lines, plain or gzipped)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from scanner.batch_gc import batch_gc
from scanner.cli.context import app_context, utc_now
from scanner.cli.crawl import print_refresh
from scanner.cli.output import console, err_console, table
from scanner.ingest.limits import InputLimitError
from scanner.services.ingest import ingest_files, readable_files
from scanner.services.refresh import refresh_after_store


def register(app: typer.Typer) -> None:
    app.command()(ingest)


def ingest(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(
            help="OCDS release/record packages or JSON lines, .gz or plain; '-' reads stdin "
            "(pipes and /dev/stdin work too)."
        ),
    ],
    source: Annotated[str, typer.Option(help="Source name to store the tenders under.")] = "import",
) -> None:
    """Load OCDS files; each file is stored whole or not at all. Exit code 1 if any failed."""
    context = app_context(ctx)
    limits = context.settings.json_limits()
    try:
        with (
            readable_files(files, sys.stdin.buffer, limits.max_bytes) as (paths, names),
            batch_gc(),
        ):
            outcomes = ingest_files(
                context.engine(),
                paths,
                source_name=source,
                now=utc_now,
                batch_size=context.settings.store_batch_size,
                limits=limits,
                names=names,
            )
    except (InputLimitError, OSError) as exc:
        err_console.print(str(exc), style="red", highlight=False, markup=False)
        raise typer.Exit(1) from None
    console.print(
        table(
            "Ingest",
            ["file", "releases", "new", "updated", "unchanged", "record errors", "result"],
            (
                (
                    o.path,
                    o.result.seen,
                    o.result.new,
                    o.result.updated,
                    o.result.unchanged,
                    len(o.result.errors),
                    "ok" if o.ok else "FAILED, nothing stored",
                )
                for o in outcomes
            ),
        )
    )
    # the same refresh as after a crawl: new and changed tenders only, each step's failure shown
    print_refresh(refresh_after_store(context.settings, context.engine(), now=utc_now()))
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        err_console.print(f"[red]{outcome.error}[/]", highlight=False)
    if failed:
        raise typer.Exit(1)
