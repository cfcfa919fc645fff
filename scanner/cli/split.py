"""`lotwise split list|show|export|check|refresh`: micro-contract suggestions.

Stored assessments are refreshed after every crawl and ingest (`refresh_and_report`); `check`
assesses a buyer's draft file without any database.
"""

from __future__ import annotations

import csv
import io
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from scanner.cli.context import app_context, demo_hint, utc_now
from scanner.cli.output import console, err_console, money, print_json, table
from scanner.services import split_queries
from scanner.services.split_export import (
    csv_table,
    first_reason,
    json_text,
    ocds_release,
    ocds_release_package,
    tender_context,
)
from scanner.services.split_rules import (
    ClauseError,
    ThresholdsError,
    advised,
    clause_library,
    split_rules,
)
from scanner.services.splitting import (
    DraftError,
    RefreshCounts,
    check_drafts,
    pending_count,
    read_draft,
    refresh_assessments,
)
from scanner.settings import Settings
from scanner.splitter import Thresholds
from scanner.splitter.advice import ClauseLibrary
from scanner.splitter.prose import clip

app = typer.Typer(help="Micro-contract suggestions: which tenders to divide, and how.")
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (stable field names).")]


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"
    ocds = "ocds"
    note = "note"
    note_text = "note-text"


class CheckFormat(StrEnum):
    table = "table"
    json = "json"
    ocds = "ocds"
    note = "note"
    note_text = "note-text"


def thresholds_of(settings: Settings) -> Thresholds:
    """The configured thresholds (with reference rates), or `ThresholdsError` naming the file
    and the problem."""
    return split_rules(settings)


def _thresholds_or_exit(settings: Settings) -> Thresholds:
    try:
        return thresholds_of(settings)
    except ThresholdsError as exc:
        err_console.print(f"[red]Invalid thresholds:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None


def _clauses_or_exit(settings: Settings) -> ClauseLibrary:
    try:
        return clause_library(settings)
    except ClauseError as exc:
        err_console.print(f"[red]Invalid clause templates:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None


def refresh_and_report(settings: Settings, engine: Engine) -> RefreshCounts | None:
    """After a crawl or ingest: assess new and changed tenders, print one line. A broken
    thresholds file is reported, not fatal: what was stored stays stored."""
    try:
        thresholds = thresholds_of(settings)
    except ThresholdsError as exc:
        err_console.print(f"[yellow]Split suggestions not refreshed:[/] {exc}", highlight=False)
        return None
    counts = refresh_assessments(engine, thresholds=thresholds, now=utc_now())
    console.print(refresh_line(counts), highlight=False)
    return counts


def refresh_line(counts: RefreshCounts) -> str:
    if not counts.assessed:
        return "Split suggestions: up to date (no new or changed tenders)."
    return (
        f"Split suggestions: {counts.assessed} tenders assessed ({counts.new} new, "
        f"{counts.reassessed} again) in {counts.seconds:.2f} s, {counts.per_second:,.0f}/s; "
        f"{counts.should_split} suggest a split, {counts.errors} could not be assessed."
    )


@app.command("refresh")
def refresh(
    ctx: typer.Context,
    everything: Annotated[
        bool, typer.Option("--all", help="Re-assess every tender, not only new and changed ones.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Assess tenders that are new, changed, or were assessed under other rules."""
    context = app_context(ctx)
    thresholds = _thresholds_or_exit(context.settings)
    counts = refresh_assessments(
        context.engine(), thresholds=thresholds, now=utc_now(), everything=everything
    )
    if as_json:
        print_json(
            {
                "assessed": counts.assessed,
                "new": counts.new,
                "reassessed": counts.reassessed,
                "errors": counts.errors,
                "should_split": counts.should_split,
                "seconds": round(counts.seconds, 3),
                "rules_version": thresholds.rules_version,
            }
        )
        return
    console.print(refresh_line(counts), highlight=False)


@app.command("list")
def list_suggestions(
    ctx: typer.Context,
    min_score: Annotated[
        float | None, typer.Option(help="Only scores at or above this (0 to 1).")
    ] = None,
    should_split: Annotated[
        bool,
        typer.Option(
            "--should-split/--all", help="Only tenders worth dividing (default), or every one."
        ),
    ] = True,
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List assessed tenders, the most worth dividing first."""
    context = app_context(ctx)
    flt = split_queries.SplitFilter(
        should_split=True if should_split else None, min_score=min_score, limit=limit
    )
    with Session(context.engine()) as session:
        rows = split_queries.list_assessments(session, flt)
    if not rows:
        demo_hint(context)
    if as_json:
        print_json(rows)
        return
    _hint_pending(context.settings, context.engine())
    console.print(
        table(
            f"Split suggestions ({len(rows)})",
            ["id", "title", "buyer", "value", "score", "split", "lots", "first reason"],
            (
                (
                    r["tender_id"],
                    clip(r["title"] or "", 60),
                    clip(r["buyer_name"] or "", 30),
                    money(r["aggregated_value"], r["currency"]),
                    f"{r['score']:.2f}",
                    "yes" if r["should_split"] else r["status"],
                    r["package_count"],
                    clip(r["first_reason"] or "", 90),
                )
                for r in rows
            ),
        )
    )


def _hint_pending(settings: Settings, engine: Engine) -> None:
    try:
        rules_version = thresholds_of(settings).rules_version
    except ThresholdsError:
        return
    pending = pending_count(engine, rules_version=rules_version)
    if pending:
        err_console.print(
            f"{pending} tender(s) are new, changed or assessed under other rules: "
            "`lotwise split refresh` assesses them."
        )


@app.command("show")
def show(
    ctx: typer.Context,
    tender_id: Annotated[int, typer.Argument(metavar="ID", help="Tender id (`split list`).")],
    as_json: JsonOption = False,
) -> None:
    """One tender's assessment: signals with their sources, packages with values, procedure."""
    context = app_context(ctx)
    library = _clauses_or_exit(context.settings)
    stored = _stored_or_exit(context.engine(), tender_id)
    entry, _ = advised(stored.entry, stored.tender, library)
    if as_json:
        print_json(entry)
        return
    render(entry)


@app.command("export")
def export(
    ctx: typer.Context,
    tender_id: Annotated[
        int | None, typer.Argument(metavar="[ID]", help="Tender id; or --all.")
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Every stored assessment.")] = False,
    should_split: Annotated[
        bool, typer.Option("--should-split", help="With --all: only tenders worth dividing.")
    ] = False,
    min_score: Annotated[float | None, typer.Option(help="With --all: minimum score.")] = None,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="json, csv (a row per package), ocds, or the lotting note as note (Markdown) "
            "or note-text.",
        ),
    ] = ExportFormat.json,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Export suggestions as JSON, CSV or an OCDS release with `tender.lots` to paste in."""
    if (tender_id is None) == (not everything):
        err_console.print("[red]Give a tender ID or --all (not both).[/]")
        raise typer.Exit(2)
    context = app_context(ctx)
    library = _clauses_or_exit(context.settings)
    if tender_id is not None:
        found = [_stored_or_exit(context.engine(), tender_id)]
    else:
        flt = split_queries.SplitFilter(
            should_split=True if should_split else None, min_score=min_score
        )
        with Session(context.engine()) as session:
            found = split_queries.load_assessments(session, flt)
    pairs = [(s.tender, s.entry) for s in found]
    single = tender_id is not None
    text = _export_text(fmt, pairs, library, single=single)
    if output is None:
        print(text, end="")
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        err_console.print(f"[red]Cannot write {output}:[/] {exc.strerror or exc}")
        raise typer.Exit(2) from None
    err_console.print(f"Wrote {len(pairs)} assessment(s) as {fmt.value} to {output}.")


def _export_text(
    fmt: ExportFormat | CheckFormat,
    pairs: list[tuple[dict[str, Any], dict[str, Any]]],
    library: ClauseLibrary,
    *,
    single: bool,
) -> str:
    now = utc_now()
    if fmt in ("note", "note-text"):
        notes = [advised(entry, tender, library)[1] for tender, entry in pairs]
        return "\n\n".join(n.markdown if fmt == "note" else n.text for n in notes)
    if fmt == "csv":
        header, rows = csv_table(pairs)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        return buffer.getvalue()
    if fmt == "ocds":
        releases = [ocds_release(tender, entry, date=now) for tender, entry in pairs]
        document: Any = releases[0] if single else ocds_release_package(releases, date=now)
    else:
        entries = [advised(entry, tender, library)[0] for tender, entry in pairs]
        document = entries[0] if single else entries
    return json_text(document)


@app.command("check")
def check(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="Draft: OCDS release or package (.json), or plain text.")
    ],
    as_json: JsonOption = False,
    fmt: Annotated[
        CheckFormat,
        typer.Option(
            "--format",
            help="table (default), json (same as --json), ocds (a release with the proposed "
            "lots), note (the lotting note in Markdown) or note-text.",
        ),
    ] = CheckFormat.table,
) -> None:
    """Check a draft before publication: should it be divided, into what, with which contract
    clauses? Prints the lotting note with --format note. No database."""
    context = app_context(ctx)
    try:
        drafts = read_draft(file, limits=context.settings.json_limits())
    except DraftError as exc:
        err_console.print(f"[red]Cannot check:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    thresholds = _thresholds_or_exit(context.settings)
    library = _clauses_or_exit(context.settings)
    if as_json:
        fmt = CheckFormat.json
    pairs = []
    for draft, assessment in check_drafts(drafts, thresholds=thresholds, now=utc_now()):
        tender = tender_context(draft.tender)
        identity = {k: tender[k] for k in ("ocid", "title", "buyer_name", "value_amount")}
        pairs.append(
            (tender, {**assessment, "tender": {**identity, "currency": tender["currency"]}})
        )
    if fmt is CheckFormat.table:
        for tender, entry in pairs:
            render(advised(entry, tender, library)[0])
        return
    print(_export_text(fmt, pairs, library, single=len(pairs) == 1), end="")


def render(entry: dict[str, Any]) -> None:
    """An assessment for a person: verdict, value and procedure, signals, packages."""
    tender = entry.get("tender") or {}
    where = f"  (#{tender['id']}, {tender.get('source')})" if tender.get("id") else ""
    console.print(f"[bold]{tender.get('title') or 'Draft'}[/]{where}", highlight=False)
    if entry.get("status") == "error":
        console.print(f"[red]Could not be assessed:[/] {entry.get('error')}", highlight=False)
        return
    if tender.get("version") not in (None, entry.get("tender_version")):
        console.print(
            f"[yellow]Assessed at version {entry.get('tender_version')}; the tender is now at "
            f"version {tender['version']}:[/] `lotwise split refresh` brings it up to date."
        )
    verdict = "[green]yes[/]" if entry.get("should_split") else "no"
    console.print(
        f"Divide into micro-contracts: {verdict}  score {entry.get('score', 0):.2f}  "
        f"({entry.get('status')}; rules {entry.get('rules_version')})"
    )
    if entry.get("insufficient_reason"):
        console.print(f"Gaps: {entry['insufficient_reason']}", highlight=False)
    value = money(entry.get("aggregated_value"), entry.get("currency")) or "unknown"
    console.print(
        f"Aggregated value: {value}; procedure: {entry.get('procedure')}", highlight=False
    )
    if entry.get("aggregation_note"):
        console.print(entry["aggregation_note"], highlight=False, markup=False)
    signals = sorted(entry.get("signals") or [], key=lambda s: not s.get("fired"))
    console.print(
        table(
            "Signals (fired first)",
            ["", "signal", "weight", "reason", "source"],
            (
                (
                    "✓" if s.get("fired") else "·",
                    s["code"],
                    s.get("weight"),
                    s["reason"],
                    s["source"],
                )
                for s in signals
            ),
        )
    )
    regime = entry.get("regime") or {}
    if regime:
        law = regime.get("law") or regime.get("no_rules")
        buyer = regime.get("buyer_type") or "type not shown"
        console.print(
            f"Buyer: {regime.get('buyer_name') or 'not named'} ({buyer}; "
            f"{regime.get('buyer_type_basis') or 'not shown'}). Where: {regime.get('place')} "
            f"({law}).",
            highlight=False,
            markup=False,
        )
    packages = entry.get("packages") or []
    if packages:
        console.print(
            table(
                f"Proposed packages ({len(packages)})",
                ["#", "title", "value", "months", "region", "strategy", "items", "why", "clauses"],
                (
                    (
                        n,
                        p.get("title"),
                        money(p.get("estimated_value"), entry.get("currency")),
                        p.get("period") or p.get("duration_months"),
                        p.get("region"),
                        p.get("strategy"),
                        ", ".join((p.get("item_ids") or [])[:10]),
                        (p.get("reason") or "")
                        + (f" (optional: {p['optional_reason']})" if p.get("optional") else "")
                        + "".join(f" [{note}]" for note in p.get("notes") or []),
                        "; ".join(c["title"] for c in p.get("clauses") or []),
                    )
                    for n, p in enumerate(packages, start=1)
                ),
            )
        )
        console.print(
            "The lotting note (lots, statement on lots, market questions, clause texts): "
            "--format note or note-text.",
            highlight=False,
        )
    else:
        console.print(f"No packages proposed: {first_reason(entry) or 'no natural division'}.")


def _stored_or_exit(engine: Engine, tender_id: int) -> split_queries.StoredAssessment:
    with Session(engine) as session:
        stored = split_queries.get_assessment(session, tender_id)
        exists = stored is not None or split_queries.tender_exists(session, tender_id)
    if stored is not None:
        return stored
    if exists:
        err_console.print(
            f"[red]Tender {tender_id} has no assessment yet:[/] run `lotwise split refresh`."
        )
    else:
        err_console.print(f"[red]No tender with id {tender_id}.[/]")
    raise typer.Exit(1)
