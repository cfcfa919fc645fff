"""The pure normaliser of HTML listing entries and feed entries: selectors, dates by the
source's formats in its time zone, money, status, CPV codes, and per-record errors that name
the field to fix."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from scanner.ingest.feeds import feed_entry_fields, normalise_feed_entry
from scanner.ingest.html_listing import (
    ListingRecordError,
    ParseRules,
    Selector,
    normalise_listing_record,
    parse_field_date,
    parse_selector,
)
from scanner.sources import FeedRules, ListingRules

RULES = ParseRules(
    date_formats=("%d/%m/%Y %H:%M", "%d/%m/%Y", "%d %B %Y, %H:%M %Z"),
    timezone="Europe/London",
    currency="GBP",
)


def entry(**fields: Any) -> dict[str, Any]:
    return {"id": "RBC/1", "title": "Grounds maintenance", "url": "https://c.example/t/1", **fields}


def test_selectors_take_text_or_an_attribute_and_reject_other_suffixes() -> None:
    assert parse_selector("td.title a") == Selector("td.title a")
    assert parse_selector("td.title a::text") == Selector("td.title a")
    assert parse_selector("a.more::attr(href)") == Selector("a.more", "href")
    assert parse_selector("::attr(data-id)") == Selector("", "data-id")
    for bad in ("a::attr()", "a::html", "a::text(x)", "::text", ""):
        with pytest.raises(ValueError):
            parse_selector(bad)


def test_dates_use_the_formats_in_order_in_the_source_time_zone() -> None:
    # Summer time in London: 12:00 local is 11:00 UTC.
    assert parse_field_date("deadline", "10/07/2026 12:00", RULES) == datetime(
        2026, 7, 10, 11, 0, tzinfo=UTC
    )
    # A date without a time: a deadline closes at the end of that day.
    assert parse_field_date("deadline", "19/06/2026", RULES, end_of_day=True) == datetime(
        2026, 6, 19, 22, 59, 59, tzinfo=UTC
    )
    assert parse_field_date("published", "01/12/2026", RULES) == datetime(2026, 12, 1, tzinfo=UTC)
    # A "Label: " prefix is dropped; an offset in the text wins over the zone.
    with_offset = ParseRules(date_formats=("%d %B %Y %H:%M %z",), timezone="Europe/Brussels")
    assert parse_field_date("deadline", "Deadline: 30 June 2026 12:00 +0000", with_offset) == (
        datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
    )
    assert parse_field_date("deadline", "30th June 2026", RULES) is None
    # Without formats the general parser reads the usual shapes (day first by default).
    general = ParseRules(timezone="Europe/London")
    assert parse_field_date("deadline", "03/04/2026 09:30", general) == datetime(
        2026, 4, 3, 8, 30, tzinfo=UTC
    )


def test_entry_becomes_a_tender_with_money_cpv_and_status() -> None:
    tender = normalise_listing_record(
        entry(
            buyer="Environment &amp; Leisure",
            value="£120,000 - £150,000",
            published="08/06/2026",
            deadline="10/07/2026 12:00",
            cpv="77310000-6 Planting\n77313000-7 Parks maintenance",
            description="<p>Maintenance of 42 parks.</p><p>Lot 3: play areas.</p>",
            _page="https://c.example/t?page=2",
        ),
        source="council",
        rules=RULES,
    )
    assert (tender.source, tender.source_key, tender.notice_id) == ("council", "RBC/1", "RBC/1")
    assert tender.notice_url == "https://c.example/t/1"
    assert tender.buyer_name == "Environment & Leisure"
    assert (tender.value_amount, tender.currency) == (Decimal(120000), "GBP")
    assert tender.cpv_codes == ("77310000", "77313000") and tender.main_cpv == "77310000"
    assert tender.description == "Maintenance of 42 parks.\nLot 3: play areas."
    assert tender.status == "active" and tender.is_open(datetime(2026, 7, 1, tzinfo=UTC))
    assert tender.published_at == tender.updated_at == datetime(2026, 6, 7, 23, 0, tzinfo=UTC)
    assert tender.raw["page"] == "https://c.example/t?page=2"
    assert "_page" not in tender.raw["fields"]


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("£1.2m", Decimal(1200000), "GBP"),
        ("EUR 250 000", Decimal(250000), "EUR"),
        ("Estimated value: 85,000 EUR", Decimal(85000), "EUR"),
        ("Up to 40k", Decimal(40000), "GBP"),
        ("€1.234.567,50", Decimal("1234567.5"), "EUR"),
    ],
)
def test_values_are_read_through_the_money_parser(
    text: str, amount: Decimal, currency: str
) -> None:
    tender = normalise_listing_record(entry(value=text), source="s", rules=RULES)
    assert (tender.value_amount, tender.currency) == (amount, currency)


def test_an_unreadable_value_is_kept_as_a_problem_not_an_error() -> None:
    tender = normalise_listing_record(entry(value="To be confirmed"), source="s", rules=RULES)
    assert tender.value_amount is None and tender.currency is None
    assert tender.raw["problems"] == ["value: 'To be confirmed' is not an amount"]


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Open", "active"),
        ("Closed for bids", "complete"),
        ("Contract awarded", "complete"),
        ("Cancelled", "cancelled"),
        ("Pipeline", "planned"),
        ("Something else", "active"),
    ],
)
def test_status_words_map_to_tender_statuses(text: str, status: str) -> None:
    assert normalise_listing_record(entry(status=text), source="s", rules=RULES).status == status


def test_record_errors_name_the_field() -> None:
    with pytest.raises(ListingRecordError, match=r"RBC/1: deadline: '30th June 2026' matches"):
        normalise_listing_record(entry(deadline="30th June 2026"), source="s", rules=RULES)
    with pytest.raises(ListingRecordError, match=r"^RBC/1: title: missing"):
        normalise_listing_record(entry(title="  "), source="s", rules=RULES)
    with pytest.raises(ListingRecordError, match=r"^id: missing, and no url"):
        normalise_listing_record({"title": "x", "url": "/relative"}, source="s", rules=RULES)
    strict = ParseRules(require=("title", "deadline"))
    with pytest.raises(ListingRecordError, match=r"deadline: missing .*nor on its detail page"):
        normalise_listing_record(entry(_detail="https://c.example/t/1"), source="s", rules=strict)
    with pytest.raises(ListingRecordError, match="must be a mapping"):
        normalise_listing_record(["not", "a", "record"], source="s", rules=RULES)  # type: ignore[arg-type]
    # Without formats, an unreadable date still names its field.
    with pytest.raises(ListingRecordError, match=r"published: 'soon' is not a date"):
        normalise_listing_record(entry(published="soon"), source="s", rules=ParseRules())


def test_feed_entries_map_to_listing_fields_and_keep_their_standard_dates() -> None:
    parsed = {
        "id": "urn:rha:tender:0142",
        "link": "https://rha.example/opportunities/rha-0142",
        "title": "Repairs framework",
        "summary": "&lt;p&gt;Electrical repairs.&lt;/p&gt;",
        "published": "Tue, 09 Jun 2026 10:00:00 +0100",
        "tags": [{"term": "45310000", "scheme": "CPV"}],
    }
    fields = feed_entry_fields(parsed)
    assert fields["id"] == "urn:rha:tender:0142" and fields["cpv"] == "45310000"
    assert fields["published"] == "Tue, 09 Jun 2026 10:00:00 +0100" and "deadline" not in fields
    assert feed_entry_fields({"link": "https://x.example/1"})["id"] == "https://x.example/1"
    # The feed's RFC 822 date is read although the source's formats are for its detail pages.
    rules = ParseRules(date_formats=("%d %B %Y",), timezone="Europe/London")
    record = {**fields, "deadline": "26 June 2026", "_from_detail": ["deadline"]}
    tender = normalise_feed_entry(record, source="housing", rules=rules)
    assert tender.published_at == datetime(2026, 6, 9, 9, 0, tzinfo=UTC)
    assert tender.deadline_at == datetime(2026, 6, 26, 22, 59, 59, tzinfo=UTC)  # end of day
    assert tender.description == "Electrical repairs." and tender.raw["format"] == "feed"
    # A published date taken from a detail page follows the source's formats.
    from_detail = {**record, "published": "9 June 2026", "_from_detail": ["published"]}
    assert normalise_feed_entry(from_detail, source="h", rules=rules).published_at == datetime(
        2026, 6, 8, 23, 0, tzinfo=UTC
    )


def test_rules_validation_names_the_key() -> None:
    with pytest.raises(ValidationError, match=r"date_formats[\s\S]*not a strptime format"):
        FeedRules(date_formats=["dd/mm/yyyy"])
    with pytest.raises(ValidationError, match=r"detail_fields[\s\S]*unknown field 'closing'"):
        FeedRules(detail_fields={"closing": "dd"})
    with pytest.raises(ValidationError, match=r"require[\s\S]*unknown field 'name'"):
        FeedRules(require=["name"])
    with pytest.raises(ValidationError, match=r"next_page[\s\S]*invalid CSS selector"):
        ListingRules(item="tr", fields={"title": "a", "url": "a::attr(href)"}, next_page="a[")
