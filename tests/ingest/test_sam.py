"""SAM.gov Get Opportunities v2 records -> tenders: empty markers, NAICS/PSC/set-aside codes,
deadlines, no personal data, and a clear error per unusable record."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from scanner.ingest.sam import SamRecordError, empty_to_none, normalise_sam_opportunity

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def records(name: str) -> list[Any]:
    return list(json.loads((FIXTURES / name).read_text())["opportunitiesData"])


def codes(tender: Any) -> list[tuple[str, str]]:
    return [(c.scheme, c.code) for c in tender.classifications]


def test_sam_solicitation_keeps_naics_psc_set_aside_and_deadline() -> None:
    tender = normalise_sam_opportunity(records("sam_search_page_0.json")[0], source="sam")
    assert tender.source_key == "a1b2c3d4e5f60718293a4b5c6d7e8f90"
    assert tender.notice_id == "47QTCA26Q0012"
    assert codes(tender) == [
        ("NAICS", "541511"), ("NAICS", "541512"), ("PSC", "DA01"), ("SET-ASIDE", "SBA"),
    ]  # fmt: skip
    assert tender.cpv_codes == () and tender.currency == "USD" and tender.value_amount is None
    assert tender.suitable_sme is True and tender.status == "active"
    assert tender.deadline_at == datetime(2026, 6, 30, 18, 0, tzinfo=UTC)
    assert tender.published_at == datetime(2026, 6, 2, 4, 0, tzinfo=UTC)  # midnight, Washington
    assert tender.regions == ("US-CO",) and tender.countries == ("US",)
    assert tender.buyer_name == "GENERAL SERVICES ADMINISTRATION - GSA/FAS CENTER FOR IT SERVICES"
    assert tender.notice_url.startswith("https://sam.gov/workspace/contract/opp/")
    assert "pointOfContact" not in tender.raw["record"]
    assert "officer@example.gov" not in json.dumps(tender.raw)


def test_sam_empty_markers_become_none() -> None:
    assert [empty_to_none(v) for v in (None, "", "  ", "NONE", "x ")] == [None] * 4 + ["x"]
    tender = normalise_sam_opportunity(records("sam_search_page_0.json")[1])
    assert tender.deadline_at is None  # ""
    assert tender.suitable_sme is None and ("SET-ASIDE", "NONE") not in codes(tender)
    assert tender.status == "planned"


def test_sam_award_notice_carries_the_awarded_amount_in_usd() -> None:
    tender = normalise_sam_opportunity(records("sam_search_page_1.json")[0])
    assert (tender.value_amount, tender.currency) == (Decimal("125000.00"), "USD")
    assert tender.status == "complete" and tender.deadline_at is None


@pytest.mark.parametrize(
    ("index", "reason"),
    [
        (0, "no noticeId"),
        (1, "opportunity d4e5f60718293a4b5c6d7e8f90a1b2c3: no title"),  # title "NONE"
        (2, "an opportunity must be a JSON object, not int"),
    ],
)
def test_sam_unusable_record_names_its_problem(index: int, reason: str) -> None:
    with pytest.raises(SamRecordError) as raised:
        normalise_sam_opportunity(records("sam_search_malformed.json")[index])
    assert raised.value.reason == reason


def test_sam_real_search_answer_normalises_every_record(shared_samples: Path) -> None:
    answer = json.loads(
        (shared_samples / "sam-gov" / "sam_opportunities_v2_search_2026-02-02.json").read_text()
    )
    tenders = [normalise_sam_opportunity(r, source="sam") for r in answer["opportunitiesData"]]
    assert len(tenders) == 10 and answer["totalRecords"] == 9334
    assert len({t.source_key for t in tenders}) == 10
    assert all(any(c.scheme == "NAICS" for c in t.classifications) for t in tenders)
    assert all(any(c.scheme == "PSC" for c in t.classifications) for t in tenders)
    by_key = {t.source_key: t for t in tenders}
    renovation = by_key["fd05ce5247fb4bc1b86e1ce4691bb74b"]  # typeOfSetAside "SBA"
    assert renovation.suitable_sme is True and renovation.regions == ("US-CO",)
    no_set_aside = by_key["fa64c8a8b90c428cba52cd7bbbbb7d50"]  # typeOfSetAside "NONE"
    assert no_set_aside.suitable_sme is None
    award = by_key["f90fba9ebf6243ed8290c4ed4603c182"]
    assert award.value_amount == Decimal("5000000.00") and award.deadline_at is None
    assert all(t.currency == "USD" for t in tenders)
    assert sum(t.deadline_at is not None for t in tenders) == 9
