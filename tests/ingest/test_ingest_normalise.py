"""normalise_release: each rule on small releases built for the purpose."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from scanner.ingest.normalise import NormaliseError, normalise_release
from scanner.ingest.tender import Classification

BASE: dict[str, Any] = {
    "ocid": "ocds-h6vhtk-000001",
    "id": "000001-2026",
    "date": "2026-10-06T17:59:32+01:00",
    "tag": ["tender"],
    "parties": [
        {
            "id": "GB-PPON-1",
            "name": "Central Bedfordshire Council",
            "roles": ["buyer"],
            "address": {"country": "gb", "region": "UKH25"},
            "contactPoint": {"name": "A Person", "email": "a@example.org"},
        },
        {"id": "GB-PPON-2", "name": "Review Court", "roles": ["reviewBody"]},
    ],
    "buyer": {"id": "GB-PPON-1", "name": "Central Bedfordshire Council"},
    "tender": {
        "id": "CBC-2074",
        "title": "Supported &amp; living <b>services</b>",
        "description": "<p>Para one.</p><p>Para two.</p>",
        "status": "active",
        "datePublished": "2026-10-06T17:59:32+01:00",
        "value": {"amountGross": 3326400, "amount": 2772000, "currency": "gbp"},
        "procurementMethod": "open",
        "procurementMethodDetails": "Competitive flexible procedure",
        "tenderPeriod": {"endDate": "2026-11-05T12:00:00+00:00"},
        "classification": {"scheme": "CPV", "id": "85311000-2", "description": "Social work"},
        "items": [
            {
                "id": "1",
                "relatedLot": "L1",
                "additionalClassifications": [
                    {"scheme": "CPV", "id": "85311000", "description": "Social work"},
                    {"scheme": "CPVS", "id": "PA01-7"},
                ],
                "deliveryAddresses": [{"region": "UKH25", "country": "GB"}],
            },
            {
                "id": 2,
                "relatedLot": "L2",
                "classification": {"scheme": "UNSPSC", "id": "85101500"},
                "additionalClassifications": [{"scheme": "cpv", "id": "72200000-7"}],
                "deliveryLocation": {"gazetteer": {"scheme": "NUTS", "identifiers": ["UKI3"]}},
            },
        ],
        "lots": [
            {"id": "L1", "title": "North", "value": {"amount": "1,000.50", "currency": "GBP"},
             "status": "Active", "suitability": {"sme": True}},
            {"id": "L2", "title": "South", "classification": {"scheme": "CPV", "id": "79000000"},
             "suitability": {"sme": False, "vcse": False}},
        ],
        "documents": [
            {"id": "a", "documentType": "tenderNotice", "format": "application/pdf",
             "url": "https://example.org/attachment.pdf"},
            {"id": "000001-2026", "documentType": "tenderNotice", "noticeType": "UK4",
             "format": "text/html", "url": "https://www.find-tender.service.gov.uk/Notice/000001-2026",
             "datePublished": "2026-10-06T17:59:32+01:00"},
        ],
    },
    "awards": [{"id": "1", "items": [{"id": "9", "classification": {"id": "98000000"}}]}],
}  # fmt: skip


def normalise(release: dict[str, Any], **kwargs: Any) -> Any:
    return normalise_release(release, source="test", **kwargs)


def test_base_release() -> None:
    tender = normalise(BASE)
    assert tender.source == "test"
    assert tender.source_key == tender.ocid == "ocds-h6vhtk-000001"
    assert tender.notice_id == "000001-2026"
    assert tender.notice_url == "https://www.find-tender.service.gov.uk/Notice/000001-2026"
    assert tender.notice_type == "UK4"
    assert tender.title == "Supported & living services"
    assert tender.description == "Para one.\nPara two."
    assert (tender.buyer_name, tender.buyer_id) == ("Central Bedfordshire Council", "GB-PPON-1")
    assert tender.value_amount == Decimal(2772000)
    assert tender.currency == "GBP"
    assert tender.published_at == datetime(2026, 10, 6, 16, 59, 32, tzinfo=UTC)
    assert tender.updated_at == tender.published_at
    assert tender.deadline_at == datetime(2026, 11, 5, 12, tzinfo=UTC)
    assert tender.status == "active"
    assert tender.procedure_type == "Competitive flexible procedure"
    assert tender.main_cpv == "85311000"
    assert tender.cpv_codes == ("85311000", "72200000", "79000000", "98000000")
    assert Classification("UNSPSC", "85101500") in tender.classifications
    assert Classification("CPVS", "PA01-7") in tender.classifications
    assert tender.regions == ("UKH25", "UKI3")
    assert tender.countries == ("GB",)
    assert tender.suitable_sme is True  # one lot says so
    assert tender.suitable_vcse is False
    assert tender.is_open(datetime(2026, 11, 1, tzinfo=UTC))


def test_items_and_lots() -> None:
    tender = normalise(BASE)
    first, second = tender.items
    assert (first.id, first.related_lot, first.regions) == ("1", "L1", ("UKH25",))
    assert [c.code for c in first.classifications] == ["85311000", "PA01-7"]
    assert (second.id, second.related_lot, second.regions) == ("2", "L2", ("UKI3",))
    north, south = tender.lots
    assert north.lot_id == "L1" and north.title == "North" and north.status == "active"
    assert (north.value_amount, north.currency) == (Decimal("1000.5"), "GBP")
    assert [c.code for c in north.classifications] == ["85311000", "PA01-7"]  # from its items
    assert north.related_items == ("1",)
    assert [c.code for c in south.classifications] == ["79000000"]  # its own
    assert south.related_items == ("2",)


def test_raw_has_no_personal_data_and_input_is_untouched() -> None:
    original = copy.deepcopy(BASE)
    tender = normalise(BASE)
    assert "contactPoint" not in tender.raw["parties"][0]
    assert tender.raw["tender"]["items"] is BASE["tender"]["items"]  # shared, not copied
    assert original == BASE


def test_fallbacks() -> None:
    release = copy.deepcopy(BASE)
    del release["buyer"]
    release["tender"]["title"] = "  "
    del release["tender"]["value"]["amount"]
    del release["tender"]["datePublished"]
    del release["tender"]["documents"]
    release["tender"]["tenderPeriod"]["endDate"] = "2029-02-23"
    tender = normalise(release, notice_url="https://example.org/n/1")
    assert tender.title == "North"  # first lot title
    assert (tender.buyer_name, tender.buyer_id) == ("Central Bedfordshire Council", "GB-PPON-1")
    assert tender.value_amount == Decimal(3326400)  # amountGross
    assert tender.published_at == tender.updated_at  # release date
    assert tender.notice_url == "https://example.org/n/1"
    assert tender.notice_type is None
    assert tender.deadline_at == datetime(2029, 2, 23, 23, 59, 59, tzinfo=UTC)


def test_title_from_description_first_line() -> None:
    release = {"ocid": "o", "tender": {"description": "<p>First line</p><p>Second</p>"}}
    assert normalise(release).title == "First line"
    long = {"ocid": "o", "tender": {"description": "word " * 100}}
    assert len(normalise(long).title) == 200


def test_naive_dates_use_default_tz() -> None:
    release = {"ocid": "o", "date": "2026-07-01T09:00:00",
               "tender": {"title": "t", "tenderPeriod": {"endDate": "2026-07-13T12:00:00"}}}  # fmt: skip
    tender = normalise(release, default_tz="Europe/London")
    assert tender.deadline_at == datetime(2026, 7, 13, 11, tzinfo=UTC)
    assert tender.updated_at == datetime(2026, 7, 1, 8, tzinfo=UTC)


def test_zero_value_means_unpublished() -> None:
    release = {"ocid": "o", "tender": {"title": "t", "value": {"amount": 0, "currency": "MXN"}}}
    tender = normalise(release)
    assert tender.value_amount is None and tender.currency == "MXN"


def test_legacy_shapes() -> None:
    release = {
        "ocid": "o",
        "tender": {
            "title": "t",
            "procuringEntity": {"id": "PE", "name": "Agency"},
            "xClassifications": {"isSuitableForSme": True, "isSuitableForVco": False},
            "items": [{"id": "i1", "deliveryAddress": {"region": "London", "countryName": "UK"}},
                      {"id": "i2"}],
            "lots": [{"id": "L", "items": ["i1", {"id": "i2"}, 7, None]}],
        },
    }  # fmt: skip
    tender = normalise(release)
    assert (tender.buyer_name, tender.buyer_id) == ("Agency", "PE")
    assert (tender.suitable_sme, tender.suitable_vcse) == (True, False)
    assert tender.regions == ("UKI",)
    assert tender.countries == ("GB",)
    assert tender.lots[0].related_items == ("i1", "i2", "7")


@pytest.mark.parametrize(
    ("release", "reason"),
    [
        ({"tender": {"title": "t"}}, "no ocid"),
        ({"ocid": "  ", "tender": {"title": "t"}}, "no ocid"),
        ({"ocid": "o"}, "no usable title"),
        ({"ocid": "o", "tender": {"title": "N/A", "lots": [{"title": ""}]}}, "no usable title"),
    ],
)
def test_normalise_errors(release: dict[str, Any], reason: str) -> None:
    with pytest.raises(NormaliseError) as caught:
        normalise(release)
    assert caught.value.reason.startswith(reason)


@pytest.mark.parametrize("release", [None, [], "x", 3])
def test_non_object_release(release: Any) -> None:
    with pytest.raises(NormaliseError, match="must be a JSON object"):
        normalise(release)
