"""Concurrent writers (issue 19, case 4): N pairs of `lotwise ingest` x `lotwise ingest` and of
`lotwise crawl` x `lotwise crawl`, on SQLite and PostgreSQL; prints failures and duplicates.

    .venv/bin/python benchmarks/bench_concurrency.py [--pairs 100] [--postgres-url URL]
        [--only ingest|crawl] [--skip-postgres] [--skip-sqlite]

Two worker processes (spawned, each with its own engine) meet at a barrier before every pair and
then run, at once, what the CLI command runs, against one database, for a source that does not
exist yet (a new name per pair, so every pair races `ensure_source` and the upserts):

- ingest x ingest: two files of the same 60 tenders (3 lots and an award each) in two versions;
  both sides must store their file (`ingest_files` then the refresh, as `lotwise ingest`).
- crawl x crawl: two crawls of the same source, a recorded publisher on 127.0.0.1 (3 linked
  pages of 100 releases). Crawls of one source are serialised by its lease (docs/operations.md):
  `crawl_and_refresh` (as `lotwise crawl`, the scheduler and the operator page) either runs
  after the first (nothing new) or, while the first holds the lease, returns `busy` at once
  (`lotwise crawl` then exits 1 with "source '...' is being crawled by ... Try again when it
  has finished."). That refusal is the documented behaviour and is counted as `busy`, not as
  a failure. Any other outcome (`partial` too: the publisher is healthy), or a run not `ok`,
  is a failure.

After the pairs the database is checked for duplicates by the natural keys (sources by name,
tenders by source and ocid, releases by source, ocid, id and date, lots by tender and lot id,
awards by tender and award id) and for losses (tenders of the pair's source != expected).
Asserts nothing; the exit status is 1 when any pair failed or left a duplicate.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from bench_crawl import PAGE_SIZE, PATH, write_fixtures
from bench_ingest import postgres_problem, postgres_schema, sqlite_file
from sqlalchemy import Engine, text

from scanner.demo.generate import generate_releases
from scanner.demo.server import RecordedServer
from scanner.storage.database import make_engine, upgrade_schema

ROOT = Path(__file__).resolve().parent.parent
TENDERS = 60
CRAWL_PAGES = 3
SEED = 19
BUSY = "is being crawled by"
#: The tenders a whole crawl stores: one per ocid of the recorded pages.
CRAWL_TENDERS = len({r["ocid"] for r in generate_releases(CRAWL_PAGES * PAGE_SIZE, seed=SEED)})

DUPLICATE_QUERIES = {
    "sources": "SELECT count(*) FROM (SELECT name FROM sources GROUP BY name HAVING count(*) > 1) d",
    "tenders": "SELECT count(*) FROM (SELECT source_id, source_key FROM tenders"
    " GROUP BY source_id, source_key HAVING count(*) > 1) d",
    "releases": "SELECT count(*) FROM (SELECT source_id, ocid, release_id, date_key FROM releases"
    " GROUP BY source_id, ocid, release_id, date_key HAVING count(*) > 1) d",
    "lots": "SELECT count(*) FROM (SELECT tender_id, lot_id FROM lots"
    " GROUP BY tender_id, lot_id HAVING count(*) > 1) d",
    "awards": "SELECT count(*) FROM (SELECT tender_id, award_id FROM awards"
    " WHERE award_id IS NOT NULL GROUP BY tender_id, award_id HAVING count(*) > 1) d",
}


def release(n: int, version: int) -> dict[str, object]:
    lots = [{"id": f"L{k}", "title": f"Lot {k} v{version}", "status": "active"} for k in range(3)]
    return {
        "ocid": f"ocds-bc-{n}",
        "id": f"ocds-bc-{n}-{version}",
        "date": f"2026-10-0{version}T09:00:00Z",
        "tag": ["tender", "award"],
        "tender": {
            "id": str(n),
            "title": f"Audit {n} v{version}",
            "status": "active",
            "lots": lots,
        },
        "awards": [{"id": "A1", "status": "active", "suppliers": [{"name": "Acme"}]}],
    }


def worker(
    what: str,
    database_url: str,
    sources: str,
    files: list[str],
    pairs: int,
    barrier: Any,
    results: Any,
) -> None:
    """One side of every pair: waits at `barrier` for the other side, then runs what the CLI
    command runs (`lotwise ingest`: ingest_files then the refresh; `lotwise crawl`:
    crawl_and_refresh, which starts the crawl child) and reports (pair, outcome, detail)."""
    from scanner.services.crawl_cycle import crawl_and_refresh
    from scanner.services.ingest import ingest_files
    from scanner.services.refresh import refresh_after_store
    from scanner.settings import Settings

    os.environ["LOTWISE_DATABASE_URL"] = database_url
    os.environ["LOTWISE_SOURCES_FILE"] = sources
    settings = Settings()
    engine = make_engine(
        database_url,
        connect_timeout=settings.database_connect_timeout,
        statement_timeout=settings.database_statement_timeout,
    )
    now = lambda: datetime.now(UTC)  # noqa: E731
    for pair in range(pairs):
        barrier.wait()
        try:
            if what == "ingest":
                outcomes = ingest_files(
                    engine, [Path(f) for f in files], source_name=f"ingest-{pair}", now=now
                )
                refresh_after_store(settings, engine, now=now())
                errors = [o.error for o in outcomes if not o.ok]
                results.put((pair, "failed" if errors else "ok", "; ".join(map(str, errors))))
            else:
                report = crawl_and_refresh(settings, engine, [f"crawl_{pair}"], clock=now)
                why = "; ".join(o.message or o.status for o in report.outcomes if o.message)
                detail = report.message or why or report.log_tail[-300:]
                results.put((pair, report.status, detail))  # partial is a failure here
        except Exception as exc:  # counted as a failure of the pair
            results.put((pair, "failed", f"{type(exc).__name__}: {exc}"[:300]))
    engine.dispose()


def run_pairs(
    what: str, database_url: str, sources: Path, files: list[Path], pairs: int, tally: Tally
) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    args = (what, database_url, str(sources), [str(f) for f in files], pairs, barrier, results)
    started = time.perf_counter()
    sides = [context.Process(target=worker, args=args) for _ in range(2)]
    for side in sides:
        side.start()
    for done in range(1, 2 * pairs + 1):
        pair, outcome, detail = results.get(timeout=900)
        if outcome == "busy":
            tally.busy += 1
        elif outcome != "ok":
            tally.failures.append(f"{what}-{pair}: {outcome}: {detail}")
        if done % 20 == 0:  # a long run shows where it is
            print(f"  ... {done // 2} pairs, {len(tally.failures)} failures", flush=True)
    for side in sides:
        side.join()
    tally.seconds = time.perf_counter() - started
    tally.pairs = pairs
    engine = make_engine(database_url)
    try:
        tally.duplicates += duplicates(engine)
        for pair in range(pairs):
            source, expected = (
                (f"ingest-{pair}", TENDERS)
                if what == "ingest"
                else (f"crawl_{pair}", CRAWL_TENDERS)
            )
            found = tenders_of(engine, source)
            if found != expected:
                tally.losses += 1
                tally.loss_detail.append(f"{source}: {found} tenders, expected {expected}")
            if what == "crawl":
                for status in bad_runs(engine, source):
                    tally.failures.append(f"crawl_{pair}: a run ended {status!r}")
    finally:
        engine.dispose()


def duplicates(engine: Engine) -> Counter[str]:
    found: Counter[str] = Counter()
    with engine.connect() as conn:
        for table, query in DUPLICATE_QUERIES.items():
            found[table] += int(conn.execute(text(query)).scalar() or 0)
    return found


def tenders_of(engine: Engine, source: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM tenders JOIN sources ON sources.id = tenders.source_id"
                    " WHERE sources.name = :name"
                ),
                {"name": source},
            ).scalar()
            or 0
        )


def bad_runs(engine: Engine, source: str) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT crawl_runs.status FROM crawl_runs JOIN sources"
                " ON sources.id = crawl_runs.source_id WHERE sources.name = :name"
            ),
            {"name": source},
        ).scalars()
        return [status for status in rows if status != "ok"]


class Tally:
    def __init__(self) -> None:
        self.pairs = 0
        self.failures: list[str] = []
        self.busy = 0
        self.duplicates: Counter[str] = Counter()
        self.losses = 0
        self.loss_detail: list[str] = []
        self.seconds = 0.0

    def line(self, name: str) -> str:
        dupes = sum(self.duplicates.values())
        detail = ", ".join(f"{k} {v}" for k, v in self.duplicates.items() if v) or "none"
        return (
            f"{name:<28} pairs {self.pairs:>4}  failures {len(self.failures):>3}"
            f"  duplicates {dupes:>3} ({detail})  losses {self.losses:>3}"
            f"  busy {self.busy:>3}  {self.seconds:6.1f} s"
        )


def crawl_sources(directory: Path, base_url: str, pairs: int) -> Path:
    path = directory / "sources.toml"
    blocks = []
    for pair in range(pairs):
        blocks.append(
            f"""[sources.crawl_{pair}]
spider = "ocds"
url = "{base_url}{PATH}"
paging = "links"

[sources.crawl_{pair}.politeness]
concurrency = 1
delay = 0.0
autothrottle = false
"""
        )
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


@contextmanager
def database(kind: str, directory: Path, postgres_url: str) -> Iterator[str]:
    manager = sqlite_file(directory) if kind == "sqlite" else postgres_schema(postgres_url)
    with manager as url:
        engine = make_engine(url)
        upgrade_schema(engine)
        engine.dispose()
        yield url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("LOTWISE_TEST_POSTGRES_URL")
        or "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    )
    parser.add_argument("--only", choices=("ingest", "crawl"))
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args(argv)
    kinds = [] if args.skip_sqlite else ["sqlite"]
    if not args.skip_postgres:
        problem = postgres_problem(args.postgres_url)
        if problem:
            print(f"PostgreSQL skipped: {problem}")
        else:
            kinds.append("postgresql")
    print(
        f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1 and 5 min), cpus {os.cpu_count()}"
    )
    bad = 0
    with tempfile.TemporaryDirectory(prefix="bench-concurrency-") as tmp:
        directory = Path(tmp)
        write_fixtures(directory, CRAWL_PAGES, seed=SEED, valid_json=True)
        with RecordedServer(directory / "manifest.json") as server:
            sources = crawl_sources(directory, server.base_url, args.pairs)
            files = []
            for version in (1, 2):
                files.append(directory / f"v{version}.json")
                releases = [release(n, version) for n in range(TENDERS)]
                files[-1].write_bytes(orjson.dumps({"releases": releases}))
            for kind in kinds:
                for what in ("ingest", "crawl"):
                    if args.only and args.only != what:
                        continue
                    tally = Tally()
                    with database(kind, directory, args.postgres_url) as url:
                        run_pairs(what, url, sources, files, args.pairs, tally)
                    print(tally.line(f"{what} x {what} on {kind}"), flush=True)
                    for failure in tally.failures[:10] + tally.loss_detail[:5]:
                        print(f"    {failure}")
                    bad += len(tally.failures) + sum(tally.duplicates.values()) + tally.losses
    print(
        f"run {uuid.uuid4().hex[:6]} done: {'0 failures, 0 duplicates' if not bad else f'{bad} problems'}"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
