"""The crawl entry point: `python -m spiders crawl`, its exit codes and events, and
`scrapy list` in a checkout."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from conftest import FAST, REPO, Crawler, route

from scanner.demo.server import RecordedServer


def test_unknown_source_exits_1_naming_the_known_sources(sqlite_crawler: Crawler) -> None:
    sqlite_crawler.write_sources(
        '[sources.alpha]\nurl = "http://127.0.0.1:9/a"\n\n[sources.beta]\nurl = "http://127.0.0.1:9/b"\n'
    )
    crawl = sqlite_crawler.run("alpha", "gamma")
    assert crawl.returncode == 1
    assert crawl.events == []  # nothing was crawled
    assert "unknown source 'gamma'" in crawl.stderr
    assert "known sources: alpha, beta" in crawl.stderr


def test_invalid_sources_file_exits_1_naming_the_field(sqlite_crawler: Crawler) -> None:
    sqlite_crawler.write_sources('[sources.alpha]\npaging = "links"\n')
    crawl = sqlite_crawler.run("alpha")
    assert crawl.returncode == 1
    assert "source 'alpha': url: Field required" in crawl.stderr


def test_unknown_time_zone_exits_1_before_any_request(sqlite_crawler: Crawler) -> None:
    sqlite_crawler.write_sources(
        '[sources.alpha]\nurl = "http://127.0.0.1:9/a"\n'
        'dates = { from_param = "from", timezone = "Europe/Lundon" }\n'
    )
    crawl = sqlite_crawler.run("alpha")
    assert crawl.returncode == 1
    assert "source 'alpha': dates: unknown time zone 'Europe/Lundon'" in crawl.stderr


def test_usage_errors_exit_2(sqlite_crawler: Crawler) -> None:
    assert sqlite_crawler.run().returncode == 2  # no source named
    assert sqlite_crawler.run("alpha", since="last tuesday").returncode == 2


def test_scrapy_list_shows_the_spiders_in_a_checkout() -> None:
    listed = subprocess.run(
        [str(Path(sys.executable).with_name("scrapy")), "list"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    assert set(listed.stdout.split()) >= {"ocds", "find_a_tender", "contracts_finder"}


def test_interrupted_crawl_is_failed_keeps_the_mark_and_records_the_page(
    sqlite_crawler: Crawler,
) -> None:
    # The publisher asks for a 5-minute wait; Ctrl-C must not be held up by it.
    manifest = {"routes": [route("/busy", status=429, headers={"Retry-After": "300"}, body="")]}
    with RecordedServer(manifest) as server:
        sqlite_crawler.write_sources(
            f"""
[sources.busy]
url = "{server.base_url}/busy"
dates = {{ from_param = "from", to_param = "to", window_hours = 24 }}
{FAST}
"""
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "spiders", "crawl", "busy"],
            cwd=REPO,
            env=sqlite_crawler.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout is not None
        assert json.loads(process.stdout.readline())["event"] == "start"
        assert server.wait_for_requests(1)
        process.send_signal(signal.SIGINT)  # Ctrl-C: Scrapy shuts down gracefully
        rest = [json.loads(line) for line in process.stdout]
        assert process.wait(timeout=30) == 1

    (finish,) = [e for e in rest if e["event"] == "finish"]
    assert finish["status"] == "failed"
    assert "high-water mark kept" in finish["message"]
    assert sqlite_crawler.mark("busy") is None
    assert [run.status for run in sqlite_crawler.crawl_runs("busy")] == ["failed"]
    (error,) = sqlite_crawler.errors("busy")  # the page is retried by the next run
    assert error.status == 429
    assert error.url.startswith(f"{server.base_url}/busy?")
    assert "stopped while waiting" in error.reason
