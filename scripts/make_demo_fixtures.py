"""Regenerate the demo's recorded publisher responses in `scanner/demo/fixtures/`.

The fixtures are our own generated data (never copies of real notices), deterministic for a
seed, in the formats the demo crawls: Find a Tender release packages with cursor links,
Contracts Finder release packages in ISO-8859-1, a page-indexed Welsh portal serving record
packages with a total, and (scanner/demo/other_sources.py) a TED API search paged by a token in
the POST body, a SAM.gov search, an RSS feed and an HTML listing. `manifest.json` maps each request to its page for
`scanner.demo.server.RecordedServer`.

    .venv/bin/python scripts/make_demo_fixtures.py            # write the files
    .venv/bin/python scripts/make_demo_fixtures.py --check    # fail if they are out of date
"""

from __future__ import annotations

import argparse
import base64
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import ocdsmerge
import orjson

from scanner.demo.generate import Procedure, ReleaseGenerator
from scanner.demo.other_sources import build_other_sources, utc
from scanner.demo.packages import encode_json, encode_latin1, record_package, release_package

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "scanner" / "demo" / "fixtures"
SCHEMA = ROOT / "scanner" / "ingest" / "schema" / "release-schema.json"
SEED = 2026
PAGE_SIZE = 100
PORTAL_PAGE_SIZE = 25
TOTAL_KEY = "totalCount"
PUBLISHED = "2026-11-26T18:05:12+00:00"
FROM, TO = "2026-01-01T00:00:00", "2026-11-26T18:00:00"
FTS_PATH = "/api/1.0/ocdsReleasePackages"
CF_PATH = "/Published/Notices/OCDS/Search"
PORTAL_PATH = "/api/v1/records"
PORTAL_NAME = "Tendrau Cymru (demo portal)"
UTF8 = {"Content-Type": "application/json; charset=utf-8"}
LATIN1 = {"Content-Type": "application/json; charset=iso-8859-1"}


def build(seed: int) -> tuple[dict[str, bytes], dict[str, Any]]:
    """Every fixture file's bytes by relative path, and a summary of what they hold."""
    files: dict[str, bytes] = {}
    routes: list[dict[str, Any]] = []
    summary: dict[str, Any] = {}
    fts_procedures: list[Procedure] = []
    for name, path, params, flavour in (
        ("fts", FTS_PATH, f"updatedFrom={FROM}&updatedTo={TO}", "fts"),
        ("cf", CF_PATH, f"publishedFrom={FROM}&publishedTo={TO}", "cf"),
    ):
        procedures = ReleaseGenerator(seed, name).procedures()
        if name == "fts":
            fts_procedures = procedures
        summary[name] = _summary(procedures)
        releases = sorted(
            (r for p in procedures for r in p.releases), key=lambda r: r["date"], reverse=True
        )
        pages = [releases[i : i + PAGE_SIZE] for i in range(0, len(releases), PAGE_SIZE)]
        cursors = [""] + [_cursor(name, params, n) for n in range(1, len(pages))]
        first_route = None
        for n, page in enumerate(pages):
            query = f"{params}&limit={PAGE_SIZE}"
            uri = "{base_url}" + path + "?" + query + (f"&cursor={cursors[n]}" if n else "")
            next_url = None
            if n + 1 < len(pages):
                next_url = "{base_url}" + path + "?" + query + f"&cursor={cursors[n + 1]}"
            package = release_package(
                page, uri=uri, published=PUBLISHED, next_url=next_url, flavour=flavour
            )
            body_file = f"{name}/page-{n + 1}.json"
            files[body_file] = encode_latin1(package) if name == "cf" else encode_json(package)
            route = _route(path, {"cursor": cursors[n]} if n else {}, body_file, name == "cf")
            if n:
                routes.append(route)
            else:
                first_route = route
        assert first_route is not None
        routes.append(first_route)  # query {} matches every request: it must come last

    procedures = ReleaseGenerator(seed, "portal").procedures()
    summary["portal"] = _summary(procedures)
    merger = ocdsmerge.Merger(schema=str(SCHEMA))
    records = [
        {
            "ocid": p.ocid,
            "releases": p.releases,
            "compiledRelease": merger.create_compiled_release(p.releases),
        }
        for p in procedures
    ]
    pages = [records[i : i + PORTAL_PAGE_SIZE] for i in range(0, len(records), PORTAL_PAGE_SIZE)]
    pages.append([])  # a portal answers past its last page with an empty one
    for n, page in enumerate(pages, start=1):
        package = record_package(
            page,
            uri="{base_url}" + f"{PORTAL_PATH}?page={n}",
            published=PUBLISHED,
            publisher=PORTAL_NAME,
            total=len(records),
            total_key=TOTAL_KEY,
        )
        files[f"portal/page-{n}.json"] = encode_json(package)
        if n > 1:
            routes.append(_route(PORTAL_PATH, {"page": str(n)}, f"portal/page-{n}.json"))
    routes.append(_route(PORTAL_PATH, {}, "portal/page-1.json"))
    other = build_other_sources(seed, fts_procedures, utc(PUBLISHED))
    files.update(other.files)
    routes += other.routes
    summary.update(other.summary)
    manifest = {"generated_by": f"scripts/make_demo_fixtures.py --seed {seed}", "routes": routes}
    files["manifest.json"] = orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n"
    return files, summary


def _route(
    path: str, query: dict[str, str], body_file: str, latin1: bool = False
) -> dict[str, Any]:
    return {
        "method": "GET",
        "path": path,
        "query": query,
        "status": 200,
        "headers": LATIN1 if latin1 else UTF8,
        "body_file": body_file,
        "template": True,
        "fault": None,
        "times": None,
    }


def _cursor(name: str, params: str, page: int) -> str:
    """An opaque cursor like the live ones: base64 of the window and the next row number.
    The row number is nudged until the base64 has no `+` or `/`, which a query string would
    mangle."""
    row = 746_000 + 977 * page
    while True:
        window = params.replace("&", "|")
        text = (
            f"{window}|limit={PAGE_SIZE}|nextCursor={row}"
            if name == "cf"
            else f"{window}|nextCursor={row}"
        )
        cursor = base64.b64encode(text.encode()).decode()
        if "+" not in cursor and "/" not in cursor:
            return cursor
        row += 1


def _summary(procedures: list[Procedure]) -> dict[str, int]:
    outcomes = Counter(p.outcome for p in procedures)
    return {
        "tenders": len(procedures),
        "releases": sum(len(p.releases) for p in procedures),
        "multi_lot": sum(p.lots > 1 for p in procedures),
        "large_over_1m": sum(p.facts.value > 1_000_000 for p in procedures),
        "programmes": sum(p.kind == "programme" for p in procedures),
        "small_up_to_100k": sum(p.facts.value <= 100_000 for p in procedures),
        "multi_release_ocids": sum(len(p.releases) > 1 for p in procedures),
        "open": outcomes["open"] + outcomes["amended"],
        "awarded": outcomes["awarded"],
        "cancelled": outcomes["cancelled"],
        "planned": outcomes["planned"],
        "sme_suitable": sum(p.facts.sme for p in procedures),
        "vcse_suitable": sum(p.facts.vcse for p in procedures),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--check", action="store_true", help="fail if the files are out of date")
    args = parser.parse_args(argv)
    files, summary = build(args.seed)
    if args.check:
        stale = [p for p, data in files.items() if _read(FIXTURES / p) != data]
        extra = {str(p.relative_to(FIXTURES)) for p in _fixture_files()} - set(files)
        if stale or extra:
            print(f"out of date: {sorted(stale)}; not generated: {sorted(extra)}", file=sys.stderr)
            return 1
        print("demo fixtures are up to date")
        return 0
    for old in _fixture_files():
        old.unlink()
    for relative, data in files.items():
        target = FIXTURES / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    total = sum(len(data) for data in files.values())
    print(f"wrote {len(files)} files, {total / 1e6:.2f} MB, to {FIXTURES.relative_to(ROOT)}")
    for source, counts in summary.items():
        print(f"  {source:7} " + ", ".join(f"{key} {value}" for key, value in counts.items()))
    return 0


def _fixture_files() -> list[Path]:
    """What the script writes: every file under fixtures/ but the folder's own notes."""
    return [
        p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix in {".json", ".xml", ".html"}
    ]


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


if __name__ == "__main__":
    sys.exit(main())
