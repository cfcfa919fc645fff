"""Undivided notices without items: lists in the text, listed codes and regions, and the
micro-contract ceiling, each giving packages with their reasons."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from scanner.ingest.tender import Classification, NormalisedTender
from scanner.splitter import Assessment, assess, load_thresholds
from scanner.splitter.deliverables import deliverables_in

THRESHOLDS = load_thresholds(Path(__file__).resolve().parents[2] / "config" / "thresholds.toml")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def run(**fields: Any) -> Assessment:
    defaults: dict[str, Any] = {
        "source": "test",
        "source_key": "ocds-test-3",
        "title": "Facilities services framework",
        "currency": "GBP",
        "countries": ("GB",),
        "description": "Services for the council estate.",
    }
    return assess(NormalisedTender(**{**defaults, **fields}), now=NOW, thresholds=THRESHOLDS)


def test_an_and_list_after_including_becomes_one_package_each() -> None:
    text = (
        "A framework for a range of estate services including window cleaning, pest control, "
        "waste collection and grounds maintenance across the county."
    )
    assert deliverables_in(text) == [
        "Window cleaning",
        "Pest control",
        "Waste collection",
        "Grounds maintenance",
    ]
    result = run(description=text, value_amount=Decimal("800000"))
    assert [p.title for p in result.packages] == deliverables_in(text)
    assert all(p.strategy == "by deliverable" for p in result.packages)


def test_two_subjects_count_only_after_a_statement_of_scope() -> None:
    assert deliverables_in("This covers drainage and verge cutting.") == [
        "Drainage",
        "Verge cutting",
    ]
    assert deliverables_in("We value quality and price.") == []


def test_adjectives_in_running_prose_are_not_a_list() -> None:
    text = "Planned, reactive, routine and emergency joinery works across the estate."
    assert deliverables_in(text) == []


def test_short_lines_after_a_colon_are_deliverables() -> None:
    text = "The contractor will deliver:\nBoiler servicing\nHeat pump installs\nLoft insulation\nAll to a high standard."
    assert deliverables_in(text) == ["Boiler servicing", "Heat pump installs", "Loft insulation"]


def test_without_items_the_listed_cpv_groups_become_packages_with_their_labels() -> None:
    classifications = (
        Classification("CPV", "90910000", "Cleaning services"),
        Classification("CPV", "77310000", "Planting and maintenance services of green areas"),
    )
    result = run(
        cpv_codes=("90910000", "77310000"),
        classifications=classifications,
        value_amount=Decimal("120000"),
    )
    by_cpv = {p.cpv: p for p in result.packages}
    assert set(by_cpv) == {"90910000", "77310000"}
    assert by_cpv["90910000"].title == "Cleaning services"
    assert by_cpv["90910000"].estimated_value == Decimal("60000.00")
    assert all("division" in p.reason and p.strategy == "by CPV" for p in result.packages)


def test_without_items_or_structure_listed_regions_become_packages() -> None:
    result = run(regions=("UKM61", "UKM62", "UKM"), value_amount=Decimal("90000"))
    assert sorted(p.region or "" for p in result.packages) == ["UKM61", "UKM62"]
    assert all("places of performance" in p.reason for p in result.packages)


def test_a_package_above_the_ceiling_is_cut_into_shorter_increments_toward_it() -> None:
    raw = {"tender": {"contractPeriod": {"durationInDays": 730}}}
    result = run(value_amount=Decimal("600000"), raw=raw)
    timed = [p for p in result.packages if "time increment" in p.strategy]
    assert [p.duration_months for p in timed] == [6, 6, 6, 6]
    assert sum(p.estimated_value or 0 for p in timed) == Decimal("600000.00")
    assert all("toward the micro-contract ceiling" in " ".join(p.notes) for p in timed)
    assert not any("ceiling" in p.reason for p in timed)  # Lotwise's own wording stays internal
    assert all(p.depends_on == () for p in timed)
    # The aggregated value and the procedure it calls for are unchanged by the division.
    assert result.aggregated_value == Decimal("600000")
    # No buyer type shown: the central government threshold, the conservative reading, alone.
    assert "central government threshold" in result.procedure
    assert "sub-central" not in result.procedure


def test_a_package_within_the_ceiling_is_not_cut_by_time() -> None:
    raw = {"tender": {"contractPeriod": {"durationInDays": 1095}}}
    result = run(value_amount=Decimal("100000"), raw=raw)
    assert not any("time increment" in p.strategy for p in result.packages)


def test_line_breaks_lost_as_rn_are_restored_without_breaking_words() -> None:
    text = "Divided into lots:rnLot 1: Beds and mattressesrnLot 2: Rental and cleaning.rn Other"
    assert deliverables_in(text) == ["Lot 1: Beds and mattresses", "Lot 2: Rental and cleaning"]
    assert deliverables_in("Northern and modern services, turn and return.") == []


def test_lot_headings_in_other_eu_languages_are_read() -> None:
    polish = "Część 1 - dostawa igieł. Część 2 - dostawa cewników."
    assert deliverables_in(polish) == ["Część 1: dostawa igieł", "Część 2: dostawa cewników"]
    norwegian = "Delkontrakt 1 for Oslo. Delkontrakt 2 for Bodø."
    assert len(deliverables_in(norwegian)) == 2


def test_one_item_standing_for_the_whole_is_divided_by_its_listed_codes() -> None:
    from scanner.ingest.tender import Item

    codes = (
        Classification("CPV", "50000000", "Repair and maintenance services"),
        Classification("CPV", "44221000", "Windows, doors and related items"),
    )
    whole = Item("1", "Door entry and barriers", codes)
    result = run(items=(whole,), cpv_codes=("50000000", "44221000"), classifications=codes)
    assert {p.cpv for p in result.packages} == {"50000000", "44221000"}
    assert all(p.item_ids == ("1",) for p in result.packages)


def test_an_and_list_is_looked_for_only_near_the_start_of_a_long_text() -> None:
    late = "x " * 2000 + "including window cleaning, pest control and waste collection."
    assert deliverables_in(late) == []
