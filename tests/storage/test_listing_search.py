"""Text search and the officer list through the database's own indexes (migration 0016), on
both databases: search by words, the list's substring and prefix filters, sorts by the
tender's keys, and all of them following a tender that changes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.orm import Session

from scanner.models import Base, SplitAssessment, Tender, TenderListingCode
from scanner.services.queries import TenderFilter, list_tenders
from scanner.services.web_officer import OfficerFilter, list_flagged
from scanner.storage.assessments import save_assessments
from scanner.storage.crawls import ensure_source
from scanner.storage.search import query_words
from scanner.storage.tenders import store_releases

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def release(ocid: str, title: str, buyer: str, **tender: Any) -> dict[str, Any]:
    return {
        "ocid": ocid,
        "id": f"{ocid}-1",
        "date": "2026-10-01T00:00:00Z",
        "buyer": {"name": buyer},
        "tender": {"title": title, **tender},
    }


RELEASES = [
    release(
        "ocds-a",
        "Software for children's services",
        "Northshire County Council",
        items=[{"id": "1", "classification": {"scheme": "CPV", "id": "72212000"}}],
        tenderPeriod={"endDate": "2026-12-20T12:00:00Z"},
    ),
    release(
        "ocds-b",
        "School meals",
        "Eastborough Schools Trust",
        items=[{"id": "1", "classification": {"scheme": "CPV", "id": "55524000"}}],
        tenderPeriod={"endDate": "2026-12-01T12:00:00Z"},
    ),
    release(
        "ocds-c",
        "Road SOFTWARE upgrade",
        "Westshire Highways",
        items=[{"id": "1", "classification": {"scheme": "CPV", "id": "48000000"}}],
    ),
]


@pytest.fixture
def stored(engine: Engine) -> dict[str, int]:
    """The three tenders, each with a flagged assessment; source key -> tender id."""
    with engine.begin() as conn:
        source = ensure_source(conn, name="s", kind="ocds", url="u", now=NOW)
        store_releases(conn, source_id=source, source_name="s", releases=RELEASES, now=NOW)
        ids = dict(conn.execute(select(Tender.source_key, Tender.id)).all())
        for score, key in enumerate(sorted(ids)):
            conn.execute(
                insert(SplitAssessment).values(
                    tender_id=ids[key],
                    tender_version=1,
                    rules_version="r",
                    should_split=True,
                    score=score / 10,
                    status="assessed",
                    civic_friendliness=0.0,
                    package_count=2,
                    aggregated_value=Decimal(1000 * (score + 1)),
                    currency="GBP",
                    assessed_at=NOW,
                    data={},
                )
            )
    return ids


def searched(engine: Engine, text: str) -> list[str]:
    with Session(engine) as session:
        return [row["source_key"] for row in list_tenders(session, TenderFilter(search=text))]


def listed(engine: Engine, **filters: Any) -> list[str]:
    with Session(engine) as session:
        rows, total = list_flagged(session, OfficerFilter(**{"now": NOW, **filters}))
        keys = dict(session.execute(select(Tender.id, Tender.source_key)).all())
    assert total == len(rows)
    return [keys[row["tender_id"]] for row in rows]


def test_query_words_are_lower_case_words_once() -> None:
    assert query_words("Child  SOFT child-care's") == ["child", "soft", "care", "s"]
    assert query_words("snake_case 100%_sla") == ["snake", "case", "100", "sla"]


def test_search_finds_words_by_their_start_in_title_or_buyer(
    engine: Engine, stored: dict[str, int]
) -> None:
    assert sorted(searched(engine, "software")) == ["ocds-a", "ocds-c"]  # any case
    assert searched(engine, "soft child") == ["ocds-a"]  # every word, any order, prefixes
    assert searched(engine, "council software") == ["ocds-a"]  # buyer and title together
    assert searched(engine, "eastborough") == ["ocds-b"]
    assert searched(engine, "oftware") == []  # words by their start, not any substring
    assert searched(engine, "software meals") == []


def test_search_follows_a_changed_title(engine: Engine, stored: dict[str, int]) -> None:
    later = release("ocds-b", "Catering for schools", "Eastborough Schools Trust")
    later.update(id="ocds-b-2", date="2026-10-05T00:00:00Z")
    with engine.begin() as conn:
        source = ensure_source(conn, name="s", kind="ocds", url="u", now=NOW)
        store_releases(conn, source_id=source, source_name="s", releases=[later], now=NOW)
    assert searched(engine, "meals") == []
    assert searched(engine, "catering") == ["ocds-b"]


def test_officer_filters_keep_their_meaning(engine: Engine, stored: dict[str, int]) -> None:
    assert listed(engine, buyer="shire") == ["ocds-c", "ocds-a"]  # inside a word, by score
    assert listed(engine, buyer="TY COUN") == ["ocds-a"]  # across words, any case
    assert listed(engine, cpv="722") == ["ocds-a"]
    assert listed(engine, cpv="72") == ["ocds-a"]
    assert listed(engine, cpv="4") == ["ocds-c"]
    assert listed(engine, cpv="73") == []
    assert listed(engine, buyer="100%") == []  # LIKE characters are text


def codes(engine: Engine, tender_id: int) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(TenderListingCode.kind, TenderListingCode.code).where(
                TenderListingCode.tender_id == tender_id
            )
        )
        return {(kind, code) for kind, code in rows}


def test_code_and_region_filters_read_the_codes_kept_with_the_listing(
    engine: Engine, stored: dict[str, int]
) -> None:
    b = stored["ocds-b"]
    assert codes(engine, b) == {("c", "55524000")}
    with engine.begin() as conn:
        conn.execute(
            update(Tender)
            .where(Tender.id == b)
            .values(regions=["UKI3", "ukj1"], cpv_codes=["55524000", "72500000"])
        )
    assert codes(engine, b) == {("c", "55524000"), ("c", "72500000"), ("r", "UKI3"), ("r", "UKJ1")}
    assert listed(engine, region="UKI") == ["ocds-b"]
    assert listed(engine, region=" uki3 ") == ["ocds-b"]  # any case, trimmed
    assert listed(engine, region="UKJ") == ["ocds-b"]  # stored in lower case, found
    assert listed(engine, region="UKI4") == []
    assert listed(engine, cpv="725") == ["ocds-b"]
    assert listed(engine, cpv="72") == ["ocds-b", "ocds-a"]  # once each, by score
    assert listed(engine, cpv="7", region="UK") == ["ocds-b"]
    assert listed(engine, cpv="5552", flagged=False, status="all") == ["ocds-b"]
    with engine.begin() as conn:
        conn.execute(update(Tender).where(Tender.id == b).values(regions=[], main_cpv="45000000"))
    assert listed(engine, region="UK") == []
    assert listed(engine, cpv="45") == ["ocds-b"]
    assert listed(engine, cpv="55") == ["ocds-b"]  # still an item's code
    with engine.begin() as conn:
        conn.execute(delete(SplitAssessment).where(SplitAssessment.tender_id == b))
    assert codes(engine, b) == set()


def test_sorts_use_the_tenders_keys_and_follow_their_changes(
    engine: Engine, stored: dict[str, int]
) -> None:
    assert listed(engine, sort="deadline") == ["ocds-b", "ocds-a", "ocds-c"]  # no deadline last
    assert listed(engine, sort="buyer") == ["ocds-b", "ocds-a", "ocds-c"]
    assert listed(engine, sort="value") == ["ocds-c", "ocds-b", "ocds-a"]
    with engine.begin() as conn:
        conn.execute(
            update(Tender)
            .where(Tender.id == stored["ocds-c"])
            .values(deadline_at=datetime(2026, 11, 15, tzinfo=UTC), buyer_name="Aardvark Ltd")
        )
    assert listed(engine, sort="deadline") == ["ocds-c", "ocds-b", "ocds-a"]
    assert listed(engine, sort="buyer") == ["ocds-c", "ocds-b", "ocds-a"]
    assert listed(engine, buyer="aardvark") == ["ocds-c"]


def test_the_listing_follows_assessments_written_again_and_removed(
    engine: Engine, stored: dict[str, int]
) -> None:
    with engine.begin() as conn:
        save_assessments(
            conn,
            [
                {
                    "tender_id": stored["ocds-b"],
                    "tender_version": 1,
                    "rules_version": "r2",
                    "should_split": False,
                    "score": 0.9,
                    "status": "assessed",
                    "civic_friendliness": 0.0,
                    "package_count": 0,
                    "aggregated_value": None,
                    "currency": None,
                    "assessed_at": NOW,
                    "data": {},
                },
            ],
        )
    assert listed(engine) == ["ocds-c", "ocds-a"]
    assert listed(engine, flagged=False) == ["ocds-b", "ocds-c", "ocds-a"]
    assert codes(engine, stored["ocds-b"]) == {("c", "55524000")}  # written again, once
    with engine.begin() as conn:
        conn.execute(delete(SplitAssessment).where(SplitAssessment.tender_id == stored["ocds-c"]))
    assert listed(engine, flagged=False) == ["ocds-b", "ocds-a"]


def test_model_and_migration_agree_on_the_listing_table(engine: Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # The trigram indexes exist only where pg_trgm could be installed: not in the model.
    found = [d for d in differences if "tender_listing" in repr(d) and "_trigram" not in repr(d)]
    assert found == []


def test_closed_tenders_leave_the_default_list_when_their_status_changes(
    engine: Engine, stored: dict[str, int]
) -> None:
    assert listed(engine) == ["ocds-c", "ocds-b", "ocds-a"]
    with engine.begin() as conn:
        conn.execute(update(Tender).where(Tender.id == stored["ocds-b"]).values(status="cancelled"))
    assert listed(engine) == ["ocds-c", "ocds-a"]  # "open": every status but the closed ones
    assert listed(engine, status="all") == ["ocds-c", "ocds-b", "ocds-a"]
    assert listed(engine, status="cancelled") == ["ocds-b"]
