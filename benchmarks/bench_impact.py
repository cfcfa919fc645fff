"""Impact and integrity on the real Prozorro sample (5,446 tenders): what storing outcomes costs
the ingest, and how long the impact report and the flags take, beside baselines measured in the
same process.

    .venv/bin/python benchmarks/bench_impact.py [--repeat 3] [--sample PATH]

1. Ingest: the sample through `ingest_files` (the path `lotwise ingest` uses) into a fresh
   SQLite file, once with the outcome hook of the tender store replaced by a no-op (baseline:
   the store as it was before outcomes) and once as shipped; best of `--repeat`.
2. Impact: `services.impact.impact` (load every tender with its outcome, flags, figures per
   buyer and period, peers, the own loop) and `flag_list`, beside the baseline of only loading
   the tender records (`outcome_reads.tender_records`): best of `--repeat`.
Prints the machine load (`uptime`): absolute times are noisy on a shared machine, ratios less.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy.orm import Session  # noqa: E402

import scanner.storage.tenders as tender_store  # noqa: E402
from scanner.services import impact as service  # noqa: E402
from scanner.services.ingest import ingest_files  # noqa: E402
from scanner.storage import outcome_reads  # noqa: E402
from scanner.storage.database import make_engine, upgrade_schema  # noqa: E402

SHARED = Path(os.environ.get("LOTWISE_SHARED_DIR", ROOT.parent / "shared"))
SAMPLE = SHARED / "samples" / "prozorro" / "prozorro_lviv_2026-10_release_package.json.gz"


def now() -> datetime:
    return datetime.now(UTC)


def timed(run: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of this process, result)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def best(repeat: int, run: Callable[[], Any]) -> tuple[float, float, Any]:
    runs = [timed(run) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs), runs[-1][2]


def ingest_once(folder: Path, with_outcomes: bool) -> tuple[float, float, Any]:
    engine = make_engine(f"sqlite:///{folder / f'bench-{time.monotonic_ns()}.sqlite'}")
    upgrade_schema(engine)
    original = tender_store.store_outcomes
    if not with_outcomes:
        tender_store.store_outcomes = lambda *args, **kwargs: None  # type: ignore[assignment]
    try:
        wall, cpu, (outcome,) = timed(
            lambda: ingest_files(engine, [SAMPLE], source_name="prozorro", now=now)
        )
    finally:
        tender_store.store_outcomes = original
    assert outcome.ok and not outcome.result.errors, outcome.error
    return wall, cpu, engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    args = parser.parse_args()
    if not args.sample.exists():
        sys.exit(f"sample not found: {args.sample} (set LOTWISE_SHARED_DIR)")
    print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    config = service.load_config(
        ROOT / "config" / "integrity.toml", ROOT / "config" / "thresholds.toml"
    )
    with tempfile.TemporaryDirectory() as folder:
        base, shipped = [], []
        for _ in range(args.repeat):  # interleaved, so load changes hit both alike
            base.append(ingest_once(Path(folder), False))
            shipped.append(ingest_once(Path(folder), True))
        engine = shipped[-1][2]
        releases = 5446
        for label, index in (("wall", 0), ("CPU", 1)):
            without = min(r[index] for r in base)
            with_ = min(r[index] for r in shipped)
            print(
                f"ingest {releases} releases ({label}, best of {args.repeat}): without outcomes "
                f"{without:.2f} s ({releases / without:,.0f}/s), with outcomes {with_:.2f} s "
                f"({releases / with_:,.0f}/s), ratio {with_ / without:.2f}x"
            )

        def load() -> Any:
            with Session(engine) as session:
                return outcome_reads.tender_records(session, outcome_reads.RecordFilter())

        load_wall, load_cpu, records = best(args.repeat, load)
        impact_wall, impact_cpu, report = best(args.repeat, lambda: service.impact(engine, config))
        flags_wall, flags_cpu, flags = best(args.repeat, lambda: service.flag_list(engine, config))
        print(
            f"impact for {len(records)} tenders ({len(report['buyers'])} buyers): "
            f"{impact_wall:.2f} s wall, {impact_cpu:.2f} s CPU; flags ({len(flags['flags'])} "
            f"raised): {flags_wall:.2f} s wall, {flags_cpu:.2f} s CPU; baseline, loading the "
            f"records alone: {load_wall:.2f} s wall, {load_cpu:.2f} s CPU (impact / load "
            f"{impact_cpu / load_cpu:.2f}x CPU)"
        )
        overall = report["overall"]
        print(
            f"figures: competitive {overall['competitive_tenders']}, bid count known "
            f"{overall['bid_count_known']}, single bid {overall['single_bid_tenders']}, "
            f"direct {overall['direct_tenders']}, active awards {overall['awards']}; "
            f"flags by code {flags['counts']}"
        )
        for *_, used in (*base, *shipped):
            used.dispose()
    print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
