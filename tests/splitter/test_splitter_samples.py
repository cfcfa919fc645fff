"""On real multi-lot notices with the buyer's lots hidden, the splitter finds a similar division."""

from __future__ import annotations

import dataclasses
import os
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest
from required import require_or_skip

from scanner.ingest.normalise import normalise_release
from scanner.ingest.ocds import iter_file_releases
from scanner.ingest.tender import NormalisedTender
from scanner.splitter import Assessment, assess, load_thresholds

REPO = Path(__file__).resolve().parents[2]
SAMPLES = Path(os.environ.get("LOTWISE_SHARED_DIR", REPO.parent / "shared")) / "samples"
THRESHOLDS = load_thresholds(REPO / "config" / "thresholds.toml")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def tenders() -> list[NormalisedTender]:
    folder = SAMPLES / "multi-lot-ocds"
    if not folder.is_dir():
        require_or_skip(
            f"shared samples not found at {folder} (set LOTWISE_SHARED_DIR)",
            "LOTWISE_REQUIRE_SHARED",
        )
    return [
        normalise_release(release, source="sample")
        for path in sorted(folder.glob("*.json"))
        for release in iter_file_releases(path)
    ]


def hide_lots(tender: NormalisedTender, *, items: bool = False) -> NormalisedTender:
    kept = () if items else tuple(dataclasses.replace(i, related_lot=None) for i in tender.items)
    return dataclasses.replace(tender, lots=(), items=kept)


def run(tender: NormalisedTender) -> Assessment:
    return assess(tender, now=NOW, thresholds=THRESHOLDS)


def item_groups(result: Assessment) -> list[tuple[str, ...]]:
    """Distinct item sets: time increments of one package cover the same items."""
    return list(dict.fromkeys(p.item_ids for p in result.packages if p.item_ids))


def test_published_lots_are_assessed_and_cover_their_items(tenders: list[NormalisedTender]) -> None:
    assert len(tenders) >= 60
    for tender in tenders:
        result = run(tender)
        assert result.status == "assessed"
        covered = {i for p in result.packages for i in p.item_ids}
        in_lots = {
            i.id for i in tender.items if i.related_lot in {lot.lot_id for lot in tender.lots}
        }
        assert in_lots <= covered, tender.source_key


def test_hidden_lots_are_recovered_as_pure_cpv_groups(tenders: list[NormalisedTender]) -> None:
    checked = 0
    for tender in tenders:
        first = {i.id: i.classifications[0].code[:3] for i in tender.items if i.classifications}
        if len(set(first.values())) < 2 or len(first) != len(tender.items):
            continue
        result = run(hide_lots(tender))
        groups = item_groups(result)
        assert len(groups) >= len(set(first.values())), tender.source_key
        for group in groups:  # each package holds one subject-matter
            assert len({first[i] for i in group}) == 1, tender.source_key
        ids = [i for g in groups for i in g]
        assert sorted(ids) == sorted(first), tender.source_key  # a partition of the items
        checked += 1
    assert checked >= 15


@pytest.mark.parametrize(
    ("ocid", "lots"),
    [
        ("ocds-r6ebe6-0000580278", 5),  # Road Haulage: "Lot 1 - Haulage of road salt", ...
        ("ocds-kuma6s-148385", 5),  # Roofing: "Workstream 1 – Traditional Flat Roofing", ...
        ("ocds-kuma6s-148369", 3),  # Kitchens & Bathrooms: one lot per area
        ("ocds-kuma6s-148098", 5),  # IT products and services
    ],
)
def test_lots_listed_in_the_description_are_found_with_items_hidden(
    tenders: list[NormalisedTender], ocid: str, lots: int
) -> None:
    tender = next(t for t in tenders if t.source_key == ocid)
    result = run(hide_lots(tender, items=True))
    listed = {p.scope for p in result.packages if "by deliverable" in p.strategy}
    assert len(listed) == lots
    # Divided either way: a division proposed, or "Lot 1 - ..." headings read as the buyer's.
    stated = any(s.code == "lots_stated" and s.fired for s in result.signals)
    assert result.should_split or stated


def test_most_large_undivided_samples_say_split(tenders: list[NormalisedTender]) -> None:
    verdicts: dict[bool, int] = defaultdict(int)
    for tender in tenders:
        result = run(hide_lots(tender))
        if result.aggregated_value is not None and result.jurisdiction is not None:
            verdicts[result.should_split] += 1
    assert verdicts[True] > verdicts[False]


def test_text_in_any_script_is_assessed(tenders: list[NormalisedTender]) -> None:
    armenian = [t for t in tenders if t.currency == "AMD"]
    assert armenian
    for tender in armenian:
        result = run(hide_lots(tender))
        assert result.status == "assessed" and result.jurisdiction is None
