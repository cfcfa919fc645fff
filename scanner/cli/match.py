"""`lotwise match`, `lotwise consortium` and `lotwise eval` (docs/matching.md)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import Engine

from scanner.cli.context import AppContext, app_context, demo_hint, parse_date
from scanner.cli.output import console, err_console, print_json, table
from scanner.matching.opportunities import KIND_LABELS
from scanner.orgs import RatesError
from scanner.services import organisations as org_service
from scanner.services.matching import (
    LimitError,
    MatchingConfig,
    MatchRun,
    consortium_for,
    refresh_matches,
)
from scanner.settings import Settings

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (stable field names).")]
NowOption = Annotated[
    str | None,
    typer.Option(
        "--now",
        help="Judge deadlines as of this date (YYYY-MM-DD), for a reproducible run on an old "
        "snapshot; nothing is stored then.",
    ),
]


def matching_config(context: AppContext) -> MatchingConfig:
    """The configured weights and rates, or one clear line and exit 2."""
    settings = context.settings
    try:
        return MatchingConfig.load(
            settings.matching_file, settings.rates_file, top=settings.match_top
        )
    except (OSError, ValueError, RatesError) as exc:
        err_console.print(f"Invalid matching configuration: {exc}", style="red", markup=False)
        raise typer.Exit(2) from None


def refresh_matches_and_report(settings: Settings, engine: Engine) -> MatchRun | None:
    """After a crawl, ingest or profile import: re-rank the active organisations and store
    their matches, printing one line. Broken matching configuration is reported, not fatal."""
    try:
        config = MatchingConfig.load(
            settings.matching_file, settings.rates_file, top=settings.match_top
        )
    except (OSError, ValueError, RatesError) as exc:
        err_console.print(f"[yellow]Matches not refreshed:[/] {exc}", highlight=False)
        return None
    run = refresh_matches(engine, config)
    if run.organisations:
        console.print(
            f"Matches: {run.organisations} organisation(s) ranked against {run.tenders} open "
            f"tenders ({run.opportunities} opportunities) in {run.seconds:.2f} s; "
            f"{run.stored} stored, {run.new} new.",
            highlight=False,
        )
    return run


def register(app: typer.Typer) -> None:
    app.command("match")(match)
    app.command("consortium")(consortium)


def match(
    ctx: typer.Context,
    org: Annotated[
        list[str] | None, typer.Option("--org", help="Only this organisation id (repeatable).")
    ] = None,
    now: NowOption = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            min=1,
            help="Matches shown per org. Stored lists hold LOTWISE_MATCH_TOP (default 20): a "
            "larger --limit is an error unless --now (nothing stored) is given.",
        ),
    ] = 10,
    as_json: JsonOption = False,
) -> None:
    """Rank open tenders, their lots and proposed packages for each active organisation, with
    the score breakdown and a one-line explanation; the results are stored (unless --now)."""
    context = app_context(ctx)
    config = matching_config(context)
    moment = parse_date(now, "--now")
    if org:
        known = {o["id"] for o in org_service.list_organisations(context.engine())}
        unknown = sorted(set(org) - known)
        if unknown:
            err_console.print(
                f"No organisation with id {', '.join(unknown)}", style="red", markup=False
            )
            raise typer.Exit(1)
    try:
        run = refresh_matches(
            context.engine(), config, now=moment, only=org or None,
            store_results=moment is None, top=limit,
        )  # fmt: skip
    except LimitError as exc:
        err_console.print(f"--limit {limit}: {exc}", style="red", markup=False)
        raise typer.Exit(2) from None
    if not run.tenders:
        demo_hint(context)
    missing = sorted(set(org or ()) - set(run.ranked))
    if missing:
        err_console.print(
            f"No active organisation with id {', '.join(missing)}", style="red", markup=False
        )
        raise typer.Exit(1)
    if as_json:
        print_json(
            {slug: [r.as_dict() for r in ranked[:limit]] for slug, ranked in run.ranked.items()}
        )
        return
    print_ranked(run, limit)


def print_ranked(run: MatchRun, limit: int) -> None:
    """One table per organisation: rank, score, what fits, value, explanation."""
    for slug, ranked in run.ranked.items():
        rows = [
            [
                str(r.rank),
                f"{r.match.score:.2f}",
                KIND_LABELS[r.opportunity.kind],
                r.opportunity.title[:60],
                r.tender.buyer or "",
                r.match.explanation,
            ]
            for r in ranked[:limit]
        ]
        console.print(
            table(
                f"{slug}: {len(ranked)} match(es)",
                ["#", "score", "kind", "title", "buyer", "why"],
                rows,
            )
        )
    console.print(
        f"{run.organisations} organisation(s) x {run.opportunities} opportunities from "
        f"{run.tenders} open tenders in {run.seconds:.1f} s; {run.stored} match(es) stored, "
        f"{run.new} new.",
        highlight=False,
    )


def consortium(
    ctx: typer.Context,
    opportunity: Annotated[
        str, typer.Argument(help="Opportunity id from `lotwise match`: tender:ID or lot:ID:N.")
    ],
    now: NowOption = None,
    as_json: JsonOption = False,
) -> None:
    """Propose up to three organisations that together cover a tender or lot no single one
    covers, saying who covers what."""
    context = app_context(ctx)
    found = consortium_for(
        context.engine(), matching_config(context), opportunity, now=parse_date(now, "--now")
    )
    if found is None:
        err_console.print(f"No open opportunity {opportunity!r}", style="red", markup=False)
        raise typer.Exit(1)
    if as_json:
        print_json(
            {
                "opportunity_id": found.opportunity_id,
                "single": found.single,
                "members": list(found.members),
                "covers": {k: list(v) for k, v in found.covers.items()},
                "missing": list(found.missing),
                "complete": found.complete,
                "explanation": found.explanation,
            }
        )
        return
    console.print(found.explanation, highlight=False)
