"""`lotwise match`, `lotwise consortium` and `lotwise eval` (docs/matching.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine

from scanner.cli.context import AppContext, app_context, parse_date
from scanner.cli.output import console, err_console, print_json, table
from scanner.orgs import OrgFileError, RatesError
from scanner.services import organisations as org_service
from scanner.services.matching import MatchingConfig, MatchRun, consortium_for, refresh_matches
from scanner.settings import Settings
from scanner.splitter import ThresholdsError, load_thresholds

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
    app.command("eval")(evaluate)


def match(
    ctx: typer.Context,
    org: Annotated[
        list[str] | None, typer.Option("--org", help="Only this organisation id (repeatable).")
    ] = None,
    now: NowOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Matches shown per org.")] = 10,
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
    run = refresh_matches(
        context.engine(), config, now=moment, only=org or None, store_results=moment is None
    )
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
                r.opportunity.kind,
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


def evaluate(
    ctx: typer.Context,
    labels: Annotated[
        Path | None, typer.Option("--labels", help="Graded labels file (default: bundled).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Judge the matcher on the bundled labelled set (31 profiles over the demo corpus):
    precision@5, precision@10 and NDCG@10 per profile and overall, beside a keyword + CPV
    baseline and a gated keyword + CPV ablation measured the same way, then macro figures for the tuning half, the held-out half
    (the figures to trust) and all profiles."""
    from scanner.demo.generate import ANCHOR
    from scanner.evaluation.ranking import LabelsError, format_report
    from scanner.services.evaluation import LABELS, evaluate_matching, format_halves

    context = app_context(ctx)
    config = matching_config(context)
    try:
        thresholds = load_thresholds(context.settings.thresholds_file)
        result = evaluate_matching(config, thresholds, now=ANCHOR, labels_path=labels or LABELS)
    except (LabelsError, OrgFileError, ThresholdsError, OSError) as exc:
        err_console.print(str(exc), style="red", markup=False)
        raise typer.Exit(2) from None
    if as_json:
        halves = result.halves()
        print_json(
            {
                name: {
                    "precision": {str(k): v for k, v in r.macro_precision.items()},
                    "ndcg": {str(k): v for k, v in r.macro_ndcg.items()},
                    "profiles": len(r.profiles),
                    "halves": {
                        half: {
                            "precision": {str(k): v for k, v in m.precision.items()},
                            "ndcg": {str(k): v for k, v in m.ndcg.items()},
                            "profiles": m.profiles,
                        }
                        for half, by_name in halves.items()
                        for m in [by_name[name]]
                    },
                    "tuning_profiles": sorted(result.tuning),
                }
                for name, r in result.reports.items()
            }
        )
        return
    titles = {
        "matcher": "matcher",
        "baseline": "baseline: keywords + CPV only, no other criterion or gate",
        "keywords + CPV, gated": "keywords + CPV behind the matcher's gates (ablation)",
    }
    reports = {titles.get(name, name): report for name, report in result.reports.items()}
    for name, report in reports.items():
        console.print(format_report(report, name), highlight=False, markup=False)
    console.print(format_halves(result), highlight=False, markup=False)
    console.print(
        f"{result.profiles} profiles over {result.tenders} demo tenders "
        f"({result.opportunities} opportunities) as of {ANCHOR:%Y-%m-%d}.",
        highlight=False,
    )
