"""The same on the other real samples: Contracts Finder and Find a Tender award releases
through the OCDS ingest, eForms result notices through the tender store the TED pipeline uses.
Expected values are read from the raw files here, independently of Lotwise's readers."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from outcome_fixtures import NOW
from required import SHARED_DIR, require_shared
from schema_template import migrate
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scanner.ingest.eforms import parse_eforms_notice
from scanner.models import Award, Tender, TenderOutcome
from scanner.services import impact as service
from scanner.services.ingest import ingest_files
from scanner.settings import PROJECT_ROOT
from scanner.storage import crawls
from scanner.storage.tenders import store_tenders

SAMPLES = SHARED_DIR / "samples"
CF = SAMPLES / "contracts-finder" / "cf_ocds_search_2022-10-20_first42releases.json"
FTS = SAMPLES / "find-a-tender" / "fts_release_package_limit4_2026-10-06.json"
EFORMS_NS = {
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def _config() -> Any:
    return service.load_config(
        PROJECT_ROOT / "config" / "integrity.toml", PROJECT_ROOT / "config" / "thresholds.toml"
    )


def _latest_awards(releases: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """ocid -> award id -> the award as its latest release published it."""
    found: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for release in sorted(releases, key=lambda r: r["date"]):
        parties = {p["id"]: p for p in release.get("parties", [])}
        for award in release.get("awards", []):
            ids = []
            for supplier in award.get("suppliers", []):
                identifier = parties.get(supplier["id"], {}).get("identifier", {})
                ids.append(
                    f"{identifier['scheme']}-{identifier['id']}"
                    if identifier.get("scheme") and identifier.get("id")
                    else supplier["id"]
                )
            found[release["ocid"]][award["id"]] = {
                "status": award.get("status"),
                "value": (award.get("value") or {}).get("amount")
                or (award.get("value") or {}).get("amountGross"),
                "suppliers": ids,
                "identified": [
                    bool(parties.get(s["id"], {}).get("identifier", {}).get("scheme"))
                    for s in award.get("suppliers", [])
                ],
            }
    return found


@pytest.mark.parametrize("path", [CF, FTS], ids=["contracts_finder", "find_a_tender"])
def test_uk_award_releases_give_the_published_awards(engine: Engine, path: Path) -> None:
    releases = json.loads(require_shared(path).read_text(encoding="utf-8"))["releases"]
    (outcome,) = ingest_files(engine, [path], source_name="uk", now=lambda: NOW)
    assert outcome.ok and outcome.result.errors == []
    expected = _latest_awards(releases)
    with Session(engine) as session:
        ids = dict(session.execute(select(Tender.ocid, Tender.id)).all())
        for ocid, awards in expected.items():
            got = service.tender_outcome(session, ids[ocid], None)["awards"]
            assert len(got) == len(awards), ocid
            want = sorted(
                (a["status"], Decimal(str(a["value"])), a["suppliers"]) for a in awards.values()
            )
            have = sorted(
                (a["status"], Decimal(a["value_amount"]), [s["id"] for s in a["suppliers"]])
                for a in got
            )
            assert have == want, ocid
    coverage = {row["source"]: row for row in service.coverage(engine)}["uk"]
    unidentified = sum(
        not flag
        for awards in expected.values()
        for a in awards.values()
        for flag in a["identified"]
    )
    assert coverage["suppliers_without_identifier"] == unidentified
    report = service.impact(engine, _config())
    methods = {
        r["ocid"]: r["tender"].get("procurementMethod")
        for r in sorted(releases, key=lambda r: r["date"])
    }
    assert report["overall"]["tenders"] == len(methods)
    assert report["overall"]["competitive_tenders"] == sum(
        m in ("open", "selective") for m in methods.values()
    )
    assert report["overall"]["direct_tenders"] == sum(
        m in ("direct", "limited") for m in methods.values()
    )


def test_find_a_tender_bid_statistics_are_the_bid_count(engine: Engine) -> None:
    releases = json.loads(require_shared(FTS).read_text(encoding="utf-8"))["releases"]
    ingest_files(engine, [FTS], source_name="fts", now=lambda: NOW)
    expected = {}
    for release in releases:
        stats = (release.get("bids") or {}).get("statistics", [])
        bids = [s["value"] for s in stats if s["measure"] == "bids"]
        lots = release["tender"].get("lots", [])
        expected[release["ocid"]] = bids[0] if len(bids) == 1 and len(lots) <= 1 else None
    with Session(engine) as session:
        got = dict(
            session.execute(
                select(Tender.ocid, TenderOutcome.bid_count).join(
                    TenderOutcome, TenderOutcome.tender_id == Tender.id
                )
            ).all()
        )
    assert got == expected and any(v is not None for v in expected.values())


def _eforms_samples() -> list[Any]:
    found = sorted((SAMPLES / "multi-lot-eforms").glob("*_can*.xml"))
    return found or [
        pytest.param(None, marks=pytest.mark.skip(reason=f"no samples under {SAMPLES}"))
    ]


@pytest.mark.parametrize("path", _eforms_samples(), ids=lambda p: getattr(p, "stem", "none"))
def test_eforms_result_notices_give_winners_and_tender_counts(sqlite_url: str, path: Path) -> None:
    from scanner.storage.database import make_engine

    engine = make_engine(sqlite_url)
    migrate(engine)
    data = require_shared(path).read_bytes()
    root = ET.fromstring(data)
    result = root.find(".//efac:NoticeResult", EFORMS_NS)
    assert result is not None
    winners = {
        ref.text.strip()
        for ref in result.iterfind("efac:SettledContract/efac:LotTender/cbc:ID", EFORMS_NS)
        if ref.text
    }
    known_tenders = {
        (t.findtext("cbc:ID", namespaces=EFORMS_NS) or "").strip()
        for t in result.iterfind("efac:LotTender", EFORMS_NS)
    }
    counts = {}
    for lot_result in result.iterfind("efac:LotResult", EFORMS_NS):
        for stat in lot_result.iterfind("efac:ReceivedSubmissionsStatistics", EFORMS_NS):
            if stat.findtext("efbc:StatisticsCode", namespaces=EFORMS_NS) == "tenders":
                lot = lot_result.findtext("efac:TenderLot/cbc:ID", namespaces=EFORMS_NS)
                counts[lot] = int(stat.findtext("efbc:StatisticsNumeric", namespaces=EFORMS_NS))
    with engine.begin() as conn:
        source = crawls.ensure_source(conn, name="ted", kind="api", url="x", now=NOW)
        store_tenders(conn, source_id=source, tenders=[parse_eforms_notice(data)], now=NOW)
    with Session(engine) as session:
        active = session.scalars(select(Award.award_id).where(Award.status == "active")).all()
        outcome = session.execute(select(TenderOutcome)).scalar_one()
    assert set(active) == winners & known_tenders
    assert dict(outcome.lot_bid_counts) == counts
    assert outcome.method == "open"  # every result sample here is an open procedure
    engine.dispose()
