"""Latency of the officer's list page, a tender's page, an organisation's matches and the API's
tender listing with 100,000 tenders stored, under 16 concurrent clients on loopback, on SQLite
and PostgreSQL.

Set-up (untimed): 300 generated releases go through the real ingest, split refresh and profile
import, and the real matching refresh ranks each organisation's top 20 among them; their
tender and assessment rows are then copied (new keys, values scaled, scores kept) up to
`--tenders` rows, and each organisation's stored matches are moved to random copies of their
tenders (same content, same score) through the match store's own replace: matching all
100,000 did not finish in 45 minutes, and the page reads the same 20 rows whatever the corpus
(PostgreSQL is then vacuumed and analysed, as autovacuum leaves a table at rest). The server is `lotwise serve` in its own process
(uvicorn); an officer signs in once and 16 threads share the session cookie, each with its own
httpx connection. Measured beside it, against the same server and in this process: `/healthz`
(a page that only asks the database `SELECT 1`: the HTTP + framework floor) and the list and
tender queries called in-process without HTTP. Beside each page's latencies it prints the
server process's CPU time per request (user + system, read from /proc before and after the
page's batch): unlike latency, it hardly depends on the machine's load.

`--keep DIR` keeps the databases (a SQLite file in DIR, a PostgreSQL schema `bench_web_keep`)
and reuses them on the next run, skipping the set-up. `--baseline-tree DIR` serves the same
databases from another checkout too (e.g. `git archive main | tar -x -C DIR`, under its own `.venv` when it has one), the two servers'
batches interleaved page by page in the same run. `--workers 1,2` serves this checkout once
per count of worker processes (`LOTWISE_WEB_WORKERS`), interleaved too; CPU time per request
then counts the workers' time.

    .venv/bin/python benchmarks/bench_web.py [--tenders 100000] [--clients 16] [--requests 800]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--sqlite-only]
        [--postgres-only] [--keep DIR [--keep-schema NAME]] [--baseline-tree DIR] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from bench_ingest import postgres_problem, postgres_schema, sqlite_file
from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session

from scanner.demo.generate import generate_releases
from scanner.models import Match, Organisation, SplitAssessment, Tender
from scanner.services.impact import load_config
from scanner.services.ingest import ingest_files
from scanner.services.matching import MatchingConfig, refresh_matches
from scanner.services.organisations import import_organisations
from scanner.services.splitting import refresh_assessments
from scanner.services.tender_page import tender_page_data
from scanner.services.users import add_user
from scanner.services.web_officer import OfficerFilter, list_flagged
from scanner.settings import DEFAULT_CONFIG_DIR, PROJECT_ROOT
from scanner.splitter import load_thresholds
from scanner.storage import matches as match_store
from scanner.storage.database import make_engine, upgrade_schema

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
KEPT_SCHEMA = "bench_web_keep"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
PASSWORD = "benchmark password"
LIST_QUERIES = (
    "", "sort=value", "sort=deadline&page=3", "band=1m-10m", "min_score=0.8", "show=all&page=40",
    "buyer=council", "cpv=72", "region=UKI", "show=all&sort=published&per_page=50",
)  # fmt: skip
API_QUERIES = (
    "", "page=20", "search=council", "search=software", "search=school+meals",
    "per_page=200", "source=find_a_tender&page=3",
)  # fmt: skip


def build(engine: Engine, tenders: int, workdir: Path) -> list[int]:
    """The database: real ingest + assessment + matching for a seed, then copies of its rows."""
    package = workdir / "seed.json"
    package.write_text(json.dumps({"uri": "x", "releases": generate_releases(300)}))
    ingest_files(engine, [package], source_name="find_a_tender", now=lambda: NOW)
    refresh_assessments(
        engine, thresholds=load_thresholds(DEFAULT_CONFIG_DIR / "thresholds.toml"), now=NOW
    )
    import_organisations(engine, PROJECT_ROOT / "scanner" / "demo" / "organisations.toml", now=NOW)
    add_user(engine, "officer@bench.example", "officer", PASSWORD, now=NOW)
    # Matched by the real refresh among the seed's tenders (matching 100,000 did not finish in
    # 45 minutes on PostgreSQL); each organisation's ranked rows are spread over the copies
    # below, so the page reads as many rows, scattered over the whole table.
    config = MatchingConfig.load(
        DEFAULT_CONFIG_DIR / "matching.toml", DEFAULT_CONFIG_DIR / "rates.toml"
    )
    refresh_matches(engine, config, now=NOW)
    with engine.connect() as conn:
        seed_matches = [dict(r) for r in match_store.stored_matches(conn)]
    tender_cols = [c.name for c in Tender.__table__.columns if c.name != "id"]
    split_cols = [
        c.name for c in SplitAssessment.__table__.columns if c.name not in ("id", "tender_id")
    ]
    with engine.connect() as conn:
        seed_rows = [dict(r._mapping) for r in conn.execute(select(Tender.__table__))]
        assessed = {
            r.tender_id: dict(r._mapping) for r in conn.execute(select(SplitAssessment.__table__))
        }
        next_id = int(conn.scalar(select(func.max(Tender.id))) or 0) + 1
    rng = random.Random(2026)
    batch_t: list[dict[str, Any]] = []
    batch_a: list[dict[str, Any]] = []
    made = len(seed_rows)
    copies: dict[int, list[int]] = {row["id"]: [row["id"]] for row in seed_rows}
    while made < tenders:
        source = seed_rows[made % len(seed_rows)]
        copies[source["id"]].append(next_id)
        scale = Decimal(rng.choice(("0.5", "0.8", "1", "1.5", "3")))
        row = {c: source[c] for c in tender_cols}
        row.update(id=next_id, source_key=f"{source['source_key']}-copy-{made}",
                   ocid=f"{source['ocid']}-c{made}",
                   value_amount=source["value_amount"] * scale if source["value_amount"] else None)  # fmt: skip
        batch_t.append(row)
        if source["id"] in assessed:
            a = {c: assessed[source["id"]][c] for c in split_cols}
            a["tender_id"] = next_id
            if a["aggregated_value"] is not None:
                a["aggregated_value"] = a["aggregated_value"] * scale
            batch_a.append(a)
        next_id += 1
        made += 1
        if len(batch_t) == 5000 or made == tenders:
            with engine.begin() as conn:
                conn.execute(insert(Tender), batch_t)
                if batch_a:
                    conn.execute(insert(SplitAssessment), batch_a)
            batch_t, batch_a = [], []
    spread_matches(engine, seed_matches, copies, rng)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('tenders','id'), (SELECT max(id) FROM tenders))"
            )
        # What autovacuum does to a table at rest: statistics and the visibility map (without
        # which a count over an index still reads the table).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    with engine.connect() as conn:
        return list(conn.scalars(select(SplitAssessment.tender_id)))


def spread_matches(
    engine: Engine,
    seed_matches: list[dict[str, Any]],
    copies: dict[int, list[int]],
    rng: random.Random,
) -> None:
    """Each organisation's matches moved to random copies of their tenders (same content,
    so the same score), stored through the match store's own replace."""
    columns = {c.name for c in Match.__table__.columns} - {"id"}
    by_org: dict[int, list[dict[str, Any]]] = {}
    for match in seed_matches:
        tender_id = rng.choice(copies[match["tender_id"]])
        kind, _, rest = match["opportunity_id"].partition(":")
        part = rest.partition(":")[2]
        row = {c: match[c] for c in columns}
        row["tender_id"] = tender_id
        row["opportunity_id"] = f"{kind}:{tender_id}" + (f":{part}" if part else "")
        by_org.setdefault(match["organisation_id"], []).append(row)
    for organisation_id, rows in by_org.items():
        with engine.begin() as conn:
            match_store.replace_matches(conn, organisation_id, rows)


def organisation_slugs(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(Organisation.slug).order_by(Organisation.slug)))


def serve(
    database_url: str, port: int, tree: Path | None = None, workers: int = 1
) -> subprocess.Popen[bytes]:
    """`lotwise serve` from this checkout, or from `tree` (another checkout, with its own
    `.venv` when it has one), over the database, with `workers` processes."""
    env = {
        **os.environ,
        "LOTWISE_DATABASE_URL": database_url,
        "LOTWISE_BASE_URL": f"http://127.0.0.1:{port}",
        "LOTWISE_WEB_WORKERS": str(workers),
    }
    python = sys.executable
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
        if (tree / ".venv" / "bin" / "python").exists():  # the checkout's own packages
            python = str(tree / ".venv" / "bin" / "python")
    process = subprocess.Popen(
        [python, "-c", "from scanner.cli.main import main; main()", "serve",
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=tree or PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 180  # worker processes import everything first
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(
        f"server did not start: {process.stderr.read().decode()[-2000:] if process.stderr else ''}"
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds so far of a process and its live descendants (its worker
    processes), from Linux /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        total += sum(cpu_seconds(int(child)) for child in task.read_text().split())
    return total


def sign_in(base: str) -> httpx.Cookies:
    with httpx.Client(base_url=base, timeout=60) as client:  # Argon2 on a loaded machine
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text)
        assert token
        response = client.post(
            "/signin",
            data={
                "email": "officer@bench.example",
                "password": PASSWORD,
                "csrf_token": token.group(1),
            },
        )
        assert response.status_code == 303, response.text
        return client.cookies


def load(
    base: str, cookies: httpx.Cookies, paths: list[str], clients: int
) -> tuple[list[float], float]:
    """Latencies (ms) of `paths`, shared among `clients` threads, each with its own
    connection, and the wall-clock seconds the whole batch took."""
    latencies: list[float] = []
    lock = threading.Lock()
    queue = list(reversed(paths))

    def worker() -> None:
        with httpx.Client(base_url=base, cookies=cookies, timeout=60) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    path = queue.pop()
                started = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{path}: HTTP {response.status_code}")
                with lock:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - started


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def in_process(engine: Engine, ids: list[int], n: int) -> tuple[float, float]:
    """Median ms of the list query and of a tender page's data, without HTTP."""
    rng = random.Random(1)

    def timed(call: Callable[[], object]) -> float:
        started = time.perf_counter()
        call()
        return (time.perf_counter() - started) * 1000

    with Session(engine) as session:
        lists = [
            timed(lambda: list_flagged(session, OfficerFilter(page=rng.randint(1, 20))))
            for _ in range(n)
        ]
        config = load_config(
            DEFAULT_CONFIG_DIR / "integrity.toml", DEFAULT_CONFIG_DIR / "thresholds.toml"
        )
        # What a tender's page reads on a first read (its buyer's flags once per kind).
        one = [
            timed(lambda t=tender_id: tender_page_data(session, t, config))
            for tender_id in rng.sample(ids, n)
        ]
    return statistics.median(lists), statistics.median(one)


PAGES = (
    "/healthz (floor)",
    "officer list /tenders",
    "tender page /tenders/ID",
    "organisation matches (API)",
    "API tender listing",
)


def page_paths(engine: Engine, ids: list[int], n: int) -> list[list[str]]:
    """The requests of each page in PAGES, the same for every server measured."""
    rng = random.Random(7)
    slugs = organisation_slugs(engine)
    return [
        ["/healthz"] * n,
        [f"/tenders?{rng.choice(LIST_QUERIES)}" for _ in range(n)],
        [f"/tenders/{rng.choice(ids)}" for _ in range(n)],
        [f"/api/v1/organisations/{rng.choice(slugs)}/matches" for _ in range(n)],
        [f"/api/v1/tenders?{rng.choice(API_QUERIES)}" for _ in range(n)],
    ]


def prepare(engine: Engine, args: argparse.Namespace, workdir: Path) -> list[int]:
    """The assessed tenders' ids, building the database first unless a kept one is ready."""
    with engine.connect() as conn:
        stored = conn.scalar(select(func.count()).select_from(Tender))
    if stored != args.tenders:
        if stored:
            raise SystemExit(f"the kept database holds {stored:,} tenders, not {args.tenders:,}")
        started = time.perf_counter()
        build(engine, args.tenders, workdir)
        print(f"set-up {time.perf_counter() - started:.0f} s")
    with engine.connect() as conn:
        return list(
            conn.scalars(select(SplitAssessment.tender_id).order_by(SplitAssessment.tender_id))
        )


def run(backend: str, url: str, args: argparse.Namespace, workdir: Path) -> None:
    engine = make_engine(url)
    upgrade_schema(engine)
    ids = prepare(engine, args, workdir)
    print(f"\n{backend}: {args.tenders:,} tenders, {len(ids):,} assessed")
    servers: list[tuple[str, Path | None, int]] = [
        (f"this checkout, {n} worker{'s' if n > 1 else ''}", None, n) for n in args.workers
    ]
    if args.baseline_tree:
        servers.insert(0, ("baseline", args.baseline_tree, 1))
    started = []
    try:
        for label, tree, workers in servers:
            port = 18000 + random.randint(0, 999)
            process = serve(url, port, tree, workers)
            base = f"http://127.0.0.1:{port}"
            started.append((label, process, base, httpx.Cookies()))
            started[-1] = (label, process, base, sign_in(base))
        for _, _, base, cookies in started:  # warm-up
            load(base, cookies, ["/tenders", f"/tenders/{ids[0]}"] * 16, args.clients)
        results: dict[str, list[tuple[list[float], float, float]]] = {
            lab: [] for lab, *_ in started
        }
        for paths in page_paths(engine, ids, args.requests):
            for label, process, base, cookies in started:  # interleaved page by page
                cpu = cpu_seconds(process.pid)
                latencies, wall = load(base, cookies, paths, args.clients)
                cpu_ms = (cpu_seconds(process.pid) - cpu) * 1000 / len(paths)
                results[label].append((latencies, wall, cpu_ms))
    finally:
        for _, process, *_ in started:
            process.terminate()
            process.wait(timeout=30)
    list_ms, tender_ms = in_process(engine, ids, 50)
    engine.dispose()
    load_avg = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"load average after the run: {load_avg}")
    for label, rows in results.items():
        print(f"{label}:")
        print(
            f"{'page':<28}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'req/s':>10}{'CPU ms/req':>12}"
        )
        for name, (values, wall, cpu_ms) in zip(PAGES, rows, strict=True):
            print(
                f"{name:<28}{pct(values, 50):>10.1f}{pct(values, 95):>10.1f}"
                f"{max(values):>10.0f}{len(values) / wall:>10.0f}{cpu_ms:>12.2f}"
            )
    print(
        f"in-process, no HTTP, one client: list query {list_ms:.1f} ms, tender page data {tender_ms:.1f} ms (median)"
    )


@contextmanager
def kept_sqlite(folder: Path) -> Iterator[str]:
    folder.mkdir(parents=True, exist_ok=True)
    yield f"sqlite:///{folder / 'bench_web.sqlite'}"


@contextmanager
def kept_postgres(url: str, schema: str = KEPT_SCHEMA) -> Iterator[str]:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", schema):
        raise SystemExit(f"--keep-schema: {schema!r} is not a plain lower-case name")
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    admin.dispose()
    separator = "&" if "?" in url else "?"
    yield f"{url}{separator}options=-csearch_path%3D{schema}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenders", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument(
        "--postgres-url", default=os.environ.get("LOTWISE_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    )
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument(
        "--keep", type=Path, help=f"keep the databases here and in schema {KEPT_SCHEMA}; reuse them"
    )
    parser.add_argument(
        "--keep-schema",
        default=KEPT_SCHEMA,
        help="the PostgreSQL schema --keep uses (another name when another run keeps its own)",
    )
    parser.add_argument(
        "--baseline-tree", type=Path, help="another checkout served too, interleaved page by page"
    )
    parser.add_argument(
        "--workers",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[1],
        help="worker processes of this checkout's server; a list (1,2) serves each, interleaved",
    )
    args = parser.parse_args(argv)
    print(
        f"{args.tenders:,} tenders, {args.clients} concurrent clients, {args.requests} requests per page; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        if not args.postgres_only:
            with kept_sqlite(args.keep) if args.keep else sqlite_file(workdir) as url:
                run("SQLite", url, args, workdir)
        if args.sqlite_only:
            return 0
        problem = postgres_problem(args.postgres_url)
        if problem:
            print(f"PostgreSQL skipped: {problem}")
            return 0
        with (
            kept_postgres(args.postgres_url, args.keep_schema)
            if args.keep
            else postgres_schema(args.postgres_url) as url
        ):
            run("PostgreSQL", url, args, workdir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
