"""The pure de-duplication core: identifiers, pair scores with reasons, vetoes for other lots
and years, exclusions, the configuration's checks, and blocking that finds exactly what the
all-pairs comparison finds."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from itertools import combinations
from pathlib import Path

import pytest

from scanner.dedupe import (
    DedupeConfig,
    DedupeConfigError,
    Grouping,
    deduplicate,
    identifiers_of,
    load_dedupe_config,
    make_record,
    score_pair,
)
from scanner.dedupe.grouping import pair_key
from scanner.dedupe.synthetic import corpus

CONFIG = DedupeConfig()
DEADLINE = datetime(2026, 12, 15, 12, tzinfo=UTC)


def rec(id: int, source: str, title: str, buyer: str = "Leeds City Council", **kw: object):  # type: ignore[no-untyped-def]
    fields: dict[str, object] = {"deadline": DEADLINE, "value": Decimal(100000)} | kw
    return make_record(id=id, source=source, title=title, buyer=buyer, **fields)  # type: ignore[arg-type]


def test_identifiers_come_from_notice_urls_documents_descriptions_and_planning_processes() -> None:
    ids = identifiers_of(
        source="contracts_finder",
        ocid="ocds-b5fd17-abc",
        notice_id="abc-1",
        notice_url="https://www.contractsfinder.service.gov.uk/Notice/552c8041-de65-46f7-a75b-9f5594b99753",
        description="Also advertised as FTS 012345-2026 and on TED: see OJ S 98765-2026.",
        raw={
            "tender": {
                "documents": [{"url": "https://ted.europa.eu/en/notice/-/detail/4567-2026"}]
            },
            "relatedProcesses": [
                {"relationship": ["planning"], "scheme": "ocid", "identifier": "ocds-h6vhtk-0aa1"},
                {"relationship": ["prior"], "scheme": "ocid", "identifier": "ocds-h6vhtk-old"},
            ],
        },
    )
    assert ids.own == {"ocid:ocds-b5fd17-abc", "cf:552c8041-de65-46f7-a75b-9f5594b99753"}
    refs = dict(ids.refs)
    assert refs["fts:012345-2026"] == "description"
    assert refs["ted:098765-2026"] == "description"
    assert refs["ted:004567-2026"] == "tender.documents[0].url"
    assert refs["ocid:ocds-h6vhtk-0aa1"] == "relatedProcesses[0]"
    assert "ocid:ocds-h6vhtk-old" not in refs  # a prior procurement is another opportunity


def test_a_find_a_tender_notice_is_named_by_its_number() -> None:
    ids = identifiers_of(
        source="find_a_tender",
        ocid="ocds-h6vhtk-06e832",
        notice_id="094477-2026",
        notice_url=None,
        description=None,
        raw={},
    )
    assert "fts:094477-2026" in ids.own


def test_fuzzy_merge_carries_a_reason_per_field() -> None:
    pair = score_pair(
        rec(1, "fts", "Digital inclusion support"),
        rec(2, "cf", "DIGITAL INCLUSION SUPPORT.", buyer="The Leeds City Council Ltd"),
        CONFIG,
    )
    assert pair.merge and pair.method == "fuzzy"
    assert {r["field"] for r in pair.reasons} == {"title", "buyer", "deadline", "value", "score"}
    assert all(r["passed"] for r in pair.reasons)


@pytest.mark.parametrize(
    ("left", "right", "veto"),
    [
        ("Grounds maintenance lot 1", "Grounds maintenance lot 2", "title numbers"),
        ("Grounds maintenance", "Grounds maintenance lot 2", "title numbers"),
        ("Winter gritting 2025", "Winter gritting 2026", "title numbers"),
    ],
)
def test_other_lots_and_years_are_not_merged(left: str, right: str, veto: str) -> None:
    pair = score_pair(rec(1, "fts", left), rec(2, "cf", right), CONFIG)
    assert not pair.merge
    assert any(r["field"] == veto and not r["passed"] for r in pair.reasons)


def test_other_buyer_deadline_or_value_is_not_merged() -> None:
    base = rec(1, "fts", "Case management system")
    for other, field in (
        (rec(2, "cf", "Case management system", buyer="York City Council"), "buyer"),
        (
            rec(2, "cf", "Case management system", deadline=datetime(2026, 12, 25, tzinfo=UTC)),
            "deadline",
        ),
        (rec(2, "cf", "Case management system", value=Decimal(300000)), "value"),
    ):
        pair = score_pair(base, other, CONFIG)
        assert not pair.merge
        assert any(r["field"] == field and not r["passed"] for r in pair.reasons)


def test_a_cross_reference_merges_unless_the_titles_are_unrelated() -> None:
    fts_ids = identifiers_of(
        source="find_a_tender",
        ocid=None,
        notice_id="012345-2026",
        notice_url=None,
        description=None,
        raw={},
    )
    cf_ids = identifiers_of(
        source="contracts_finder",
        ocid=None,
        notice_id=None,
        notice_url=None,
        description="Published on Find a Tender: FTS 012345-2026",
        raw={},
    )
    fts = rec(1, "fts", "Website redevelopment and hosting", ids=fts_ids, buyer="Bristol")
    near = rec(2, "cf", "Hosting of our new website", ids=cf_ids, buyer="Bristol CC", value=None)
    far = rec(3, "cf", "Replacement of the previous contract for legal advice", ids=cf_ids)
    assert score_pair(fts, near, CONFIG).method == "identifier"
    assert score_pair(fts, near, CONFIG).merge
    refused = score_pair(fts, far, CONFIG)
    assert not refused.merge and "titles differ" in refused.reasons[0]["detail"]


def test_an_excluded_pair_and_a_second_notice_of_one_source_are_not_grouped() -> None:
    a, b, c = (
        rec(1, "fts", "Energy audit"),
        rec(2, "cf", "Energy audit"),
        rec(3, "cf", "Energy audit"),
    )
    grouping = Grouping(CONFIG, exclusions=[(2, 1)])
    grouping.place(1, "fts")
    assert grouping.best_match(b, [a]) is None
    grouping = Grouping(CONFIG)
    grouping.place(1, "fts")
    grouping.place(2, "cf", 1)
    assert grouping.best_match(c, [a, b]) is None  # the group already has a cf notice


@pytest.mark.parametrize("seed", [1, 2])
def test_blocking_finds_the_same_groups_as_all_pairs(seed: int) -> None:
    records, truth = corpus(300, seed=seed)
    blocked, _ = deduplicate(records, CONFIG, blocking=True)
    everything, _ = deduplicate(records, CONFIG, blocking=False)

    def pairs(grouping: Grouping) -> set[tuple[int, int]]:
        return {pair_key(a, b) for m in grouping.members.values() for a, b in combinations(m, 2)}

    assert pairs(blocked) == pairs(everything)
    assert len(pairs(blocked) & truth) >= 0.9 * len(truth) and truth


def test_the_configured_file_loads_and_bad_values_are_named(tmp_path: Path) -> None:
    from scanner.settings import DEFAULT_CONFIG_DIR

    assert load_dedupe_config(DEFAULT_CONFIG_DIR / "dedupe.toml").merge_score == 0.86
    bad = tmp_path / "dedupe.toml"
    bad.write_text("[fuzzy]\ntitle_min = 1.5\n")
    with pytest.raises(
        DedupeConfigError, match=r"dedupe.toml: title_min must be a number from 0 to 1"
    ):
        load_dedupe_config(bad)
    bad.write_text("[weights]\ncolour = 1\n")
    with pytest.raises(DedupeConfigError, match="unknown field"):
        load_dedupe_config(bad)
    with pytest.raises(DedupeConfigError, match="not found"):
        load_dedupe_config(tmp_path / "missing.toml")
