"""`refresh_canonical` on SQLite and PostgreSQL: notices of Find a Tender and Contracts Finder
ingested as two sources, merged by identifier and by fuzzy match with reasons, hard negatives
kept apart, unmerge remembered, and a later notice updating the canonical opportunity."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from dedupe_fixtures import NOW, cf_notice, fts_notice, ingest_as
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from scanner.models import CanonicalMember, Tender
from scanner.services import dedupe, queries
from scanner.services.dedupe import CanonicalConfig, refresh_canonical

LEEDS = "Leeds City Council"
FTS = [
    fts_notice(
        "045080-2026",
        "Digital inclusion support for older residents",
        LEEDS,
        "2026-12-15T12:00:00Z",
        250000,
    ),
    fts_notice(
        "045081-2026",
        "Redevelopment and hosting of the council website",
        "Bristol City Council",
        "2026-12-20T12:00:00Z",
        90000,
    ),
    fts_notice(
        "045082-2026", "Grounds maintenance Lot 1 north parks", LEEDS, "2026-12-18T12:00:00Z", 40000
    ),
    fts_notice(
        "045083-2026",
        "Winter gritting services 2026",
        "Kent County Council",
        "2026-12-10T12:00:00Z",
        120000,
    ),
]
CF = [
    cf_notice(
        "Digital Inclusion Support for Older Residents",
        "LEEDS CITY COUNCIL",
        "2026-12-15T12:00:00Z",
        250000,
        key="11111111-1111-4111-8111-111111111111",
    ),
    cf_notice(
        "Council website redevelopment & hosting",
        "Bristol City Council",
        "2026-12-20T12:00:00Z",
        90000,
        key="22222222-2222-4222-8222-222222222222",
        extra_documents=["https://www.find-tender.service.gov.uk/Notice/045081-2026"],
    ),
    cf_notice(
        "Grounds maintenance Lot 2 north parks",
        LEEDS,
        "2026-12-18T12:00:00Z",
        40000,
        key="33333333-3333-4333-8333-333333333333",
    ),
    cf_notice(
        "Winter gritting services 2025",
        "Kent County Council",
        "2025-12-10T12:00:00Z",
        120000,
        key="44444444-4444-4444-8444-444444444444",
    ),
    cf_notice(
        "Translation services for schools",
        "Camden Council",
        "2026-12-30T12:00:00Z",
        100000,
        currency="EUR",
        key="55555555-5555-4555-8555-555555555555",
    ),
]


@pytest.fixture
def stored(engine: Engine, tmp_path: Path, config: CanonicalConfig) -> Engine:
    ingest_as(engine, tmp_path, "find_a_tender", FTS)
    ingest_as(engine, tmp_path, "contracts_finder", CF)
    refresh_canonical(engine, config, NOW)
    return engine


def tender_id(engine: Engine, title: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(Tender.id).where(Tender.title == title)).scalar_one())


def groups(engine: Engine) -> list[dict[str, Any]]:
    with Session(engine) as session:
        return dedupe.merged_groups(session)


def titles(group: dict[str, Any]) -> set[str]:
    return {m["title"] for m in group["members"]}


def test_cross_posted_notices_merge_by_fuzzy_match_and_by_identifier_with_reasons(
    stored: Engine,
) -> None:
    found = groups(stored)
    expected = [{FTS[i]["tender"]["title"], CF[i]["tender"]["title"]} for i in (0, 1)]
    assert sorted(map(sorted, map(titles, found))) == sorted(map(sorted, expected))
    by_method = {m["method"]: m for g in found for m in g["members"] if m["method"] != "single"}
    fuzzy, ident = by_method["fuzzy"], by_method["identifier"]
    assert {r["field"] for r in fuzzy["reasons"]} >= {
        "title",
        "buyer",
        "deadline",
        "value",
        "score",
    }
    assert all(r["passed"] for r in fuzzy["reasons"]) and fuzzy["score"] >= 0.86
    assert "fts:045081-2026" in ident["reasons"][0]["detail"]
    assert "tender.documents" in ident["reasons"][0]["detail"]


def test_hard_negatives_same_buyer_other_lot_or_year_stay_apart(stored: Engine) -> None:
    merged = {t for g in groups(stored) for t in titles(g)}
    for title in (
        "Grounds maintenance Lot 1 north parks",
        "Grounds maintenance Lot 2 north parks",
        "Winter gritting services 2026",
        "Winter gritting services 2025",
    ):
        assert title not in merged
    with Session(stored) as session:
        lot1 = queries.get_tender(
            session, tender_id(stored, "Grounds maintenance Lot 1 north parks")
        )
    assert lot1 is not None and lot1["canonical"]["member_count"] == 1


def test_a_second_refresh_has_nothing_to_do(stored: Engine, config: CanonicalConfig) -> None:
    again = refresh_canonical(stored, config, NOW)
    assert again.refreshed == 0 and again.merged == 0 and again.tenders == len(FTS) + len(CF)


def test_unmerge_is_remembered_even_when_the_notice_changes(
    stored: Engine, config: CanonicalConfig, tmp_path: Path
) -> None:
    cf_id = tender_id(stored, CF[0]["tender"]["title"])
    fts_id = tender_id(stored, FTS[0]["tender"]["title"])
    assert dedupe.unmerge(stored, cf_id, NOW) == [fts_id]
    assert len(groups(stored)) == 1
    with pytest.raises(dedupe.NotMergedError):
        dedupe.unmerge(stored, cf_id, NOW)
    amended = cf_notice(
        "Digital Inclusion Support for Older Residents",
        "LEEDS CITY COUNCIL",
        "2026-12-15T12:00:00Z",
        250000,
        key="11111111-1111-4111-8111-111111111111",
        description="Amended: clarifications added.",
    )
    amended["id"] += "-2"
    amended["date"] = "2026-11-10T09:00:00Z"
    ingest_as(stored, tmp_path, "contracts_finder", [amended])
    counts = refresh_canonical(stored, config, NOW)
    assert counts.refreshed == 1 and counts.merged == 0
    assert len(groups(stored)) == 1
    with stored.connect() as conn:
        method, reasons = conn.execute(
            select(CanonicalMember.method, CanonicalMember.reasons).where(
                CanonicalMember.tender_id == cf_id
            )
        ).one()
    assert method == "unmerged" and f"#{fts_id}" in reasons[0]["detail"]


def test_a_later_notice_updates_the_canonical_opportunity(
    stored: Engine, config: CanonicalConfig, tmp_path: Path
) -> None:
    later = cf_notice(
        "Digital Inclusion Support for Older Residents",
        "LEEDS CITY COUNCIL",
        "2026-12-17T12:00:00Z",
        260000,
        key="11111111-1111-4111-8111-111111111111",
    )
    later["id"] += "-2"
    later["date"] = "2026-11-12T09:00:00Z"
    ingest_as(stored, tmp_path, "contracts_finder", [later])
    refresh_canonical(stored, config, NOW)
    group = next(g for g in groups(stored) if CF[0]["tender"]["title"] in titles(g))
    assert group["deadline_at"] == datetime(2026, 12, 17, 12, tzinfo=UTC).isoformat()
    assert group["value_amount"] == "260000.00" and group["member_count"] == 2


def test_values_are_converted_to_the_reporting_currency_with_dated_rates(stored: Engine) -> None:
    with Session(stored) as session:
        eur = queries.get_tender(session, tender_id(stored, "Translation services for schools"))
    assert eur is not None
    # 2024-12-31 table (latest on or before publication): 100,000 / 1 EUR * 0.82918 GBP
    assert eur["value_reporting"] == "82918.00" and eur["reporting_currency"] == "GBP"
    assert eur["currency"] == "EUR" and eur["value_amount"] == "100000.00"
