"""Realistic drafts: does `lotwise split check` propose what a good procurement officer would?

Runs `lotwise split check FILE --json` in process (the command itself, so whatever the service
behind it adds is seen) on every draft labelled in `split_labels/draft_labels.toml`, and scores
each answer against its label with `split_drafts_scoring` (rules in its docstring; rubric in
`split_labels/README.md`):

- deliverables covered: every numbered deliverable (or item) becomes or belongs to a package;
- packages found against those expected, matched one-to-one by the deliverables they hold
  (precision, recall; values and durations on matched pairs);
- wrong-jurisdiction citations (law or guidance the buyer's jurisdiction does not use, not
  marked as an analogy) and wrong thresholds (one that does not apply to this buyer);
- whether the split / no-split answer agrees.

    .venv/bin/python benchmarks/bench_split_drafts.py [--details all|ID] [--json FILE]

Prints figures; asserts nothing. The answers are read only through the keys documented in
docs/json-output.md, so fields the splitter adds do not break it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from split_drafts_labels import (
    DraftLabel,
    ThresholdRef,
    draft_item_ids,
    draft_path,
    draft_text,
    load_labels,
)
from split_drafts_scoring import (
    Answer,
    DraftScore,
    Summary,
    answer_from_json,
    failed_answer,
    score_draft,
    summarise,
)
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.splitter import load_thresholds

REPO = Path(__file__).resolve().parents[1]
# A check must never need a database: point it at one that cannot be reached.
UNREACHABLE_DB = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1"


def configured_thresholds(path: Path = REPO / "config" / "thresholds.toml") -> list[ThresholdRef]:
    thresholds = load_thresholds(path)
    return [
        ThresholdRef(f"{j.code}.{t.key}", t.amount, j.currency, t.label)
        for j in thresholds.jurisdictions
        for t in j.thresholds
    ]


def check(runner: CliRunner, path: Path) -> Answer:
    """`lotwise split check PATH --json`, in process; one answer (the first procedure)."""
    result = runner.invoke(app, ["split", "check", str(path), "--json"])
    if result.exit_code != 0:
        line = (result.stderr or result.stdout or repr(result.exception)).strip().splitlines()
        return failed_answer(f"exit {result.exit_code}: {line[0] if line else ''}")
    try:
        data: Any = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        return failed_answer(f"output is not JSON: {exc}")
    if isinstance(data, list):
        data = data[0] if data else {}
    return answer_from_json(data) if isinstance(data, dict) else failed_answer("not an object")


def run(labels: Sequence[DraftLabel], registry: Sequence[ThresholdRef]) -> list[DraftScore]:
    runner = CliRunner(env={"LOTWISE_DATABASE_URL": UNREACHABLE_DB, "COLUMNS": "200"})
    scores = []
    for label in labels:
        path = draft_path(label)
        answer = check(runner, path)
        scores.append(score_draft(label, answer, draft_text(path), draft_item_ids(path), registry))
    return scores


def _verdict(value: bool | None) -> str:
    return "error" if value is None else ("split" if value else "whole")


def print_table(labels: Sequence[DraftLabel], scores: Sequence[DraftScore]) -> None:
    header = (
        f"{'draft':38} {'where':7} {'expected':>8} {'answer':>6} {'deliv.':>7} "
        f"{'packages':>9} {'values':>6} {'law':>4} {'thr':>4} {'thr ok':>6}"
    )
    print(header)
    print("-" * len(header))
    for label, s in zip(labels, scores, strict=True):
        print(
            f"{s.id[:38]:38} {label.raw.get('country', ''):7} {_verdict(s.expected_split):>8} "
            f"{_verdict(s.answered_split):>6} {len(s.covered):>3}/{s.deliverables:<3} "
            f"{len(s.matched):>2}/{s.expected_packages:<2}({s.found_packages:>2}) "
            f"{s.values_right:>2}/{s.values_stated:<2} {len(s.wrong_citations):>4} "
            f"{len(s.wrong_thresholds):>4} {'yes' if s.right_threshold else 'no':>6}"
        )
    print(
        "deliv.: deliverables covered / numbered; packages: matched / expected (distinct "
        "packages proposed); values: right / stated on matched packages; law: wrong-"
        "jurisdiction citations; thr: wrong thresholds named; thr ok: the applicable "
        "threshold named (or no rules for an unconfigured country)."
    )


def print_summary(summary: Summary) -> None:
    s = summary
    tp = s.verdicts.get((True, True), 0)
    fn = s.verdicts.get((True, False), 0) + s.verdicts.get((True, None), 0)
    fp = s.verdicts.get((False, True), 0)
    tn = s.verdicts.get((False, False), 0) + s.verdicts.get((False, None), 0)
    print(f"\nOverall, {s.drafts} drafts ({s.errors} could not be checked):")
    print(
        f"  split / no-split agrees: {s.verdict_accuracy:.2f} "
        f"(TP {tp}, FN {fn}, FP {fp}, TN {tn}; labelled split {tp + fn}/{s.drafts})"
    )
    print(
        f"  deliverables covered: {s.covered}/{s.deliverables} "
        f"({s.covered / s.deliverables if s.deliverables else 0:.2f}); "
        f"drafts with every deliverable covered: {s.drafts_fully_covered}/{s.drafts}"
    )
    print(
        f"  packages: {s.matched} of {s.expected_packages} expected found among "
        f"{s.found_packages} proposed: precision {s.precision:.2f}, recall {s.recall:.2f} "
        f"(macro {s.macro_precision:.2f} / {s.macro_recall:.2f})"
    )
    print(
        f"  on matched packages: values right {s.values_right}/{s.values_stated}, "
        f"durations right {s.durations_right}/{s.durations_stated}"
    )
    print(
        f"  wrong-jurisdiction citations: {s.wrong_citations} in "
        f"{s.drafts_with_wrong_citations} drafts ({s.wrong_citations_in_advice} in advice, "
        f"{s.wrong_citations - s.wrong_citations_in_advice} only in rules that did not fire)"
    )
    print(
        f"  wrong thresholds named: {s.wrong_thresholds} in {s.drafts_with_wrong_thresholds} "
        f"drafts; applicable threshold named: {s.right_thresholds}/{s.drafts}; "
        f"jurisdiction key agrees: {s.jurisdiction_agrees}/{s.drafts}"
    )


def print_details(labels: Sequence[DraftLabel], scores: Sequence[DraftScore], which: str) -> None:
    for label, s in zip(labels, scores, strict=True):
        if which not in ("all", s.id):
            continue
        print(f"\n== {s.id} ({label.file}): {label.raw.get('jurisdiction')}")
        if s.error:
            print(f"  error: {s.error}")
        print(f"  expected {_verdict(s.expected_split)}, answered {_verdict(s.answered_split)}")
        texts = {d.id: d.text for d in label.deliverables}
        for missing in s.missing:
            print(f"  deliverable not covered: {missing}. {texts[missing]}")
        for expected, title, similarity in s.matched:
            print(f"  matched: {expected!r} <- {title[:70]!r} (Jaccard {similarity:.2f})")
        for c in s.wrong_citations:
            place = "advice" if c.advice else "rule not fired"
            print(f"  wrong law: {c.family} {c.cited!r} in {c.where} ({place})")
        for m in s.wrong_thresholds:
            print(f"  wrong threshold: {m.said!r} ({', '.join(sorted(m.candidates))}) in {m.where}")
        if not s.right_threshold:
            print(f"  applicable threshold not named: {label.threshold_key}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", default="", help="'all' or a draft id: show the misses")
    parser.add_argument("--json", type=Path, help="also write every draft's score to this file")
    args = parser.parse_args(argv)
    labels, extra = load_labels()
    registry = configured_thresholds() + extra
    started = time.perf_counter()
    scores = run(labels, registry)
    seconds = time.perf_counter() - started
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"Labelled drafts: {len(labels)} checked in {seconds:.2f} s "
        f"({len(labels) / seconds:.1f} drafts/s through the CLI in process; load {load})\n"
    )
    print_table(labels, scores)
    print_summary(summarise(scores))
    if args.details:
        print_details(labels, scores, args.details)
    if args.json:
        args.json.write_text(
            json.dumps([asdict(s) for s in scores], indent=2, ensure_ascii=False, default=str)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
