"""Split assessments stored per second, on SQLite and PostgreSQL.

For the 360 tenders of the bundled demo fixtures and for a larger generated set, it stores the
releases (untimed), then times `refresh_assessments`: the first run (every tender new), a second
run (nothing to do: the incremental check alone), and a run after a rules-version change (every
tender stale). Beside it, in the same process and on the same tenders: `assess()` alone on
tenders already in memory (the floor: no database, no JSON), and the two ways of getting a
tender back from storage, rebuilding it from its columns (what refresh does) or re-normalising
its stored compiled release. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_split_store.py [--synthetic 5000] [--batch 250]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import gc
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_ingest import postgres_problem, postgres_schema, sqlite_file
from sqlalchemy import Engine

from scanner.demo.generate import generate_releases
from scanner.ingest.normalise import normalise_release
from scanner.ingest.ocds import releases_in_package
from scanner.ingest.repair import decode_body, parse_json_lenient
from scanner.services.splitting import refresh_assessments
from scanner.settings import DEFAULT_CONFIG_DIR, PROJECT_ROOT
from scanner.splitter import Thresholds, assess, load_thresholds
from scanner.storage import assessments as store
from scanner.storage.crawls import ensure_source
from scanner.storage.database import make_engine, upgrade_schema
from scanner.storage.tenders import store_releases

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
FIXTURES = PROJECT_ROOT / "scanner" / "demo" / "fixtures"
Dataset = dict[str, list[dict[str, Any]]]  # source name -> releases


@dataclass
class Row:
    dataset: str
    backend: str
    tenders: int
    first: float  # assessments stored per second, first refresh
    again_ms: float  # second refresh, nothing to do
    rules_change: float  # stored per second after a rules-version change
    floor: float  # assess() alone per second, tenders in memory
    rebuild: float  # tenders rebuilt from columns per second
    renormalise: float  # tenders re-normalised from raw per second
    suggested: int


def demo_dataset() -> Dataset:
    """The releases of the bundled demo pages, decoded as the spiders would."""
    data: Dataset = {}
    for source in ("fts", "cf", "portal"):
        for page in sorted((FIXTURES / source).glob("*.json")):
            document = parse_json_lenient(decode_body(page.read_bytes()))
            data.setdefault(source, []).extend(releases_in_package(document))
    return data


def load(engine: Engine, dataset: Dataset) -> None:
    upgrade_schema(engine)
    for source, releases in dataset.items():
        for start in range(0, len(releases), 500):
            with engine.begin() as conn:
                source_id = ensure_source(conn, name=source, kind="bench", url="x", now=NOW)
                store_releases(
                    conn,
                    source_id=source_id,
                    source_name=source,
                    releases=releases[start : start + 500],
                    now=NOW,
                )


def measure(
    name: str, backend: str, database: AbstractContextManager[str], dataset: Dataset, batch: int
) -> Row:
    thresholds = load_thresholds(DEFAULT_CONFIG_DIR / "thresholds.toml")
    with database as url:
        engine = make_engine(url)
        load(engine, dataset)
        count, rebuild, renormalise, floor = pure_rates(engine, thresholds)
        first = refresh_assessments(engine, thresholds=thresholds, now=NOW, batch_size=batch)
        again = refresh_assessments(engine, thresholds=thresholds, now=NOW, batch_size=batch)
        changed = replace_version(thresholds)
        after = refresh_assessments(engine, thresholds=changed, now=NOW, batch_size=batch)
        engine.dispose()
    return Row(
        dataset=name,
        backend=backend,
        tenders=count,
        first=first.per_second,
        again_ms=again.seconds * 1000,
        rules_change=after.per_second,
        floor=floor,
        rebuild=rebuild,
        renormalise=renormalise,
        suggested=first.should_split,
    )


def pure_rates(engine: Engine, thresholds: Thresholds) -> tuple[int, float, float, float]:
    """Tenders, then per second: rebuilt from columns, re-normalised from raw, assessed."""
    with engine.connect() as conn:
        stale = store.stale_tenders(
            conn, rules_version=thresholds.rules_version, after_id=0, limit=10**9
        )
    # Every stale row is in memory here (refresh holds one batch): without freezing them,
    # the garbage collector's full passes over them would dominate these timings.
    gc.collect()
    gc.freeze()
    try:
        rebuild, tenders = timed(lambda: [store.rebuild_tender(s) for s in stale])
        renormalise, _ = timed(
            lambda: [normalise_release(s.row["raw"], source=s.row["source_name"]) for s in stale]
        )
        floor, _ = timed(lambda: [assess(t, now=NOW, thresholds=thresholds) for t in tenders])
    finally:
        gc.unfreeze()
    count = len(stale)
    return count, count / rebuild, count / renormalise, count / floor


def replace_version(thresholds: Thresholds) -> Thresholds:
    return replace(thresholds, rules_version=thresholds.rules_version + "-bench")


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def backends(postgres_url: str, directory: Path) -> Iterator[tuple[str, Any]]:
    yield "SQLite", lambda: sqlite_file(directory)
    problem = postgres_problem(postgres_url)
    if problem:
        print(f"PostgreSQL skipped: {problem}")
        return
    yield "PostgreSQL", lambda: postgres_schema(postgres_url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=5000, help="generated releases")
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    args = parser.parse_args(argv)
    print(f"Python {platform.python_version()} on {platform.machine()}, batch {args.batch}")
    datasets = {
        "demo fixtures": demo_dataset(),
        f"generated {args.synthetic}": {"bench": generate_releases(args.synthetic)},
    }
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        for backend, database in backends(args.postgres_url, Path(directory)):
            for name, dataset in datasets.items():
                rows.append(measure(name, backend, database(), dataset, args.batch))
    print_table(rows)
    return 0


def print_table(rows: list[Row]) -> None:
    print()
    print(
        "| data | backend | tenders | refresh stored/s | vs assess() alone | second run | "
        "after rules change stored/s | assess() alone/s | rebuild from columns/s | "
        "re-normalise raw/s | suggest a split |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r.dataset} | {r.backend} | {r.tenders:,} | {r.first:,.0f} | "
            f"{r.floor / r.first:.2f}x | {r.again_ms:.0f} ms | {r.rules_change:,.0f} | "
            f"{r.floor:,.0f} | {r.rebuild:,.0f} | {r.renormalise:,.0f} | {r.suggested:,} |"
        )


if __name__ == "__main__":
    sys.exit(main())
