"""Case 6 of issue 19: crawls are bounded and honest, against a real HTTP server on loopback.

A redirect loop, a redirect to another host, a `links.next` cursor that comes back, and a
listing longer than the source's `max_pages` each become a page error row and a `partial`
run; none is `ok`. A host the source allows is followed."""

from __future__ import annotations

from typing import Any

from conftest import FAST, FIXTURES, Crawler, route

from scanner.demo.server import RecordedServer


def page(n: int, next_query: str | None) -> dict[str, Any]:
    releases = [
        {
            "ocid": f"ocds-b-{n}",
            "id": f"b{n}",
            "date": "2026-07-01T09:00:00Z",
            "tag": ["tender"],
            "tender": {"id": str(n), "title": f"Audit {n}", "status": "active"},
        }
    ]
    body: dict[str, Any] = {"releases": releases}
    if next_query is not None:
        body["links"] = {"next": "{base_url}/cursor/releases?" + next_query}
    return route(
        "/cursor/releases", body=body, template=True, **({"query": {"c": str(n)}} if n else {})
    )


RELEASE = {"ocid": "ocds-e-1", "id": "e1", "date": "2026-07-01T09:00:00Z", "tag": ["tender"],
           "tender": {"id": "1", "title": "Elsewhere", "status": "active"}}  # fmt: skip
MANIFEST = {
    "routes": [
        # a redirect loop: /loop/a -> /loop/b -> /loop/a
        route("/loop/a", status=302, headers={"Location": "/loop/b"}),
        route("/loop/b", status=302, headers={"Location": "{base_url}/loop/a"}, template=True),
        # a redirect from "localhost" to 127.0.0.1: another host
        route("/moved", status=301, headers={"Location": "{base_url}/elsewhere"}, template=True),
        route("/elsewhere", body={"releases": [RELEASE]}),
        # a cursor that comes back to page 1 after page 2, and a long listing for the cap
        page(2, "c=1"),
        page(1, "c=2"),
        page(0, "c=1"),
    ]
}


def sources(base_url: str) -> str:
    other = base_url.replace("127.0.0.1", "localhost")
    return f"""
[sources.loop]
url = "{base_url}/loop/a"
{FAST}

[sources.offhost]
url = "{other}/moved"
{FAST}

[sources.allowed]
url = "{other}/moved"
allowed_hosts = ["127.0.0.1"]
{FAST}

[sources.cursor]
url = "{base_url}/cursor/releases"
{FAST}

[sources.capped]
url = "{base_url}/cursor/releases"
max_pages = 2
{FAST}
"""


def test_loops_off_host_redirects_cursor_loops_and_the_page_cap_are_recorded(
    crawler: Crawler,
) -> None:
    with RecordedServer(MANIFEST, FIXTURES) as server:
        crawler.write_sources(sources(server.base_url))
        crawl = crawler.run("loop", "offhost", "allowed", "cursor", "capped")
    assert crawl.returncode in (0, 1), crawl.stderr[-3000:]
    expected = {
        "loop": "redirect loop: ",
        "offhost": "redirect to another host refused: ",
        "cursor": "links.next repeats a page already read, paging stopped: ",
        "capped": "page cap of 2 pages reached (the source's max_pages), not followed: ",
    }
    for source, reason in expected.items():
        finish = crawl.finish(source)
        assert finish["status"] in ("partial", "failed"), (source, finish)
        [error] = crawler.errors(source)
        assert error.reason.startswith(reason), (source, error.reason)
        assert [run.status for run in crawler.crawl_runs(source)] == [finish["status"]]
    assert len(crawler.tenders("offhost")) == 0  # nothing from the other host as its own
    assert crawl.finish("allowed")["status"] == "ok"
    [run] = crawler.crawl_runs("allowed")  # when its page came: "stale" counts from there
    assert run.started_at <= run.last_page_at <= run.finished_at
    assert len(crawler.tenders("allowed")) == 1
    assert len(crawler.tenders("cursor")) == 3  # pages 0, 1, 2 read once each
    assert len(crawler.tenders("capped")) == 2
