"""`lotwise tenders list|show|merged|unmerge`: what is stored, and which tenders are one
opportunity across sources."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from scanner.cli.context import app_context, demo_hint, parse_date, utc_now
from scanner.cli.outcomes import outcome_fields, print_outcome
from scanner.cli.output import console, err_console, money, print_json, short_date, table
from scanner.services import dedupe, queries

app = typer.Typer(help="Stored tenders.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (stable field names).")]


@app.command("list")
def list_tenders(
    ctx: typer.Context,
    open_only: Annotated[
        bool, typer.Option("--open", help="Only open opportunities (active, deadline ahead).")
    ] = False,
    source: Annotated[
        list[str] | None, typer.Option(help="Only these sources (repeatable).")
    ] = None,
    since: Annotated[str | None, typer.Option(help="Published on or after (YYYY-MM-DD).")] = None,
    search: Annotated[
        str | None,
        typer.Option(
            help="Words in the title or buyer name (each word matches words starting with it)."
        ),
    ] = None,
    min_value: Annotated[
        Decimal | None,
        typer.Option(help="Value at least this, in the reporting currency (config/rates.toml)."),
    ] = None,
    max_value: Annotated[
        Decimal | None, typer.Option(help="Value at most this, in the reporting currency.")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many (default: all).")] = None,
    as_json: JsonOption = False,
) -> None:
    """List every stored tender, newest first, unless filtered."""
    context = app_context(ctx)
    flt = queries.TenderFilter(
        open_at=utc_now() if open_only else None,
        sources=tuple(source or ()),
        published_since=parse_date(since, "--since"),
        search=search,
        min_value=min_value,
        max_value=max_value,
        limit=limit,
    )
    with Session(context.engine()) as session:
        rows = queries.list_tenders(session, flt)
    if not rows:
        demo_hint(context)
    if as_json:
        print_json(rows)
        return
    console.print(
        table(
            f"Tenders ({len(rows)})",
            ["id", "source", "title", "buyer", "value", "deadline", "status", "lots"],
            (
                (
                    r["id"],
                    r["source"],
                    r["title"][:70],
                    (r["buyer_name"] or "")[:40],
                    money(r["value_amount"], r["currency"]),
                    short_date(r["deadline_at"]),
                    r["status"],
                    r["lot_count"] or "",
                )
                for r in rows
            ),
        )
    )


@app.command("show")
def show_tender(
    ctx: typer.Context,
    tender_id: Annotated[int, typer.Argument(metavar="ID", help="Tender id from `tenders list`.")],
    as_json: JsonOption = False,
) -> None:
    """Show one tender in full: description, classification, regions, items and lots."""
    context = app_context(ctx)
    with Session(context.engine()) as session:
        tender = queries.get_tender(session, tender_id)
        if tender is not None:
            tender.update(outcome_fields(context.settings, session, tender_id))
    if tender is None:
        err_console.print(f"[red]No tender with id {tender_id}.[/]")
        raise typer.Exit(1)
    if as_json:
        print_json(tender)
        return
    console.print(f"[bold]{tender['title']}[/]  (#{tender['id']}, {tender['source']})")
    fields = [
        ("ocid", tender["ocid"]),
        ("buyer", tender["buyer_name"]),
        ("value", money(tender["value_amount"], tender["currency"])),
        ("status", tender["status"]),
        ("published", tender["published_at"]),
        ("deadline", tender["deadline_at"]),
        ("procedure", tender["procedure_type"]),
        ("CPV", ", ".join(tender["cpv_codes"])),
        ("regions", ", ".join(tender["regions"] + tender["countries"])),
        ("SME / VCSE", f"{tender['suitable_sme']} / {tender['suitable_vcse']}"),
        ("notice", tender["notice_url"]),
        ("version", tender["version"]),
        ("reporting value", _reporting(tender)),
    ]
    console.print(table(None, ["field", "value"], fields))
    if tender["description"]:
        console.print(tender["description"], markup=False, highlight=False)
    if tender["lots"]:
        console.print(
            table(
                f"Lots ({len(tender['lots'])})",
                ["lot", "title", "value", "CPV"],
                (
                    (
                        lot["lot_id"],
                        lot["title"],
                        money(lot["value_amount"], lot["currency"]),
                        ", ".join(lot["cpv_codes"]),
                    )
                    for lot in tender["lots"]
                ),
            )
        )
    if tender["canonical"] and tender["canonical"]["member_count"] > 1:
        _print_group(tender["canonical"])
    print_outcome(tender)


def _print_group(group: dict[str, Any]) -> None:
    console.print(
        table(
            f"Canonical opportunity #{group['canonical_id']}: the same opportunity on "
            f"{group['member_count']} sources",
            ["tender", "source", "how", "score", "reasons"],
            (
                (
                    m["tender_id"],
                    m["source"],
                    m["method"]
                    + (f" to #{m['matched_tender_id']}" if m["matched_tender_id"] else ""),
                    "" if m["score"] is None else f"{m['score']:.2f}",
                    "; ".join(f"{r['field']}: {r['detail']}" for r in m["reasons"]),
                )
                for m in group["members"]
            ),
        )
    )


@app.command("merged")
def merged(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Opportunities published by more than one source, with each merge's reasons."""
    context = app_context(ctx)
    with Session(context.engine()) as session:
        groups = dedupe.merged_groups(session)
    if as_json:
        print_json(groups)
        return
    if not groups:
        console.print("No merged opportunities.")
    for group in groups:
        _print_group(group)


@app.command("unmerge")
def unmerge(
    ctx: typer.Context,
    tender_id: Annotated[int, typer.Argument(metavar="ID", help="Tender id to split out.")],
) -> None:
    """Split a wrongly merged tender out of its canonical opportunity, for good."""
    context = app_context(ctx)
    try:
        others = dedupe.unmerge(context.engine(), tender_id, utc_now())
    except dedupe.NotMergedError as exc:
        err_console.print(f"[red]Not unmerged:[/] {exc}.", highlight=False)
        raise typer.Exit(1) from None
    console.print(
        f"Tender {tender_id} split out; it will not be merged again with "
        + ", ".join(f"#{o}" for o in others)
        + ".",
        highlight=False,
    )


def _reporting(tender: dict[str, Any]) -> str:
    """The reporting value, or why there is none (a currency without a reference rate)."""
    if tender.get("value_reporting") is None and tender.get("value_reporting_error"):
        return f"none: {tender['value_reporting_error']}"
    return money(tender["value_reporting"], tender["reporting_currency"])
