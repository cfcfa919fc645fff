"""Crawl throughput: a real spider subprocess against a recorded publisher on 127.0.0.1.

Serves 100 linked pages of 100 generated releases with `scanner.demo.server.RecordedServer`,
crawls them with `python -m spiders crawl` (the generic `ocds` spider, links paging, no delay,
one request at a time) into a fresh database, and prints wall time, releases/second and the
crawl process's peak memory. A second crawl of the same pages (every release unchanged) shows
the cost of a re-read. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bench_crawl.py [--pages 100] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

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
    peak_rss_mb: float
    returncode: int
    finish: dict[str, Any]
    log_tail: str


def write_fixtures(directory: Path, pages: int, seed: int) -> int:
    """Pages chained by `links.next` cursors and their manifest; returns the release count."""
    releases = generate_releases(pages * PAGE_SIZE, seed=seed)
    routes = []
    for number in range(1, pages + 1):
        chunk = releases[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        here = "{base_url}" + PATH + (f"?cursor={number}" if number > 1 else "")
        following = "{base_url}" + PATH + f"?cursor={number + 1}" if number < pages else None
        package = release_package(chunk, uri=here, published=chunk[0]["date"], next_url=following)
        body = f"page-{number}.json"
        (directory / body).write_bytes(encode_json(package))
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


def crawl(database_url: str, sources: Path) -> CrawlFigures:
    """One `python -m spiders crawl` process: wall time, peak RSS (its own, from wait4) and
    its finish event."""
    env = dict(os.environ, LOTWISE_DATABASE_URL=database_url, LOTWISE_SOURCES_FILE=str(sources))
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "spiders", "crawl", SOURCE],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    stdout, stderr = _drain(process)
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
        seconds, usage.ru_maxrss / 1024, process.returncode, finish, "\n".join(tail)
    )


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


def report(label: str, figures: CrawlFigures, releases: int) -> None:
    f = figures.finish
    print(
        f"{label:<22} {figures.seconds:>7.1f} s {releases / figures.seconds:>9,.0f} releases/s "
        f"{figures.peak_rss_mb:>8.0f} MB peak   status {f.get('status')}, pages {f.get('pages')}, "
        f"seen {f.get('seen')}, new {f.get('new')}, updated {f.get('updated')}, unchanged {f.get('unchanged')}, "
        f"errors {f.get('errors')}"
    )
    if figures.returncode != 0 or f.get("status") != "ok":
        print(f"  crawl exited {figures.returncode}; log tail:\n{figures.log_tail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args(argv)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"{os.cpu_count()} CPUs, load average {load}")
    with tempfile.TemporaryDirectory(prefix="lotwise-crawl-bench-") as tmp:
        directory = Path(tmp)
        releases = write_fixtures(directory, args.pages, args.seed)
        size = sum(p.stat().st_size for p in directory.glob("page-*.json")) / 1e6
        print(f"{args.pages} pages of {PAGE_SIZE} releases ({size:.1f} MB) served on 127.0.0.1")
        database_url = args.database_url or f"sqlite:///{directory / 'crawl.sqlite'}"
        engine = make_engine(database_url)
        upgrade_schema(engine)
        engine.dispose()
        with RecordedServer(directory / "manifest.json") as server:
            sources = sources_file(directory, server.base_url)
            report("first crawl", crawl(database_url, sources), releases)
            report("re-crawl (unchanged)", crawl(database_url, sources), releases)
            print(f"requests served: {len(server.requests)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
