"""`lotwise eval`: the matcher judged on a labelled set, beside baselines (docs/matching.md).

`--set demo` (default) is the bundled demo corpus and its 31 profiles; `--set real` is the real
notices in the shared samples (`LOTWISE_SHARED_DIR`; with `gathered-it/`, `gathered-fr/`,
`gathered-es/`, `gathered-de/`, `gathered-pl/`, `gathered-bg/`, `gathered-cs/`, `gathered-el/`,
`gathered-nl/`, `gathered-hu/`, `gathered-fi/`, `gathered-ro/`, `gathered-sk/` and
`gathered-sl/`, the gathered Italian, French, Spanish, German, Polish, Bulgarian, Czech, Greek,
Dutch, Hungarian, Finnish, Romanian, Slovak and Slovenian notices, each when present) with the profiles and labels of
benchmarks/real_match/.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from scanner.cli.context import app_context
from scanner.cli.output import console, err_console, print_json
from scanner.orgs import OrgFileError
from scanner.splitter import ThresholdsError, load_thresholds

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (stable field names).")]


class EvalSet(StrEnum):
    demo = "demo"
    real = "real"


DEMO_TITLES = {
    "matcher": "matcher",
    "baseline": "baseline: keywords + CPV only, no other criterion or gate",
    "keywords + CPV, gated": "keywords + CPV behind the matcher's gates (ablation)",
}
REAL_TITLES = {
    "matcher": "matcher",
    "BM25": "baseline: BM25 of profile words against notice words (no stemming, no stop words)",
    "keyword + code heuristic": "baseline: 40% CPV/NAICS digits, 30% keywords, 15% value, 15% place",
}


def register(app: typer.Typer) -> None:
    app.command("eval")(evaluate)


def evaluate(
    ctx: typer.Context,
    labelled_set: Annotated[
        EvalSet,
        typer.Option(
            "--set",
            help="demo: the bundled demo corpus; real: the real notices in the shared samples "
            "(LOTWISE_SHARED_DIR), gathered Italian, French, Spanish, German, Polish, "
            "Bulgarian, Czech, Greek, Dutch, Hungarian, Finnish, Romanian, Slovak and Slovenian "
            "notices included when present, with the profiles and labels of benchmarks/real_match/.",
        ),
    ] = EvalSet.demo,
    labels: Annotated[
        Path | None, typer.Option("--labels", help="Graded labels file (default: the set's own).")
    ] = None,
    profiles: Annotated[
        Path | None,
        typer.Option("--profiles", help="Profiles file for --set real (default: bundled)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Judge the matcher on a labelled set: precision@5, precision@10 and NDCG@10 per profile
    and overall, beside baselines measured the same way (demo: a keyword + CPV baseline and a
    gated ablation; real: BM25 and the keyword + code heuristic), then macro figures for the
    tuning half, the held-out half (the figures to trust) and all profiles; for --set real also
    per target language, and how much of each top k was judged."""
    from scanner.cli.match import matching_config
    from scanner.evaluation.ranking import LabelsError, format_report
    from scanner.services.evaluation import Evaluation, format_groups, format_halves

    context = app_context(ctx)
    config = matching_config(context)
    try:
        thresholds = load_thresholds(context.settings.thresholds_file)
        if labelled_set is EvalSet.real:
            from scanner.services.evaluation_real import (
                REAL_LABELS,
                REAL_PROFILES,
                SamplesMissingError,
                evaluate_real,
            )

            samples = context.settings.shared_dir / "samples"
            try:
                result: Evaluation = evaluate_real(
                    config,
                    thresholds,
                    samples,
                    labels_path=labels or REAL_LABELS,
                    profiles_path=profiles or REAL_PROFILES,
                )
            except SamplesMissingError as exc:
                err_console.print(str(exc), style="red", markup=False, soft_wrap=True)
                raise typer.Exit(2) from None
            titles = REAL_TITLES
        else:
            from scanner.demo.generate import ANCHOR
            from scanner.services.evaluation import LABELS, evaluate_matching

            result = evaluate_matching(config, thresholds, now=ANCHOR, labels_path=labels or LABELS)
            titles = DEMO_TITLES
    except (LabelsError, OrgFileError, ThresholdsError, OSError) as exc:
        err_console.print(str(exc), style="red", markup=False)
        raise typer.Exit(2) from None
    if as_json:
        print_json(_as_json(result))
        return
    for name, report in result.reports.items():
        console.print(
            format_report(report, titles.get(name, name)),
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    console.print(format_halves(result), highlight=False, markup=False, soft_wrap=True)
    if result.groups:
        console.print(format_groups(result), highlight=False, markup=False, soft_wrap=True)
    console.print(result.summary, highlight=False, markup=False, soft_wrap=True)


def _as_json(result: Any) -> dict[str, Any]:
    halves = result.halves()
    groups = result.by_group()

    def figures(macro: Any) -> dict[str, Any]:
        return {
            "precision": {str(k): v for k, v in macro.precision.items()},
            "ndcg": {str(k): v for k, v in macro.ndcg.items()},
            "judged": {str(k): v for k, v in macro.judged.items()},
            "profiles": macro.profiles,
        }

    data: dict[str, Any] = {
        name: {
            "precision": {str(k): v for k, v in r.macro_precision.items()},
            "ndcg": {str(k): v for k, v in r.macro_ndcg.items()},
            "profiles": len(r.profiles),
            "halves": {half: figures(by_name[name]) for half, by_name in halves.items()},
            "tuning_profiles": sorted(result.tuning),
            **(
                {
                    "groups": {
                        group: {half: figures(by_name[name]) for half, by_name in by_half.items()}
                        for group, by_half in groups.items()
                    }
                }
                if groups
                else {}
            ),
        }
        for name, r in result.reports.items()
    }
    if result.corpus:
        data["corpus"] = result.corpus
    return data
