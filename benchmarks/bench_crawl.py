"""Crawl throughput: a real spider subprocess against a recorded publisher on 127.0.0.1.

Serves 100 linked pages of 100 generated releases with `scanner.demo.server.RecordedServer`,
crawls them with `python -m spiders crawl` (the generic `ocds` spider, links paging, no delay,
one request at a time) into a fresh database, then again (every release unchanged), and prints
wall time, CPU time, releases/second and peak memory of each crawl process over interleaved
rounds. Optionally beside it, in the same rounds: a first crawl into PostgreSQL, the same crawls
from another Lotwise checkout (`--baseline-root`), and Kingfisher Collect from a checkout given
by path (`--kingfisher`; not a dependency: skipped with the reason when absent), as shipped and
without Scrapy 2.16's 0.1 s wait before each callback. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_crawl.py [--pages 100] [--rounds N] [--postgres-url URL]
        [--baseline-root PATH] [--kingfisher PATH [--kingfisher-python PY]] [--profile FILE]
"""

from __future__ import annotations

import argparse
import io
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from bench_ingest import postgres_problem, postgres_schema, sqlite_file

from scanner.demo.generate import generate_releases
from scanner.demo.packages import encode_json, release_package
from scanner.demo.server import RecordedServer
from scanner.storage.database import make_engine, upgrade_schema

ROOT = Path(__file__).resolve().parent.parent
PATH = "/api/ocds/releases"
SOURCE = "bench_ocds"
PAGE_SIZE = 100


@dataclass
class CrawlFigures:
    seconds: float
    cpu_seconds: float  # user + system time of the crawl process (from wait4)
    peak_rss_mb: float  # VmHWM of the crawl process
    returncode: int
    finish: dict[str, Any]
    log_tail: str


def write_fixtures(directory: Path, pages: int, seed: int, *, valid_json: bool = False) -> int:
    """Pages chained by `links.next` cursors and their manifest; returns the release count.

    With `valid_json` the invalid `1e9999` Find a Tender publishes is written `null`: other
    crawlers stop at the first page that strict JSON parsers refuse."""
    releases = generate_releases(pages * PAGE_SIZE, seed=seed)
    routes = []
    for number in range(1, pages + 1):
        chunk = releases[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        here = "{base_url}" + PATH + (f"?cursor={number}" if number > 1 else "")
        following = "{base_url}" + PATH + f"?cursor={number + 1}" if number < pages else None
        package = release_package(chunk, uri=here, published=chunk[0]["date"], next_url=following)
        body = f"page-{number}.json"
        data = encode_json(package)
        if valid_json:
            data = data.replace(b":1e9999", b":null")
        (directory / body).write_bytes(data)
        route = {
            "method": "GET",
            "path": PATH,
            "query": {"cursor": str(number)} if number > 1 else {},
            "status": 200,
            "headers": {"Content-Type": "application/json; charset=utf-8"},
            "body_file": body,
            "template": True,
        }
        routes.append(route)
    routes.append(routes.pop(0))  # the first page matches any query: last
    (directory / "manifest.json").write_bytes(orjson.dumps({"routes": routes}))
    return len(releases)


def sources_file(directory: Path, base_url: str) -> Path:
    path = directory / "sources.toml"
    path.write_text(
        f"""[sources.{SOURCE}]
spider = "ocds"
url = "{base_url}{PATH}"
paging = "links"

[sources.{SOURCE}.politeness]
concurrency = 1
delay = 0.0
autothrottle = false
""",
        encoding="utf-8",
    )
    return path


def crawl(database_url: str, sources: Path, root: Path = ROOT) -> CrawlFigures:
    """One `python -m spiders crawl` process run from the checkout `root` (its `spiders` and
    `scanner` come first on the path): wall time, CPU time and peak RSS (its own, from wait4)
    and its finish event."""
    env = dict(os.environ, LOTWISE_DATABASE_URL=database_url, LOTWISE_SOURCES_FILE=str(sources))
    env["PYTHONPATH"] = str(root)
    return run_process([sys.executable, "-m", "spiders", "crawl", SOURCE], root, env)


PROFILED_CRAWL = """\
import cProfile, sys
from scanner.batch_gc import set_batch_threshold
set_batch_threshold()
from spiders.run import main
cProfile.run("main(['crawl', sys.argv[2]])", sys.argv[1])
"""


def profile_crawl(database_url: str, sources: Path, out: Path) -> str:
    """cProfile of one crawl process (as `python -m spiders` runs it, less the fast exit)."""
    env = dict(os.environ, LOTWISE_DATABASE_URL=database_url, LOTWISE_SOURCES_FILE=str(sources))
    run_process([sys.executable, "-c", PROFILED_CRAWL, str(out), SOURCE], ROOT, env)
    text = io.StringIO()
    stats = pstats.Stats(str(out), stream=text).strip_dirs()
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    return text.getvalue()


def run_process(command: list[str], cwd: Path, env: dict[str, str]) -> CrawlFigures:
    """Run `command` to the end: wall time, its own rusage, and the last `finish` event on
    its stdout (Lotwise's JSON lines; none for other crawlers)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    peak = PeakMemory(process.pid)
    stdout, stderr = _drain(process)
    peak.stop()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    finish: dict[str, Any] = {}
    for line in stdout.splitlines():
        if line.startswith(b"{"):
            event = orjson.loads(line)
            if event.get("event") == "finish":
                finish = event
    tail = stderr.decode("utf-8", "replace").splitlines()[-15:]
    return CrawlFigures(
        seconds,
        usage.ru_utime + usage.ru_stime,
        peak.megabytes or usage.ru_maxrss / 1024,
        process.returncode,
        finish,
        "\n".join(tail),
    )


class PeakMemory:
    """The process's own peak resident memory, from `VmHWM` in /proc (polled until it exits).

    `ru_maxrss` from wait4 would do, but Linux carries the parent's high-water mark into a
    child across fork and exec: every crawl would read at least this benchmark's size."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.path = Path(f"/proc/{pid}/status")
        self.megabytes = 0.0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, args=(interval,), daemon=True)
        self.thread.start()

    def _poll(self, interval: float) -> None:
        while not self.done.is_set():
            try:
                for line in self.path.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.megabytes = max(self.megabytes, int(line.split()[1]) / 1024)
            except (OSError, ValueError):
                return  # exited (a zombie has no VmHWM line: the last reading stands)
            self.done.wait(interval)

    def stop(self) -> None:
        self.done.set()
        self.thread.join()


def _drain(process: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """Read both pipes to the end without reaping the child (wait4 reaps it, with its rusage)."""
    stdout, stderr = process.stdout, process.stderr
    assert stdout is not None and stderr is not None
    err: list[bytes] = []
    reader = threading.Thread(target=lambda: err.append(stderr.read()))
    reader.start()
    out = stdout.read()
    reader.join()
    return out, err[0] if err else b""


KINGFISHER_SPIDER = """\
import scrapy

from kingfisher_scrapy.base_spiders import LinksSpider
from kingfisher_scrapy.util import parameters


class LotwiseBench(LinksSpider):
    \"\"\"The benchmark's publisher: release packages of 100 linked by `links.next`.\"\"\"

    name = "lotwise_bench"
    data_type = "release_package"
    formatter = staticmethod(parameters("cursor"))

    async def start(self):
        yield scrapy.Request({url!r}, meta={{"file_name": "page-1.json"}})
"""
# Scrapy 2.16 (Kingfisher's pin) waits `scrapy.utils.defer._DEFER_DELAY` (0.1 s) before each
# callback; 2.19 (Lotwise's) no longer does. Set to 0 before Scrapy starts, in the process only.
KINGFISHER_RUN = """\
import sys

import scrapy.utils.defer

if sys.argv[1] == "nodelay":
    scrapy.utils.defer._DEFER_DELAY = 0
from scrapy.cmdline import execute

execute(["scrapy", "runspider", sys.argv[2], "--loglevel", "WARNING"])
"""


@dataclass
class Kingfisher:
    """A Kingfisher Collect checkout and the interpreter of its own environment."""

    checkout: Path
    python: Path

    @classmethod
    def find(cls, checkout: str | None, python: str | None) -> tuple[Kingfisher | None, str]:
        """The checkout, or None and the reason it is not measured."""
        if not checkout:
            return None, "no --kingfisher PATH given"
        path = Path(checkout).resolve()
        if not (path / "kingfisher_scrapy" / "base_spiders").is_dir():
            return None, f"{path} is not a Kingfisher Collect checkout (no kingfisher_scrapy/)"
        candidates = [Path(python)] if python else [
            path / ".venv/bin/python", path / "venv/bin/python", path.parent / "venv/bin/python"
        ]  # fmt: skip
        for candidate in candidates:
            if candidate.exists():
                check = subprocess.run(
                    [str(candidate), "-c", "import scrapy, kingfisher_scrapy"],
                    cwd=path, capture_output=True, text=True,
                )  # fmt: skip
                if check.returncode == 0:
                    return cls(path, candidate), ""
                return None, f"{candidate} cannot import Kingfisher: {check.stderr.strip()[-300:]}"
        return None, "no Python environment with Kingfisher's requirements (--kingfisher-python)"

    def crawl(self, directory: Path, url: str, mode: str) -> CrawlFigures:
        """Kingfisher as shipped (its settings, pipelines and file store) on `url`."""
        spider = directory / "lotwise_bench_spider.py"
        spider.write_text(KINGFISHER_SPIDER.format(url=url), encoding="utf-8")
        runner = directory / "kingfisher_run.py"
        runner.write_text(KINGFISHER_RUN, encoding="utf-8")
        store = directory / f"kingfisher-files-{mode}"
        env = dict(os.environ, FILES_STORE=str(store), PYTHONPATH=str(self.checkout))
        figures = run_process(
            [str(self.python), str(runner), mode, str(spider)], self.checkout, env
        )
        files = list(store.rglob("*.json"))
        stored = sum(f.read_bytes().count(b'"ocid":') for f in files)
        figures.finish = {"status": "ok" if figures.returncode == 0 else "failed",
                          "pages": len(files), "seen": stored}  # fmt: skip
        shutil.rmtree(store, ignore_errors=True)
        return figures


def report(label: str, runs: list[CrawlFigures], releases: int, baseline: float | None) -> None:
    walls = [r.seconds for r in runs]
    cpus = [r.cpu_seconds for r in runs]
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    ratio = f"{wall / baseline:>5.2f}x" if baseline else "     "
    last = runs[-1].finish
    print(
        f"{label:<44} {min(walls):>6.2f} / {wall:>6.2f} s {cpu:>6.2f} s {ratio} "
        f"{max(r.peak_rss_mb for r in runs):>5.0f} MB {releases / wall:>8,.0f}/s  "
        f"pages {last.get('pages')}, seen {last.get('seen')}, new {last.get('new', '-')}, "
        f"updated {last.get('updated', '-')}, unchanged {last.get('unchanged', '-')}, "
        f"errors {last.get('errors', '-')}"
    )
    for figures in runs:
        if figures.returncode != 0 or figures.finish.get("status") != "ok":
            print(f"  crawl exited {figures.returncode}; log tail:\n{figures.log_tail}")
            break


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds of each crawl")
    parser.add_argument("--postgres-url", help="also crawl into a fresh schema of this database")
    parser.add_argument(
        "--profile", metavar="FILE", help="cProfile one first crawl (SQLite) into FILE, print it"
    )
    parser.add_argument(
        "--baseline-root", metavar="PATH", help="also crawl with this Lotwise checkout (e.g. main)"
    )
    parser.add_argument("--kingfisher", metavar="PATH", help="a Kingfisher Collect checkout")
    parser.add_argument("--kingfisher-python", metavar="PATH", help="its environment's python")
    args = parser.parse_args(argv)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load}")
    kingfisher, why_not = Kingfisher.find(args.kingfisher, args.kingfisher_python)
    if kingfisher is None:
        print(f"Kingfisher Collect not measured: {why_not}")
    postgres = None
    if args.postgres_url:
        problem = postgres_problem(args.postgres_url)
        if problem:
            print(f"PostgreSQL not measured: {problem}")
        else:
            postgres = args.postgres_url
    runs: dict[str, list[CrawlFigures]] = {}
    with tempfile.TemporaryDirectory(prefix="lotwise-crawl-bench-") as tmp:
        directory = Path(tmp)
        valid = kingfisher is not None
        releases = write_fixtures(directory, args.pages, args.seed, valid_json=valid)
        size = sum(p.stat().st_size for p in directory.glob("page-*.json")) / 1e6
        print(
            f"{args.pages} pages of {PAGE_SIZE} releases ({size:.1f} MB) served on 127.0.0.1"
            + (", `1e9999` written null (Kingfisher cannot parse it)" if valid else "")
        )
        with RecordedServer(directory / "manifest.json") as server:
            sources = sources_file(directory, server.base_url)
            for _ in range(args.rounds):
                with sqlite_file(directory) as url:
                    migrate(url)
                    runs.setdefault("first", []).append(crawl(url, sources))
                    runs.setdefault("again", []).append(crawl(url, sources))
                if args.baseline_root:
                    base = Path(args.baseline_root).resolve()
                    with sqlite_file(directory) as url:
                        migrate(url)
                        runs.setdefault("base-first", []).append(crawl(url, sources, base))
                        runs.setdefault("base-again", []).append(crawl(url, sources, base))
                if postgres:
                    with postgres_schema(postgres) as url:
                        migrate(url)
                        runs.setdefault("postgres", []).append(crawl(url, sources))
                    if args.baseline_root:
                        with postgres_schema(postgres) as url:
                            migrate(url)
                            runs.setdefault("base-postgres", []).append(
                                crawl(url, sources, Path(args.baseline_root).resolve())
                            )
                if kingfisher is not None:
                    first = server.base_url + PATH
                    for mode in ("shipped", "nodelay"):
                        runs.setdefault(mode, []).append(kingfisher.crawl(directory, first, mode))
            if args.profile:
                with sqlite_file(directory) as url:
                    migrate(url)
                    print(profile_crawl(url, sources, Path(args.profile)))
            print(f"requests served: {len(server.requests)}")
    if not runs:
        return 0
    baseline = statistics.median(r.seconds for r in runs["nodelay"]) if "nodelay" in runs else None
    print(f"\n{'crawl (' + str(max(1, args.rounds)) + ' rounds, interleaved)':<44} "
          f"{'wall min / median':>17} {'CPU':>8} {'ratio':>6} {'peak':>8}")  # fmt: skip
    labels = {
        "first": "Lotwise, first crawl into SQLite",
        "postgres": "Lotwise, first crawl into PostgreSQL",
        "again": "Lotwise, re-crawl, all unchanged (SQLite)",
        "base-first": "baseline checkout, first crawl into SQLite",
        "base-postgres": "baseline checkout, first crawl into PostgreSQL",
        "base-again": "baseline checkout, re-crawl (SQLite)",
        "shipped": "Kingfisher Collect as shipped",
        "nodelay": "Kingfisher Collect, 0.1 s callback delay removed",
    }
    for key, label in labels.items():
        if key in runs:
            report(label, runs[key], releases, baseline)
    if baseline and "first" in runs:
        kf_cpu = statistics.median(r.cpu_seconds for r in runs["nodelay"])
        print("\nratios to Kingfisher without the delay (median wall, median CPU):")
        for key in ("first", "postgres", "again", "base-first", "base-postgres", "base-again"):
            if key in runs:
                wall = statistics.median(r.seconds for r in runs[key]) / baseline
                cpu = statistics.median(r.cpu_seconds for r in runs[key]) / kf_cpu
                print(f"  {labels[key]:<44} wall {wall:.2f}x, CPU {cpu:.2f}x")
    return 0


def migrate(url: str) -> None:
    engine = make_engine(url)
    upgrade_schema(engine)
    engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
