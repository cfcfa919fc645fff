"""`lotwise demo`: the whole scan on bundled recorded data, no internet needed."""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from scanner.cli.context import DEMO_DATABASE, AppContext, app_context, utc_now
from scanner.cli.crawl import crawl_with_progress
from scanner.cli.match import print_ranked, refresh_matches_and_report
from scanner.cli.output import console, money, short_date, table
from scanner.orgs import load_rates
from scanner.services import dedupe, queries
from scanner.services.crawl_cycle import crawl_and_refresh
from scanner.services.demo import demo_environment, top_split_suggestions
from scanner.services.digests import DigestConfig, send_digests
from scanner.services.organisations import import_organisations
from scanner.settings import PROJECT_ROOT, Settings
from scanner.sources import load_sources

DEFAULT_DEMO_DB = DEMO_DATABASE
DEMO_ORGANISATIONS = PROJECT_ROOT / "scanner" / "demo" / "organisations.toml"
DEFAULT_OUTBOX = PROJECT_ROOT / "var" / "demo" / "outbox"
# Three kinds of organisation whose matches the demo prints: research, software, inclusion.
DEMO_SHOWCASE = ("fieldwork-research-coop", "code-for-good-cic", "connect-digital-inclusion")


def register(app: typer.Typer) -> None:
    app.command()(demo)


def demo(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(help="Database for the demo (default: a fresh var/demo.sqlite)."),
    ] = None,
    outbox: Annotated[
        Path,
        typer.Option(help="Folder the digests are written to, emptied first."),
    ] = DEFAULT_OUTBOX,
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
        engine = demo_context.engine(migrate=True)
        names = list(load_sources(demo_settings.sources_file))
        console.rule("[bold]Lotwise demo: crawling recorded sources on 127.0.0.1")
        ok = crawl_with_progress(demo_settings, engine, names, since=None).ok
        if ok:
            ok = _crawl_again(demo_settings, engine, names)
    _report(demo_context)
    _merge_report(demo_context)
    _split_report(demo_context)
    _match_report(demo_context)
    _digest_report(demo_context, outbox)
    console.print(
        f"\nStored in [bold]{make_url(url).render_as_string(hide_password=True)}[/]. Explore with "
        f"`LOTWISE_DATABASE_URL={url} lotwise tenders list --open`."
    )
    if not ok:
        raise typer.Exit(1)


def _crawl_again(settings: Settings, engine: Engine, names: list[str]) -> bool:
    """A second, incremental crawl: the windows overlap, yet nothing is stored twice."""
    console.rule("[bold]Crawling again (incremental, overlapping windows)")
    report = crawl_and_refresh(settings, engine, names)
    totals = {
        key: sum(int(getattr(o, key)) for o in report.outcomes)
        for key in ("seen", "new", "updated", "unchanged", "errors")
    }
    console.print(
        f"{totals['seen']} releases seen again: {totals['new']} new, {totals['updated']} "
        f"updated, {totals['unchanged']} tenders unchanged, {totals['errors']} errors."
    )
    if not report.ok:
        console.print(f"[red]Second crawl failed:[/] {report.message}", highlight=False)
    return report.ok


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


def _merge_report(context: AppContext) -> None:
    """Tenders per source, and the opportunities de-duplication found published twice."""
    with Session(context.engine()) as session:
        everything = queries.list_tenders(session, queries.TenderFilter())
        merged = dedupe.merged_groups(session)
    per_source = Counter(t["source"] for t in everything)
    console.print(
        table(
            "Tenders per source",
            ["source", "tenders"],
            ((name, count) for name, count in sorted(per_source.items())),
        )
    )
    console.print(
        f"{len(merged)} opportunities merged across sources (the same notice on two "
        "publishers; `lotwise tenders merged` lists them):",
        highlight=False,
    )
    for group in merged[:3]:
        sources = " + ".join(sorted(m["source"] for m in group["members"]))
        console.print(f"  {group['title'][:70]} ({sources})", markup=False, highlight=False)


def _split_report(context: AppContext) -> None:
    """The splitter's best suggestions, each with the reason that weighs most."""
    with Session(context.engine()) as session:
        top = top_split_suggestions(session, limit=5)
    console.print(
        table(
            "Top split suggestions (`lotwise split show ID` for signals and packages)",
            ["id", "title", "buyer", "value", "score", "packages", "first reason"],
            (
                (
                    t["tender_id"],
                    t["title"][:50],
                    (t["buyer_name"] or "")[:30],
                    money(t["aggregated_value"], t["currency"]),
                    f"{t['score']:.2f}",
                    t["package_count"],
                    t["first_reason"],
                )
                for t in top
            ),
        )
    )


def _match_report(context: AppContext) -> None:
    """Register the bundled organisations, match them, show the best fits of a few."""
    engine = context.engine()
    rates = load_rates(context.settings.rates_file)
    report = import_organisations(engine, DEMO_ORGANISATIONS, now=utc_now(), rates=rates)
    console.rule(f"[bold]Matching {report.valid} bundled civic-tech organisations")
    run = refresh_matches_and_report(context.settings, engine)
    if run is None:
        return
    shown = {slug: run.ranked[slug] for slug in DEMO_SHOWCASE if slug in run.ranked}
    print_ranked(replace(run, ranked=shown), limit=3)
    console.print(
        "`lotwise match --org ID` ranks one organisation; `lotwise eval` scores the matcher "
        "on the labelled set.",
        highlight=False,
    )


def _digest_report(context: AppContext, outbox: Path) -> None:
    """The digests the matches would produce, written as .eml files instead of sent."""
    shutil.rmtree(outbox, ignore_errors=True)
    report = send_digests(
        context.engine(),
        DigestConfig.from_settings(context.settings),
        now=utc_now(),
        dry_run=True,
        outbox_dir=outbox,
    )
    console.rule("[bold]Digests")
    console.print(
        f"{len(report.written)} digest email(s) written to [bold]{outbox}[/] instead of sent "
        f"({len(report.nothing_new)} organisation(s) had nothing new). Open one in a mail "
        "client, or `lotwise digest preview ORG`; `lotwise digest send` delivers them."
    )
