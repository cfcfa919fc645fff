"""`lotwise impact`, `lotwise flags` and `lotwise cases`: what happened after the notice,
where to look twice, and divided vs undivided requirements side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from scanner.cli.context import AppContext, app_context, parse_date, utc_now
from scanner.cli.output import console, err_console, print_json, table
from scanner.integrity import IntegrityConfig
from scanner.services import impact as service
from scanner.services.impact_export import flags_csv, impact_csv

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (stable field names).")]
BuyerOption = Annotated[
    str | None, typer.Option("--buyer", help="Only this buyer: its id (e.g. UA-EDR-...) or name.")
]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="Tenders published on or after (YYYY-MM-DD).")
]
CsvOption = Annotated[Path | None, typer.Option("--csv", help="Also write the table as CSV.")]
SHOWN = 25


def register(app: typer.Typer) -> None:
    app.command("impact")(impact)
    app.command("flags")(flags)
    app.command("cases")(cases)


def impact(
    ctx: typer.Context,
    buyer: BuyerOption = None,
    since: SinceOption = None,
    period: Annotated[
        str, typer.Option(help="Periods of the per-period figures: month, quarter or year.")
    ] = "month",
    as_json: JsonOption = False,
    csv_path: CsvOption = None,
    backfill: Annotated[
        bool,
        typer.Option(
            "--backfill",
            help="First store outcomes for tenders stored before outcomes were (read from "
            "each tender's stored release).",
        ),
    ] = False,
) -> None:
    """Per buyer: single-bid rate, direct-award share, lots, supplier concentration and small
    suppliers, beside the peers' median; per period; and Lotwise's own loop."""
    if period not in service.PERIODS:
        raise typer.BadParameter(f"{period!r} is not one of {', '.join(service.PERIODS)}")
    context = app_context(ctx)
    config = _config(context)
    if backfill:
        done = service.backfill(context.engine(), utc_now)
        err_console.print(f"Outcomes stored for {done} tenders that had none.", highlight=False)
    try:
        report = service.impact(
            context.engine(),
            config,
            buyer=buyer,
            since=parse_date(since, "--since"),
            period=period,
        )
    except service.UnknownBuyerError as exc:
        err_console.print(f"[red]{exc}.[/]", highlight=False)
        raise typer.Exit(1) from None
    if csv_path is not None:
        csv_path.write_text(impact_csv(report), encoding="utf-8")
    if as_json:
        print_json(report)
        return
    _print_impact(report)


def flags(
    ctx: typer.Context,
    buyer: BuyerOption = None,
    code: Annotated[
        str | None, typer.Option("--code", help="Only this flag (e.g. single_bid).")
    ] = None,
    since: SinceOption = None,
    as_json: JsonOption = False,
    csv_path: CsvOption = None,
) -> None:
    """Integrity flags with their evidence, each buyer's rate beside its peers'. A flag is a
    reason to look more closely, never an accusation."""
    context = app_context(ctx)
    config = _config(context)
    try:
        result = service.flag_list(
            context.engine(), config, buyer=buyer, code=code, since=parse_date(since, "--since")
        )
    except (service.UnknownBuyerError, service.IntegrityConfigError) as exc:
        err_console.print(f"[red]{exc}.[/]", highlight=False)
        raise typer.Exit(1) from None
    if csv_path is not None:
        csv_path.write_text(flags_csv(result), encoding="utf-8")
    if as_json:
        print_json(result)
        return
    console.print(f"[italic]{result['notice']}[/]", highlight=False)
    console.print(
        table(
            "Flags",
            ["flag", "definition", "threshold", "raised", "peer median rate"],
            (
                (
                    d["title"],
                    d["definition"],
                    d["threshold"],
                    result["counts"].get(d["code"], 0),
                    _pct(result["peers"]["median"].get(d["code"])),
                )
                for d in result["definitions"]
            ),
        )
    )
    rows = result["flags"]
    console.print(
        table(
            f"Tenders to look at ({len(rows)}; first {min(len(rows), SHOWN)} shown)",
            ["tender", "buyer", "flag", "evidence", "buyer rate", "peers"],
            (
                (
                    r["tender_id"],
                    (r["buyer_name"] or r["buyer_id"] or "")[:40],
                    r["code"],
                    r["evidence"],
                    _pct(r["buyer_rate"]),
                    _pct(r["peer_median_rate"]),
                )
                for r in rows[:SHOWN]
            ),
        )
    )


def cases(
    ctx: typer.Context,
    buyer: BuyerOption = None,
    cpv: Annotated[
        str | None, typer.Option("--cpv", help="Only this kind of work (CPV prefix).")
    ] = None,
    since: SinceOption = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many pairs.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Case studies: comparable requirements, one divided into lots and one not, outcomes side
    by side, as Markdown (or JSON) to print or share."""
    context = app_context(ctx)
    config = _config(context)
    try:
        report = service.case_report(
            context.engine(),
            config,
            buyer=buyer,
            cpv=cpv,
            since=parse_date(since, "--since"),
            limit=limit,
        )
    except service.UnknownBuyerError as exc:
        err_console.print(f"[red]{exc}.[/]", highlight=False)
        raise typer.Exit(1) from None
    if as_json:
        print_json(report)
        return
    print(report["markdown"], end="")


def _config(context: AppContext) -> IntegrityConfig:
    settings = context.settings
    try:
        return service.load_config(settings.integrity_file, settings.thresholds_file)
    except service.IntegrityConfigError as exc:
        err_console.print(f"[red]Integrity configuration unusable:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None


def _print_impact(report: dict[str, Any]) -> None:
    console.print(f"[italic]{report['notice']}[/]", highlight=False)
    overall = report["overall"]
    median = report["peers"]["median"]
    console.print(
        f"{overall['tenders']} tenders, {overall['competitive_tenders']} competitive "
        f"({overall['bid_count_known']} with a known bid count), "
        f"{overall['awards']} active awards; peers: {report['peers']['buyers']} buyers with at "
        f"least {report['peers']['min_tenders']} tenders.",
        highlight=False,
    )
    buyers = report["buyer_figures"]
    console.print(
        table(
            f"Buyers ({len(buyers)}; first {min(len(buyers), SHOWN)} shown)",
            [
                "buyer",
                "tenders",
                "single bid",
                "direct",
                "lotted",
                "top supplier",
                "HHI",
                "small suppliers",
                "flagged",
            ],
            [
                (
                    "peer median",
                    "",
                    *(
                        _pct(median[name])
                        for name in (
                            "single_bid_rate",
                            "direct_award_share",
                            "lotted_share",
                            "top_supplier_share",
                        )
                    ),
                    "",
                    _pct(median["small_supplier_share"]),
                    _pct(median["flag_rate"]),
                ),
                *(
                    (
                        (b["name"] or b["id"] or "")[:45],
                        b["tenders"],
                        _pct(b["single_bid_rate"]),
                        _pct(b["direct_award_share"]),
                        _pct(b["lotted_share"]),
                        _pct(b["top_supplier_share"]),
                        "" if b["hhi"] is None else f"{b['hhi']:.2f}",
                        _pct(b["small_supplier_share"]),
                        _pct(b.get("flag_rate")),
                    )
                    for b in buyers[:SHOWN]
                ),
            ],
        )
    )
    console.print(
        "Peer median: "
        + ", ".join(
            f"{name.replace('_', ' ')} {_pct(median[name])}"
            for name in (
                "single_bid_rate",
                "direct_award_share",
                "lotted_share",
                "top_supplier_share",
                "flag_rate",
            )
        ),
        highlight=False,
    )
    loop = report["loop"]
    console.print(
        f"Lotwise's loop: {loop['split_flagged']} tenders suggested for splitting; "
        f"{loop['now_divided']} now divided; {loop['buyer_divided_later']} followed by a "
        f"divided tender of the same kind from the buyer; {loop['cannot_tell']} cannot tell "
        f"yet. Matches: {loop['matched_pairs']} pairs, {loop['matched_with_outcome']} with "
        f"outcomes. {loop['matched_note']}",
        highlight=False,
    )


def _pct(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.0%}"
