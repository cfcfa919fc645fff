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

import scanner.storage.tenders as tender_store  # noqa: E402
from scanner.services import impact as service  # noqa: E402
from scanner.services.ingest import ingest_files  # noqa: E402
from scanner.storage import outcome_reads  # noqa: E402
from scanner.storage.database import make_engine, upgrade_schema  # noqa: E402

SHARED = Path(os.environ.get("LOTWISE_SHARED_DIR", ROOT.parent / "shared"))
SAMPLE = SHARED / "samples" / "prozorro" / "prozorro_lviv_2026-10_release_package.json.gz"


def now() -> datetime:
    return datetime.now(UTC)


def best(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def ingest_once(folder: Path, with_outcomes: bool) -> tuple[float, Any]:
    engine = make_engine(f"sqlite:///{folder / f'bench-{time.monotonic_ns()}.sqlite'}")
    upgrade_schema(engine)
    original = tender_store.store_outcomes
    if not with_outcomes:
        tender_store.store_outcomes = lambda *args, **kwargs: None  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        (outcome,) = ingest_files(engine, [SAMPLE], source_name="prozorro", now=now)
        elapsed = time.perf_counter() - start
    finally:
        tender_store.store_outcomes = original
    assert outcome.ok and not outcome.result.errors, outcome.error
    return elapsed, engine


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
        base = min(ingest_once(Path(folder), False)[0] for _ in range(args.repeat))
        runs = [ingest_once(Path(folder), True) for _ in range(args.repeat)]
        shipped, engine = min(runs, key=lambda r: r[0])
        releases = 5446
        print(
            f"ingest {releases} releases: without outcomes {base:.2f} s "
            f"({releases / base:,.0f}/s), with outcomes {shipped:.2f} s "
            f"({releases / shipped:,.0f}/s), ratio {shipped / base:.2f}x"
        )
        from sqlalchemy.orm import Session

        def load() -> Any:
            with Session(engine) as session:
                return outcome_reads.tender_records(session, outcome_reads.RecordFilter())

        load_time, records = best(args.repeat, load)
        impact_time, report = best(args.repeat, lambda: service.impact(engine, config))
        flags_time, flags = best(args.repeat, lambda: service.flag_list(engine, config))
        print(
            f"impact for {len(records)} tenders ({len(report['buyers'])} buyers): "
            f"{impact_time:.2f} s; flags ({len(flags['flags'])} raised): {flags_time:.2f} s; "
            f"baseline load of the records alone {load_time:.2f} s "
            f"(impact / load {impact_time / load_time:.2f}x)"
        )
        overall = report["overall"]
        print(
            f"figures: competitive {overall['competitive_tenders']}, bid count known "
            f"{overall['bid_count_known']}, single bid {overall['single_bid_tenders']}, "
            f"direct {overall['direct_tenders']}, active awards {overall['awards']}; "
            f"flags by code {flags['counts']}"
        )
        for _, engine in runs:
            engine.dispose()


if __name__ == "__main__":
    main()
