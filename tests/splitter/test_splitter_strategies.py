"""Each strategy proposes sensible packages on a small hand-built tender, with its reasons."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from scanner.ingest.tender import Classification, Item, Lot, NormalisedTender
from scanner.splitter import Assessment, assess, load_thresholds

THRESHOLDS = load_thresholds(Path(__file__).resolve().parents[2] / "config" / "thresholds.toml")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def item(item_id: str, code: str, label: str, *regions: str) -> Item:
    return Item(item_id, label, (Classification("CPV", code, label),), regions=regions)


def run(**fields: Any) -> Assessment:
    defaults: dict[str, Any] = {
        "source": "test",
        "source_key": "ocds-test-2",
        "title": "Digital transformation programme",
        "currency": "GBP",
        "countries": ("GB",),
        "description": "Modernise the council's services.",
    }
    return assess(NormalisedTender(**{**defaults, **fields}), now=NOW, thresholds=THRESHOLDS)


def test_each_distinct_product_is_a_package_with_item_count_shares() -> None:
    items = (
        item("1", "79311000", "Survey services"),
        item("2", "72413000", "Website design services"),
        item("3", "72420000", "Internet development services"),
    )
    result = run(items=items, value_amount=Decimal("120000"))
    by_items = {p.item_ids: p for p in result.packages}
    assert set(by_items) == {("1",), ("2",), ("3",)}
    assert by_items[("1",)].estimated_value == Decimal("40000.00")
    assert by_items[("1",)].cpv == "79311000"
    assert by_items[("1",)].title == "Survey services"
    assert "apportioned by item count" in by_items[("1",)].value_method
    assert all(p.strategy == "by product" for p in result.packages)


def test_the_same_product_in_several_lines_stays_one_package() -> None:
    items = (
        item("1", "09132100", "Petrol A-95"),
        item("2", "09132100", "petrol  a-95."),  # case, spacing and punctuation set aside
        item("3", "09134200", "Diesel fuel"),
    )
    result = run(items=items, value_amount=Decimal("90000"))
    assert sorted(p.item_ids for p in result.packages) == [("1", "2"), ("3",)]
    same = next(p for p in result.packages if p.item_ids == ("1", "2"))
    assert "same product" in same.reason and same.estimated_value == Decimal("60000.00")


def test_too_many_products_are_grouped_by_cpv_class() -> None:
    codes = ("30192000", "22800000")  # CPV classes 3019 (office supplies) and 2280 (registers)
    items = tuple(item(str(k), codes[k % 2], f"Stationery article {k}") for k in range(30))
    result = run(items=items)
    assert len(result.packages) == 2
    assert all(
        p.strategy == "by product group" and "CPV class" in p.reason for p in result.packages
    )


def test_items_are_grouped_by_delivery_region() -> None:
    items = (
        item("1", "90910000", "Cleaning", "UKL12"),
        item("2", "90910000", "Cleaning", "UKL13"),
        item("3", "90910000", "Cleaning", "UKL12"),
    )
    result = run(items=items)
    regions = {p.region: p.item_ids for p in result.packages}
    assert regions == {"UKL12": ("1", "3"), "UKL13": ("2",)}
    assert all(p.strategy == "by region" for p in result.packages)


def test_service_phases_become_packages_that_depend_on_the_previous_one() -> None:
    text = (
        "We need a discovery to understand users. An alpha will test prototypes. "
        "The beta builds the service, which then goes live with support."
    )
    result = run(description=text, value_amount=Decimal("100000"))
    titles = [p.title.split(":")[0] for p in result.packages]
    assert titles == ["Discovery", "Alpha", "Beta", "Live"]
    assert result.packages[0].depends_on == ()
    assert result.packages[1].depends_on == (result.packages[0].title,)
    assert result.packages[0].estimated_value == Decimal("10000.00")
    assert sum(p.estimated_value or 0 for p in result.packages) == Decimal("100000.00")
    assert "discovery" in result.packages[0].scope.lower()


def test_enumerated_workstreams_become_packages() -> None:
    text = "Workstream 1 – Hosting: run the servers.\nWorkstream 2 – Support: help desk."
    result = run(description=text, value_amount=Decimal("80000"))
    assert [p.title for p in result.packages] == [
        "Workstream 1: Hosting: run the servers",
        "Workstream 2: Support: help desk",
    ]
    assert all(
        p.value_method.endswith("equal split of the total between the 2 listed deliverables")
        for p in result.packages
    )
    assert [p.estimated_value for p in result.packages] == [Decimal("40000.00")] * 2


def test_bullets_and_semicolon_lists_become_packages() -> None:
    bullets = run(description="We need:\n- a content audit\n- a design system\n- training")
    assert len(bullets.packages) == 3
    semicolons = run(description="Scope: content audit; design system; staff training.")
    assert len(semicolons.packages) == 3


def test_long_large_requirement_is_divided_into_increments_of_at_most_18_months() -> None:
    raw = {"tender": {"contractPeriod": {"durationInDays": 1461}}}
    items = (item("1", "72212000", "Case management software"),)
    result = run(items=items, value_amount=Decimal("2000000"), raw=raw)
    timed = [p for p in result.packages if "time increment" in p.strategy]
    # 48 months at GBP 2M: toward the GBP 135,018 ceiling, down to the six-month floor.
    assert len(timed) == 8
    assert all(p.duration_months is not None and 6 <= p.duration_months <= 18 for p in timed)
    assert sum(p.estimated_value or 0 for p in timed) == Decimal("2000000.00")
    # Still large: said plainly on Lotwise's pages, never in what the buyer publishes.
    assert all("micro-contract ceiling" in " ".join(p.notes) for p in timed)


def test_published_lots_are_kept_and_valued_as_published() -> None:
    lots = (
        Lot("1", "Research", value_amount=Decimal("60000"), related_items=("a",)),
        Lot("2", "Build", related_items=("b",)),
    )
    items = (item("a", "79311000", "Research"), item("b", "72413000", "Build"))
    result = run(lots=lots, items=items, value_amount=Decimal("100000"))
    by_title = {p.title: p for p in result.packages}
    assert by_title["Research"].value_method == "lot value as published"
    assert by_title["Build"].value_method == "apportioned by item count"
    assert by_title["Build"].item_ids == ("b",)


def test_aggregation_guard_states_the_whole_value_and_the_procedure() -> None:
    items = (item("1", "79311000", "Research"), item("2", "72413000", "Build"))
    result = run(items=items, value_amount=Decimal("250000"))
    assert result.aggregated_value == Decimal("250000")
    assert "Procurement Act 2023" in result.procedure
    assert "250,000" in result.aggregation_note and "never a way under" in result.aggregation_note
    assert "s.4 and Sch. 3" in result.aggregation_note


def test_packages_are_optional_with_a_reason_when_a_split_is_not_recommended() -> None:
    items = (item("1", "79311000", "Research"), item("2", "72413000", "Build"))
    result = run(items=items, value_amount=Decimal("20000"))
    assert not result.should_split
    assert len(result.packages) == 2
    assert all(p.optional and p.optional_reason for p in result.packages)


def test_large_multi_subject_requirement_should_be_split() -> None:
    items = (item("1", "79311000", "Research"), item("2", "72413000", "Build"))
    result = run(items=items, value_amount=Decimal("600000"), description="An end-to-end service.")
    assert result.should_split and result.score >= 0.5
    assert all(not p.optional and p.reason for p in result.packages)


def test_nothing_to_read_is_insufficient_data_with_the_reason() -> None:
    result = run(description=None, value_amount=None)
    assert result.status == "insufficient data"
    assert result.insufficient_reason is not None
    assert "no estimated value" in result.insufficient_reason
    assert "no items" in result.insufficient_reason and not result.should_split


def test_absurd_values_are_reported_not_used() -> None:
    for amount in (Decimal("-5"), Decimal("1e300"), Decimal("NaN"), Decimal("sNaN")):
        result = run(value_amount=amount, items=(item("1", "72413000", "Build"),))
        assert result.aggregated_value is None
        assert result.insufficient_reason and "value" in result.insufficient_reason


def test_unknown_currency_is_partial_not_an_error() -> None:
    items = (item("1", "79311000", "Research"), item("2", "72413000", "Build"))
    result = run(items=items, currency="PYG", countries=(), value_amount=Decimal("600000000"))
    assert result.jurisdiction is None
    assert len(result.packages) == 2
    assert result.insufficient_reason and "PYG" in result.insufficient_reason


def test_published_item_values_value_the_product_packages() -> None:
    items = (item("1", "30213100", "Laptops"), item("2", "32322000", "Interactive screens"))
    raw = {
        "tender": {
            "items": [
                {"id": "1", "quantity": 240, "unit": {"value": {"amount": 3100}}},
                {"id": "2", "quantity": 24, "unit": {"value": {"amount": 14500}}},
            ]
        }
    }
    result = run(items=items, value_amount=Decimal("1092000"), raw=raw)
    values = {p.item_ids: p.estimated_value for p in result.packages}
    assert values == {("1",): Decimal("744000.00"), ("2",): Decimal("348000.00")}
    assert all("unit values" in p.value_method for p in result.packages)
