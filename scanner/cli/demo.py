"""`lotwise demo`: the whole scan on bundled recorded data, no internet needed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from scanner.cli.context import AppContext, app_context, utc_now
from scanner.cli.crawl import crawl_with_progress
from scanner.cli.output import console, money, short_date, table
from scanner.services import queries
from scanner.services.crawl import run_crawl
from scanner.services.demo import demo_environment
from scanner.settings import PROJECT_ROOT, Settings
from scanner.sources import load_sources

DEFAULT_DEMO_DB = PROJECT_ROOT / "var" / "demo.sqlite"


def register(app: typer.Typer) -> None:
    app.command()(demo)


def demo(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(help="Database for the demo (default: a fresh var/demo.sqlite)."),
    ] = None,
) -> None:
    """Serve recorded responses on 127.0.0.1, crawl them with the real spiders, show the result."""
    context = app_context(ctx)
    url = database_url or f"sqlite:///{DEFAULT_DEMO_DB}"
    if database_url is None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DEFAULT_DEMO_DB}{suffix}").unlink(missing_ok=True)
    settings = context.settings.model_copy(update={"database_url": url})
    with demo_environment(settings, PROJECT_ROOT / "var" / "demo") as demo_settings:
        demo_context = AppContext(settings=demo_settings)
        demo_context.engine(migrate=True)
        names = list(load_sources(demo_settings.sources_file))
        console.rule("[bold]Lotwise demo: crawling recorded sources on 127.0.0.1")
        ok = crawl_with_progress(demo_settings, names, since=None)
        if ok:
            ok = _crawl_again(demo_settings, names)
    _report(demo_context)
    console.print(
        f"\nStored in [bold]{make_url(url).render_as_string(hide_password=True)}[/]. Explore with "
        f"`LOTWISE_DATABASE_URL={url} lotwise tenders list --open`."
    )
    if not ok:
        raise typer.Exit(1)


def _crawl_again(settings: Settings, names: list[str]) -> bool:
    """A second, incremental crawl: the windows overlap, yet nothing is stored twice."""
    console.rule("[bold]Crawling again (incremental, overlapping windows)")
    outcome = run_crawl(settings, names)
    totals = {
        key: sum(int(event.get(key) or 0) for event in outcome.finished)
        for key in ("seen", "new", "updated", "unchanged", "errors")
    }
    console.print(
        f"{totals['seen']} releases seen again: {totals['new']} new, {totals['updated']} "
        f"updated, {totals['unchanged']} tenders unchanged, {totals['errors']} errors."
    )
    return outcome.returncode == 0


def _report(context: AppContext) -> None:
    now = utc_now()
    with Session(context.engine()) as session:
        everything = queries.list_tenders(session, queries.TenderFilter())
        open_now = queries.list_tenders(session, queries.TenderFilter(open_at=now))
        errors = queries.list_errors(session, limit=10)
    multi_lot = [t for t in everything if (t["lot_count"] or 0) >= 2]
    console.rule("[bold]What was stored")
    console.print(
        f"{len(everything)} tenders ({len(open_now)} open now, {len(multi_lot)} already in lots) "
        f"from {len({t['source'] for t in everything})} sources; {len(errors)} unresolved errors."
    )
    biggest = sorted(
        (t for t in open_now if t["value_amount"] is not None),
        key=lambda t: float(t["value_amount"]),
        reverse=True,
    )[:10]
    console.print(
        table(
            "Largest open opportunities (candidates for micro-contracts)",
            ["id", "source", "title", "buyer", "value", "closes", "lots"],
            (
                (
                    t["id"],
                    t["source"],
                    t["title"][:60],
                    (t["buyer_name"] or "")[:35],
                    money(t["value_amount"], t["currency"]),
                    short_date(t["deadline_at"]),
                    t["lot_count"] or "",
                )
                for t in biggest
            ),
        )
    )
