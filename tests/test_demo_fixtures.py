"""The bundled demo fixtures: every page is served, the OCDS pages parse as OCDS in their
publisher's encoding and together hold the mix of tenders the demo is meant to show, and the
TED, SAM.gov, feed and listing pages are read by their own normalisers, a few TED notices
being cross-posts of Find a Tender procedures."""

from __future__ import annotations

import importlib.util
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from scrapy.http import HtmlResponse

from scanner.demo.server import Route, load_routes
from scanner.ingest.feeds import feed_entry_fields, normalise_feed_entry
from scanner.ingest.html_listing import ParseRules
from scanner.ingest.ocds import releases_in_package, strip_personal_data
from scanner.ingest.repair import parse_json_lenient
from scanner.ingest.sam import normalise_sam_opportunity
from scanner.ingest.ted_api import normalise_ted_notice

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "scanner" / "demo" / "fixtures"
MANIFEST = FIXTURES / "manifest.json"
BASE_URL = "http://127.0.0.1:8765"
OCDS_FOLDERS = ("fts", "cf", "portal")


def _folder(body_file: str) -> str:
    return body_file.split("/")[0]


def _page_text(route: Route) -> str:
    charset = route.headers["Content-Type"].split("charset=")[1]
    return route.body.decode(charset).replace("{base_url}", BASE_URL)


@pytest.fixture(scope="module")
def all_routes() -> dict[str, Route]:
    """Every route, keyed by its body file."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))["routes"]
    loaded = load_routes(MANIFEST, None)
    return {entry["body_file"]: route for entry, route in zip(manifest, loaded, strict=True)}


@pytest.fixture(scope="module")
def routes(all_routes: dict[str, Route]) -> list[Route]:
    """The OCDS publishers' routes, in manifest order."""
    return [r for body_file, r in all_routes.items() if _folder(body_file) in OCDS_FOLDERS]


@pytest.fixture(scope="module")
def packages(all_routes: dict[str, Route]) -> dict[str, dict[str, Any]]:
    """Each served OCDS page's package, keyed by its body file."""
    return {
        body_file: parse_json_lenient(_page_text(route))
        for body_file, route in all_routes.items()
        if _folder(body_file) in OCDS_FOLDERS
    }


@pytest.fixture(scope="module")
def tenders(packages: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Every ocid's releases (from all sources), oldest first."""
    by_ocid: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for package in packages.values():
        for release in releases_in_package(package):
            by_ocid[release["ocid"]].append(release)
    return {ocid: sorted(rs, key=lambda r: r["date"]) for ocid, rs in by_ocid.items()}


def test_every_body_file_of_the_manifest_exists() -> None:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    missing = [
        r["body_file"] for r in manifest["routes"] if not (FIXTURES / r["body_file"]).is_file()
    ]
    assert manifest["routes"] and not missing
    on_disk = {str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.*")} - {"manifest.json"}
    assert on_disk == {r["body_file"] for r in manifest["routes"]}, "unserved fixture files"


def test_every_route_is_reachable_by_its_own_request(all_routes: dict[str, Route]) -> None:
    """The server answers with the first matching route: a generic route listed before a
    specific one would shadow it and make its page unreachable."""
    every = list(all_routes.values())
    for index, route in enumerate(every):
        query = {key: [value] for key, value in route.query.items()}
        query["limit"] = ["100"]  # extra parameters the spiders add must not change the match
        body = b'{"query": "...", "iterationNextToken": "%s"}' % (route.body_contains or b"")
        first = next(r for r in every if r.matches(route.method, route.path, query, body))
        assert first is route, f"route {index} ({route.path} {route.query}) is shadowed"


def test_following_links_and_pages_reaches_every_page(
    routes: list[Route], packages: dict[str, dict[str, Any]]
) -> None:
    served: set[int] = set()
    for path in {r.path for r in routes}:
        start = {"page": ["1"]} if path.endswith("/records") else {"updatedFrom": ["2026-01-01"]}
        queue = [start]
        while queue:
            query = queue.pop()
            index, route = next(
                (i, r) for i, r in enumerate(routes) if r.matches("GET", path, query)
            )
            package = parse_json_lenient(_page_text(route))
            if index in served:
                continue
            served.add(index)
            next_url = (package.get("links") or {}).get("next")
            if next_url:
                assert next_url.startswith(BASE_URL + path)
                queue.append(parse_qs(urlsplit(next_url).query))
            elif package.get("records"):
                page = int(query["page"][0])
                queue.append({"page": [str(page + 1)]})
    assert served == set(range(len(routes)))


def test_pages_are_ocds_packages_in_their_publishers_encoding(routes: list[Route]) -> None:
    for route in routes:
        content_type = route.headers["Content-Type"]
        if route.path.startswith("/Published/"):  # Contracts Finder: ISO-8859-1 with £ signs
            assert content_type.endswith("charset=iso-8859-1")
            assert "£" in route.body.decode("iso-8859-1")
            with pytest.raises(UnicodeDecodeError):
                route.body.decode("utf-8")
        else:
            assert content_type.endswith("charset=utf-8")
            route.body.decode("utf-8")
        package = parse_json_lenient(_page_text(route))
        assert package["version"] == "1.1" and package["license"]
        if route.path.endswith("/records"):
            assert package["totalCount"] == 60
            assert all("compiledRelease" in record for record in package["records"])
        else:
            assert len(package["releases"]) <= 100
            assert len(releases_in_package(package)) == len(package["releases"])


def test_fixtures_hold_the_planned_mix(tenders: dict[str, list[dict[str, Any]]]) -> None:
    latest = [releases[-1] for releases in tenders.values()]
    releases = sum(len(r) for r in tenders.values())
    multi_lot = [r for r in latest if len(r["tender"].get("lots", [])) >= 3]
    large = [r for r in latest if _amount(r["tender"]) > 1_000_000]
    small = [r for r in latest if _amount(r["tender"]) <= 100_000]
    statuses = {r["tender"]["status"] for r in latest}
    assert 300 <= len(tenders) <= 400 and 400 <= releases <= 520
    assert len(multi_lot) >= 40 and max(len(r["tender"]["lots"]) for r in multi_lot) >= 10
    assert len(large) >= 60 and len(small) >= 100
    assert sum(len(r) > 1 for r in tenders.values()) >= 80
    assert {"active", "complete", "cancelled", "planned"} <= statuses
    open_deadlines = [
        r["tender"]["tenderPeriod"]["endDate"] for r in latest if r["tender"]["status"] == "active"
    ]
    assert min(open_deadlines) >= "2027-03-01"


def test_fixtures_keep_the_real_feeds_quirks(routes: list[Route]) -> None:
    fts = b"".join(r.body for r in routes if r.path == "/api/1.0/ocdsReleasePackages")
    cf = "".join(r.body.decode("iso-8859-1") for r in routes if r.path.startswith("/Published/"))
    assert fts.count(b'"maximumLotsBidPerSupplier":1e9999') >= 20
    assert b'"amount":"' in fts  # amounts published as strings
    assert "&pound;" in cf and "<p>" in cf and "&nbsp;" in cf
    assert b'"contactPoint":{"name":' in fts and '"contactPoint":{"name":' in cf
    cf_pages = [_page_text(r) for r in routes if r.path.startswith("/Published/")]
    public = [strip_personal_data(parse_json_lenient(page)) for page in cf_pages]
    assert "é" in json.dumps(public, ensure_ascii=False)  # accents beyond the stripped contacts


def test_committed_fixtures_match_the_generator() -> None:
    spec = importlib.util.spec_from_file_location(
        "make_demo_fixtures", ROOT / "scripts" / "make_demo_fixtures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    files, _summary = module.build(module.SEED)
    stale = [path for path, data in files.items() if (FIXTURES / path).read_bytes() != data]
    assert not stale, "run: .venv/bin/python scripts/make_demo_fixtures.py"


def test_other_sources_are_read_by_their_normalisers(all_routes: dict[str, Route]) -> None:
    by_folder: dict[str, list[Route]] = defaultdict(list)
    for body_file, route in all_routes.items():
        by_folder[_folder(body_file)].append(route)
    notices = [n for r in by_folder["ted"] for n in json.loads(_page_text(r))["notices"]]
    ted = [normalise_ted_notice(n, source="demo_ted") for n in notices]
    sam = [
        normalise_sam_opportunity(o, source="demo_sam")
        for r in by_folder["sam"]
        for o in json.loads(_page_text(r))["opportunitiesData"]
    ]
    feed = feedparser.parse(_page_text(by_folder["feed"][0]))
    entries = [
        normalise_feed_entry(feed_entry_fields(e), source="demo_feed", rules=ParseRules())
        for e in feed.entries
    ]
    rows = [
        row
        for r in by_folder["listing"]
        for row in HtmlResponse(url=BASE_URL, body=r.body, encoding="utf-8").css(
            "table.tenders tbody tr"
        )
    ]
    counts = (len(ted), len(sam), len(entries), len(rows))
    assert counts == (30, 24, 20, 20)
    assert all(t.title for t in [*ted, *sam, *entries])
    assert len({t.source_key for t in ted}) == 30 and len({t.source_key for t in sam}) == 24
    # The TED pages are chained by the token the server matches in the POST body.
    pages = [json.loads(_page_text(r)) for r in by_folder["ted"]]
    tokens = {p["iterationNextToken"] for p in pages} - {None}
    assert {r.body_contains.decode() for r in by_folder["ted"] if r.body_contains} == tokens


def test_some_ted_notices_are_cross_posts_of_open_find_a_tender_procedures(
    all_routes: dict[str, Route], tenders: dict[str, list[dict[str, Any]]]
) -> None:
    fts = {
        releases[-1]["tender"]["title"]: releases[-1]
        for ocid, releases in tenders.items()
        if releases[-1]["tender"]["status"] == "active"
    }
    notices = [
        normalise_ted_notice(n)
        for body_file, route in all_routes.items()
        if _folder(body_file) == "ted"
        for n in json.loads(_page_text(route))["notices"]
    ]
    crossed = [n for n in notices if n.title in fts]
    assert 3 <= len(crossed) <= 10
    for notice in crossed:
        release = fts[notice.title]
        assert notice.buyer_name == release["buyer"]["name"]
        assert notice.value_amount == _amount(release["tender"])


def _amount(tender: dict[str, Any]) -> Decimal:
    amount = (tender.get("value") or {}).get("amount")
    return Decimal(str(amount)) if amount is not None else Decimal(0)
