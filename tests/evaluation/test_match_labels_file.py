"""The committed labelled set: it loads, refers only to real demo profiles and tenders, and is
large and balanced enough to judge matchers by."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from scanner.evaluation.demo_corpus import load_demo_tenders
from scanner.evaluation.ranking import LabelSet, evaluate, load_labels
from scanner.ingest.tender import NormalisedTender

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "benchmarks" / "match_labels" / "labels.toml"
ORGANISATIONS = ROOT / "scanner" / "demo" / "organisations.toml"
OPEN = {"active", "planned"}


@pytest.fixture(scope="module")
def organisations() -> list[dict[str, Any]]:
    return list(tomllib.loads(ORGANISATIONS.read_text(encoding="utf-8"))["organisation"])


@pytest.fixture(scope="module")
def tenders() -> dict[str, NormalisedTender]:
    return load_demo_tenders()


@pytest.fixture(scope="module")
def labels(organisations: list[dict[str, Any]], tenders: dict[str, NormalisedTender]) -> LabelSet:
    return load_labels(LABELS, {o["id"] for o in organisations}, set(tenders))


def test_demo_corpus_has_the_360_bundled_tenders(tenders: dict[str, NormalisedTender]) -> None:
    assert len(tenders) == 360
    assert all(key == t.source_key == t.ocid for key, t in tenders.items())


def test_demo_profiles_are_well_formed(organisations: list[dict[str, Any]]) -> None:
    ids = [o["id"] for o in organisations]
    assert len(ids) == len(set(ids)) >= 30
    for org in organisations:
        assert re.fullmatch(r"[a-z0-9-]{2,64}", org["id"]), org["id"]
        assert org["name"] and org["description"] and org["capabilities"]
        assert org["emails"] and all(
            re.fullmatch(r"[^@\s]+@[a-z0-9.-]+\.(example|example\.org)", e) for e in org["emails"]
        ), org["emails"]
        assert org["regions"] and 0 < org["value_min"] <= org["value_max"]
        assert org.get("open_source", "no preference") in {"always", "preferred", "no preference"}
        assert all(re.fullmatch(r"\d{2,8}(-\d)?", c) for c in org.get("cpv", []))


def test_labels_cover_at_least_30_known_profiles(
    labels: LabelSet, organisations: list[dict[str, Any]]
) -> None:
    # unknown profile ids and tender keys already failed `load_labels` in the fixture
    assert len(labels.profiles) >= 30
    assert set(labels.profiles) == {o["id"] for o in organisations}


def test_every_profile_has_something_to_find(labels: LabelSet) -> None:
    thin = {
        p: n for p, g in labels.profiles.items() if (n := sum(x.grade > 0 for x in g.values())) < 3
    }
    assert not thin, f"profiles with fewer than 3 relevant-or-borderline labels: {thin}"


def test_every_profile_was_judged_over_a_pool(labels: LabelSet) -> None:
    small = {p: len(g) for p, g in labels.profiles.items() if len(g) < 30}
    assert not small, f"pools under 30 judged tenders: {small}"
    counts = labels.counts()
    assert counts[2] > 0 and counts[1] > 0 and counts[0] > counts[2]


def test_closed_tenders_are_never_relevant(
    labels: LabelSet, tenders: dict[str, NormalisedTender]
) -> None:
    """Awarded or cancelled procedures cannot be bid for: a label above 0 would be a mistake."""
    wrong = [
        (profile, key, tenders[key].status)
        for profile, found in labels.profiles.items()
        for key, label in found.items()
        if label.grade > 0 and tenders[key].status not in OPEN
    ]
    assert not wrong


def test_parts_are_named_only_for_relevant_or_borderline_labels(labels: LabelSet) -> None:
    assert all(
        label.part is None or label.grade > 0
        for found in labels.profiles.values()
        for label in found.values()
    )


def test_a_ranking_in_label_order_scores_perfectly(labels: LabelSet) -> None:
    """The metrics and the file agree: ranking each profile's labels by grade is the ideal."""
    oracle = {
        profile: sorted(found, key=lambda key: -found[key].grade)
        for profile, found in labels.profiles.items()
    }
    report = evaluate(oracle, labels)
    assert report.ndcg_profiles == len(labels.profiles)
    assert report.macro_ndcg[10] == pytest.approx(1.0)
    for scores in report.profiles:
        assert scores.precision[5] == pytest.approx(min(scores.relevant, 5) / 5)
