"""Impact and integrity pages in the app over HTTP: figures beside peers with SVG charts, flags
with their evidence and the "reason to look" notice on every page, printable case studies and
Markdown, CSV with formulas neutralised, the operator's coverage, and the API."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import Site
from outcome_fixtures import award, bid, party, release, write_package
from web_fixtures import NOW

from scanner.services.ingest import ingest_files

NOTICE = "A reason to look, not an accusation."
SCRIPT = "<script>alert(1)</script>"
FORMULA = "=cmd|' /C calc'!A0"


def _with_outcomes(site: Site, tmp_path: Path) -> None:
    """Award releases with outcomes beside the seeded tenders."""
    quay = party("GB-COH-0101", FORMULA, roles=["supplier"], ident="0101", scale="sme")
    rival = party("GB-COH-0202", SCRIPT, roles=["supplier"], ident="0202", scale="large")
    found = [
        release(
            900 + n,
            parties=[quay],
            awards=[award(f"A{n}", [("GB-COH-0101", FORMULA)], amount=98_000)],
            bids=[bid(f"B{n}", "valid", [("GB-COH-0101", FORMULA)])],
        )
        for n in range(3)
    ]
    found.append(
        release(
            950,
            value=300_000,
            lots=3,
            parties=[rival],
            statistics=[{"id": "1", "measure": "bids", "value": 4, "relatedLot": "1"}],
            awards=[award("A9", [("GB-COH-0202", SCRIPT)], amount=250_000)],
        )
    )
    (outcome,) = ingest_files(
        site.engine, [write_package(tmp_path / "awards.json", found)], source_name="awards",
        now=lambda: NOW,
    )  # fmt: skip
    assert outcome.ok


def test_officer_pages_show_figures_beside_peers_and_say_a_flag_is_no_accusation(
    site: Site, tmp_path: Path
) -> None:
    _with_outcomes(site, tmp_path)
    officer = site.client("officer")
    page = officer.get("/impact")
    assert page.status_code == 200, page.text[:500]
    assert NOTICE in page.text and "<svg" in page.text and "Peer median" in page.text
    assert "Riverside Council" in page.text and SCRIPT not in page.text

    buyer = officer.get("/impact", params={"buyer": "GB-GOR-1"})
    assert buyer.status_code == 200 and NOTICE in buyer.text
    assert (
        "beside the median of" in buyer.text
        and "Single bid in a competitive procedure" in buyer.text
    )
    assert officer.get("/impact", params={"buyer": "GB-NOBODY"}).status_code == 404
    assert officer.get("/impact", params={"since": "yesterday"}).status_code == 422

    flags = officer.get("/flags", params={"code": "single_bid"})
    assert flags.status_code == 200 and NOTICE in flags.text
    assert "cardinal R018" in flags.text and "tender.procurementMethod" in flags.text

    cases = officer.get("/impact/cases", params={"buyer": "GB-GOR-1"})
    assert cases.status_code == 200 and "Divided into lots" in cases.text
    assert "impact.css" in cases.text  # the print stylesheet hides navigation on paper
    markdown = officer.get("/impact/cases.md", params={"buyer": "GB-GOR-1"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "| bids per lot | 4.0 | unknown |" in markdown.text

    table = officer.get("/flags.csv").text
    rows = list(csv.reader(io.StringIO(table)))
    assert rows[0][0] == "tender_id" and len(rows) > 3
    impact_table = officer.get("/impact.csv").text
    assert f"'{FORMULA}" in impact_table and f",{FORMULA}" not in impact_table

    tender_id = json.loads(officer.get("/api/v1/flags", params={"code": "single_bid"}).text)[
        "flags"
    ][0]["tender_id"]
    tender_page = officer.get(f"/tenders/{tender_id}")
    assert "What happened" in tender_page.text and "Reasons to look" in tender_page.text
    public = site.client(None).get(f"/tenders/{tender_id}")  # the page digest links open
    assert "What happened" in public.text and "Reasons to look" not in public.text


def test_api_gives_the_same_objects_as_the_commands(site: Site, tmp_path: Path) -> None:
    _with_outcomes(site, tmp_path)
    officer = site.client("officer")
    report = officer.get("/api/v1/impact").json()
    assert {"buyers", "buyer_figures", "peers", "periods", "overall", "loop"} <= set(report)
    loop = report["loop"]
    assert loop["split_flagged"] > 0  # the seeded tenders were assessed
    assert loop["buyer_divided_later"] + loop["cannot_tell"] <= loop["split_flagged"]
    assert loop["matched_pairs"] > 0  # the seeded organisations were matched
    assert "cannot tell by identifier" in loop["matched_note"]
    flags = officer.get("/api/v1/flags").json()
    tender_id = next(row["tender_id"] for row in flags["flags"] if row["code"] == "single_bid")
    tender = officer.get(f"/api/v1/tenders/{tender_id}").json()
    assert tender["bid_count"] == 1 and tender["awards"][0]["suppliers"][0]["id"] == "GB-COH-0101"
    assert {f["code"] for f in tender["red_flags"]} >= {"single_bid"}
    assert "raw" not in tender
    cases = officer.get("/api/v1/impact/cases").json()
    assert cases["cases"] and "markdown" in cases


def test_coverage_is_for_operators_and_impact_for_staff(site: Site, tmp_path: Path) -> None:
    _with_outcomes(site, tmp_path)
    page = site.client("operator").get("/impact/coverage")
    assert page.status_code == 200 and "awards" in page.text and "<svg" in page.text
    assert "3 of 4" in page.text  # the awards source: three tenders with a bid count of four
    assert site.client("officer").get("/impact/coverage").status_code == 403
    assert site.client("org_a").get("/impact").status_code == 403
    assert site.client(None).get("/impact").status_code == 303
