"""`lotwise tenders list|show`: what is stored."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.orm import Session

from scanner.cli.context import app_context, parse_date, utc_now
from scanner.cli.output import console, err_console, money, print_json, short_date, table
from scanner.services import queries

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
    search: Annotated[str | None, typer.Option(help="Text in title or buyer name.")] = None,
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
        limit=limit,
    )
    with Session(context.engine()) as session:
        rows = queries.list_tenders(session, flt)
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
