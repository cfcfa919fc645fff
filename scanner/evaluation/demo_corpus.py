"""The bundled demo corpus as normalised tenders, read straight from the recorded fixtures.

The labelled set in benchmarks/match_labels/ refers to these tenders by ocid (the source_key a
crawl stores), so tests and benchmarks can check and use it without crawling into a database.
Each procedure's releases are compiled and normalised the way `lotwise ingest` does. Only the
OCDS publishers' routes (fts, cf, portal) are read: the labels know nothing of the others.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from scanner.demo.server import load_routes
from scanner.ingest.normalise import normalise_release
from scanner.ingest.ocds import compile_releases, releases_in_package
from scanner.ingest.repair import parse_json_lenient
from scanner.ingest.tender import NormalisedTender

FIXTURES = Path(__file__).resolve().parents[1] / "demo" / "fixtures"
BASE_URL = "http://127.0.0.1:8765"  # any address: only notice links contain it
SOURCES = {
    "fts": "demo_find_a_tender",
    "cf": "demo_contracts_finder",
    "portal": "demo_tendrau_cymru",
}


def load_demo_tenders(fixtures: Path = FIXTURES) -> dict[str, NormalisedTender]:
    """Every demo procedure's current state, keyed by ocid, in the order the pages list them."""
    manifest = json.loads((fixtures / "manifest.json").read_text(encoding="utf-8"))["routes"]
    routes = load_routes(fixtures / "manifest.json", None)
    releases: dict[str, list[dict[str, Any]]] = defaultdict(list)
    source_of: dict[str, str] = {}
    for entry, route in zip(manifest, routes, strict=True):
        folder = str(entry.get("body_file") or "").split("/")[0]
        if folder not in SOURCES:
            continue  # the TED, SAM, feed and listing demo sources are not in the labelled set
        charset = route.headers["Content-Type"].split("charset=")[1]
        package = parse_json_lenient(route.body.decode(charset).replace("{base_url}", BASE_URL))
        for release in releases_in_package(package):
            releases[release["ocid"]].append(release)
            source_of.setdefault(release["ocid"], SOURCES[folder])
    return {
        ocid: normalise_release(
            compile_releases(sorted(found, key=lambda r: str(r["date"]))), source=source_of[ocid]
        )
        for ocid, found in releases.items()
    }
