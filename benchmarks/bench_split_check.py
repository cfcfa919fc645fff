"""Speed of `lotwise split check`'s work: assessing a draft and adding its advice (the contract
clauses of every package and the lotting note), as JSON, on one core.

Three corpora, each measured in the same process: the labelled drafts (officers' drafts, the
case `split check` is for), the real multi-lot tenders of the lot-recovery benchmark with their
lots hidden (undivided notices), and Prozorro tenders with two items or more. For each: the
assessment alone (the baseline), then the whole answer `split check --json` prints (assessment,
clauses, note, JSON text), as assessments per second of CPU time (`time.process_time`: the
machine is shared, and CPU time is what one core spends) and per second of wall time, and the
ratio of the two within the run. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_split_check.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lot_recovery_cases import SHARED, load_cases

from scanner.ingest.normalise import normalise_release
from scanner.ingest.ocds import iter_file_releases
from scanner.ingest.tender import NormalisedTender
from scanner.services.split_export import assessment_dict, json_text, tender_context
from scanner.services.splitting import DraftError, read_draft
from scanner.splitter import assess, load_thresholds
from scanner.splitter.advice import advise, load_clauses

REPO = Path(__file__).resolve().parents[1]
THRESHOLDS = load_thresholds(REPO / "config" / "thresholds.toml")
CLAUSES = load_clauses(REPO / "config" / "clauses")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DRAFTS = REPO / "benchmarks" / "split_labels" / "drafts"
PROZORRO = Path("prozorro") / "prozorro_lviv_2026-10_release_package.json.gz"
GOAL = 1000


def drafts() -> list[NormalisedTender]:
    found = []
    for path in sorted(DRAFTS.glob("*")):
        try:
            found += [d.tender for d in read_draft(path)]
        except DraftError:
            continue
    return found


def prozorro(limit: int) -> list[NormalisedTender]:
    path = SHARED / "samples" / PROZORRO
    if not path.is_file():
        return []
    found = []
    for release in iter_file_releases(path):
        tender = normalise_release(release, source="bench")
        if len(tender.items) >= 2:
            found.append(tender)
            if len(found) >= limit:
                break
    return found


def assess_only(tender: NormalisedTender) -> Any:
    return assess(tender, now=NOW, thresholds=THRESHOLDS)


def check_answer(tender: NormalisedTender) -> str:
    """What `split check --json` computes for one draft, up to the printed text."""
    entry = assessment_dict(assess(tender, now=NOW, thresholds=THRESHOLDS))
    advised, _ = advise(entry, tender_context(tender), CLAUSES)
    return json_text(advised)


def rates(
    tenders: Sequence[NormalisedTender], work: Callable[[NormalisedTender], Any], seconds: float
) -> tuple[float, float]:
    """(per CPU second, per wall second) over at least `seconds` of wall time."""
    for tender in tenders[:5]:
        work(tender)  # warm caches (CPV labels, regular expressions)
    count = 0
    wall, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - wall < seconds:
        for tender in tenders:
            work(tender)
        count += len(tenders)
    return count / (time.process_time() - cpu), count / (time.perf_counter() - wall)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--prozorro", type=int, default=300, help="Prozorro tenders to use")
    args = parser.parse_args(argv)
    corpora = [("labelled drafts", drafts())]
    if (SHARED / "samples").is_dir():
        cases, _ = load_cases()
        corpora.append(("multi-lot tenders, lots hidden", [c.hidden() for c in cases]))
        corpora.append(("Prozorro, 2+ items", prozorro(args.prozorro)))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"split check speed on one core (Python {sys.version.split()[0]}; load {load} on "
        f"{os.cpu_count()} cores; goal {GOAL:,} assessments/s)"
    )
    print(f"  {'corpus':<32} {'n':>4}  {'assess /cpu-s':>13} {'check /cpu-s':>12} "
          f"{'check /wall-s':>13} {'check/assess':>12}")  # fmt: skip
    for name, tenders in corpora:
        if not tenders:
            print(f"  {name:<32} (not found)")
            continue
        base_cpu, _ = rates(tenders, assess_only, args.seconds)
        check_cpu, check_wall = rates(tenders, check_answer, args.seconds)
        print(
            f"  {name:<32} {len(tenders):>4}  {base_cpu:>13,.0f} {check_cpu:>12,.0f} "
            f"{check_wall:>13,.0f} {check_cpu / base_cpu:>12.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
