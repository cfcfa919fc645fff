"""TED API v3 search notices -> tenders: language maps, parallel lot arrays, the optional
eForms XML, and a clear error per unusable notice."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from scanner.ingest.ted_api import (
    TED_FIELDS,
    TedNoticeError,
    normalise_ted_notice,
    normalise_ted_notice_with_xml,
    pick_text,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def notices(name: str) -> list[Any]:
    return list(json.loads((FIXTURES / name).read_text(encoding="utf-8"))["notices"])


def test_ted_multi_lot_notice_keeps_english_and_the_original_language() -> None:
    tender = normalise_ted_notice(notices("ted_api_search_page_1.json")[0], source="ted")
    assert tender.source_key == tender.notice_id == "351208-2026"
    assert (
        tender.title
        == "Germany – IT services – Digital citizen services of the city of Musterstadt"
    )
    assert tender.raw["title_language"] == "eng"
    assert tender.raw["original"]["language"] == "deu"
    assert tender.raw["original"]["title"].startswith("Deutschland")
    assert tender.description.startswith("Entwicklung")  # published in German only
    assert tender.buyer_name == "Stadt Musterstadt"
    assert tender.notice_url == "https://ted.europa.eu/en/notice/-/detail/351208-2026"
    assert (tender.value_amount, tender.currency) == (Decimal("450000"), "EUR")
    assert tender.cpv_codes == ("72000000", "72200000", "79340000")  # duplicates dropped
    assert tender.main_cpv == "72000000"
    assert tender.regions == ("DE212",) and tender.countries == ("DE",)
    assert tender.status == "active" and tender.notice_type == "cn-standard"
    assert tender.published_at == datetime(2026, 6, 1, 22, 0, tzinfo=UTC)
    # The earliest lot deadline, read as the end of that day in the notice's offset.
    assert tender.deadline_at == datetime(2026, 7, 1, 21, 59, 59, tzinfo=UTC)
    assert [(lot.lot_id, lot.title, lot.value_amount) for lot in tender.lots] == [
        ("LOT-0001", "Software development", Decimal("250000")),
        ("LOT-0002", "Operation and maintenance", Decimal("150000")),
        ("LOT-0003", "Outreach", Decimal("50000")),
    ]
    assert [item.related_lot for item in tender.items] == ["LOT-0001", "LOT-0002", "LOT-0003"]


def test_ted_notice_without_english_keeps_its_own_language_and_single_lot_codes() -> None:
    tender = normalise_ted_notice(notices("ted_api_search_page_1.json")[1], source="ted")
    assert tender.title.startswith("France – Services sociaux")
    assert tender.raw["title_language"] == "fra"
    # No procedure value: the only lot's value is the tender's; its CPV is the lot's.
    assert (tender.value_amount, tender.currency) == (Decimal("80000.50"), "EUR")
    assert [c.code for c in tender.lots[0].classifications] == ["85300000"]


def test_ted_lot_arrays_that_do_not_line_up_are_not_guessed() -> None:
    tender = normalise_ted_notice(notices("ted_api_search_page_2.json")[0], source="ted")
    # One value for two lots: it cannot be told which lot it belongs to.
    assert [lot.value_amount for lot in tender.lots] == [None, None]
    assert [lot.title for lot in tender.lots] == ["Design", "Accessibility audit"]


@pytest.mark.parametrize(
    ("index", "reason"),
    [
        (0, "no publication-number"),
        (1, "notice 352500-2026: no notice-title"),
        (2, "a notice must be a JSON object, not str"),
    ],
)
def test_ted_unusable_notice_names_its_problem(index: int, reason: str) -> None:
    with pytest.raises(TedNoticeError) as raised:
        normalise_ted_notice(notices("ted_api_search_malformed.json")[index])
    assert raised.value.reason.startswith(reason)


def test_ted_pick_text_prefers_english_then_the_first_language() -> None:
    assert pick_text({"deu": "Hallo", "eng": "Hello"}) == ("Hello", "eng")
    assert pick_text({"fra": ["Bonjour"], "deu": "Hallo"}) == ("Bonjour", "fra")
    assert pick_text({"eng": ""}) == (None, None)
    assert pick_text("plain") == ("plain", None)


def test_ted_xml_when_fetched_keeps_the_search_identity() -> None:
    notice = notices("ted_api_search_page_1.json")[0]
    xml = (FIXTURES / "eforms_cn_3lots.xml").read_bytes()
    tender = normalise_ted_notice_with_xml((notice, xml), source="ted")
    assert tender.source_key == "351208-2026"  # not the XML's procedure id
    assert tender.raw["format"] == "ted-api+eforms" and len(tender.lots) == 3
    broken = normalise_ted_notice_with_xml((notice, b"<html><body>maintenance"), source="ted")
    assert broken.title.startswith("Germany") and "XML" in broken.raw["xml_error"]


def test_ted_real_search_answer_reads_number_date_and_links(shared_samples: Path) -> None:
    """The real answer was asked for ND, PD and RN only: without `notice-title` each notice
    is a clear error; with a title added, its real date and links are read."""
    answer = json.loads(
        (shared_samples / "ted" / "ted_v3_notices_search_response.json").read_text()
    )
    assert answer["totalNoticeCount"] == len(answer["notices"]) == 2
    for notice in answer["notices"]:
        with pytest.raises(TedNoticeError, match="no notice-title"):
            normalise_ted_notice(notice)
        tender = normalise_ted_notice({**notice, "notice-title": {"eng": "Sample"}})
        assert tender.source_key == notice["publication-number"]
        assert tender.published_at == datetime(2022, 2, 6, 23, 0, tzinfo=UTC)
        assert tender.notice_url == notice["links"]["html"]["ENG"]
    assert "notice-title" in TED_FIELDS and "links" in TED_FIELDS
