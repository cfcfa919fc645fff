"""Ranking metrics on small cases worked out by hand, their edge cases, and labels validation."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from scanner.evaluation.ranking import (
    LabelsError,
    LabelSet,
    dcg,
    evaluate,
    format_report,
    judged_at_k,
    load_labels,
    ndcg_at_k,
    parse_labels,
    precision_at_k,
)

# a: relevant, b: borderline, c: judged not relevant, d: relevant; x, y: never judged.
GRADES = {"a": 2, "b": 1, "c": 0, "d": 2}
LOG3 = math.log2(3)
IDEAL_AT_3 = 3 / 1 + 3 / LOG3 + 1 / 2  # grades 2, 2, 1 at ranks 1, 2, 3


def test_dcg_uses_exponential_gains_and_log2_discount() -> None:
    assert dcg([2, 1, 0]) == pytest.approx(3 / 1 + 1 / LOG3 + 0)
    assert dcg([]) == 0


def test_precision_counts_borderline_by_default_and_only_relevant_on_request() -> None:
    ranking = ["c", "a", "x", "b"]
    assert precision_at_k(ranking, GRADES, 3) == pytest.approx(1 / 3)
    assert precision_at_k(ranking, GRADES, 4) == pytest.approx(2 / 4)
    assert precision_at_k(ranking, GRADES, 4, min_grade=2) == pytest.approx(1 / 4)


def test_ndcg_divides_by_the_ideal_from_all_labels_not_only_the_ranked_ones() -> None:
    # DCG of c, a, x = 0 + 3/log2(3) + 0; the ideal uses d and b too, which were not ranked.
    assert ndcg_at_k(["c", "a", "x", "b"], GRADES, 3) == pytest.approx((3 / LOG3) / IDEAL_AT_3)
    assert ndcg_at_k(["c", "a", "x", "b"], GRADES, 3) == pytest.approx(0.35098, abs=1e-5)


def test_ideal_order_scores_one_and_reversed_order_less() -> None:
    assert ndcg_at_k(["a", "d", "b", "c"], GRADES, 3) == pytest.approx(1.0)
    assert ndcg_at_k(["d", "a", "b"], GRADES, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["c", "b", "a", "d"], GRADES, 4) < 1.0


def test_fewer_results_than_k_are_padded_with_misses() -> None:
    assert precision_at_k(["a"], GRADES, 5) == pytest.approx(1 / 5)
    ideal_at_5 = IDEAL_AT_3 + 0  # the fourth label is a 0
    assert ndcg_at_k(["a"], GRADES, 5) == pytest.approx(3 / ideal_at_5)
    assert precision_at_k([], GRADES, 5) == 0
    assert ndcg_at_k([], GRADES, 5) == 0


def test_no_relevant_labels_leaves_ndcg_undefined_but_precision_zero() -> None:
    nothing = {"a": 0, "b": 0}
    assert ndcg_at_k(["a", "b"], nothing, 10) is None
    assert ndcg_at_k(["a"], {}, 10) is None
    assert precision_at_k(["a", "b"], nothing, 2) == 0


def test_a_tender_ranked_twice_counts_once_at_its_best_rank() -> None:
    # e.g. the tender and one of its lots both mapped to the tender key
    assert precision_at_k(["a", "a", "b"], GRADES, 2) == pytest.approx(1.0)
    assert ndcg_at_k(["a", "a", "d"], GRADES, 2) == pytest.approx(1.0)


def test_judged_share_of_the_top_k() -> None:
    assert judged_at_k(["a", "x", "y"], GRADES, 3) == pytest.approx(1 / 3)
    assert judged_at_k(["a", "x"], GRADES, 1) == 1.0
    assert judged_at_k([], GRADES, 5) == 1.0


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_k_must_be_a_positive_whole_number(k: object) -> None:
    with pytest.raises(ValueError, match="k must be"):
        precision_at_k(["a"], GRADES, k)  # type: ignore[arg-type]


def labels_of(grades_by_profile: dict[str, dict[str, int]]) -> LabelSet:
    return parse_labels(
        {
            "profile": [
                {
                    "id": profile,
                    "labels": [
                        {"tender": t, "grade": g, "reason": "fits" if g else ""}
                        for t, g in grades.items()
                    ],
                }
                for profile, grades in grades_by_profile.items()
            ]
        }
    )


def test_evaluate_reports_each_profile_and_macro_averages() -> None:
    labels = labels_of({"org-a": GRADES, "org-b": {"p": 1, "q": 0}, "org-c": {"r": 0}})
    report = evaluate({"org-a": ["c", "a", "x"], "org-b": ["p"], "stranger": ["a"]}, labels)
    by_id = {s.profile_id: s for s in report.profiles}
    assert report.ks == (5, 10)
    assert by_id["org-a"].precision[5] == pytest.approx(1 / 5)
    assert by_id["org-b"].ndcg[10] == pytest.approx(1.0)
    assert by_id["org-c"].ndcg[10] is None and by_id["org-c"].returned == 0
    assert by_id["org-a"].relevant == 3 and by_id["org-a"].judged[10] == pytest.approx(2 / 3)
    # precision over all three profiles; NDCG only over the two with anything to find
    assert report.macro_precision[5] == pytest.approx((1 / 5 + 1 / 5 + 0) / 3)
    expected_a = (3 / LOG3) / (IDEAL_AT_3 + 0)
    assert report.macro_ndcg[10] == pytest.approx((expected_a + 1.0) / 2)
    assert report.ndcg_profiles == 2
    assert report.unlabelled == ("stranger",)


def test_evaluate_with_relevant_only_threshold() -> None:
    labels = labels_of({"org-a": GRADES})
    report = evaluate({"org-a": ["b", "a"]}, labels, ks=[2], min_grade=2)
    assert report.profiles[0].precision[2] == pytest.approx(1 / 2)
    assert report.profiles[0].relevant == 2
    with pytest.raises(ValueError, match="min_grade"):
        evaluate({}, labels, min_grade=0)


def test_format_report_is_a_table_with_a_macro_row() -> None:
    labels = labels_of({"org-a": GRADES, "org-c": {"r": 0}})
    text = format_report(evaluate({"org-a": ["a", "d"]}, labels), title="baseline")
    lines = text.splitlines()
    assert lines[0] == "baseline"
    assert lines[1].split() == [
        "profile",
        "P@5",
        "P@10",
        "NDCG@5",
        "NDCG@10",
        "judged@10",
        "ranked",
        "relevant",
    ]
    assert any(line.startswith("org-a") and "0.40" in line for line in lines)
    org_c = next(line for line in lines if line.startswith("org-c"))
    assert " - " in org_c  # undefined NDCG
    assert any(line.startswith("macro (2 profiles)") for line in lines)


def test_unknown_profiles_and_tenders_are_named_in_one_error() -> None:
    data = {
        "profile": [
            {"id": "org-a", "labels": [{"tender": "t1", "grade": 2, "reason": "ok"}]},
            {"id": "ghost", "labels": [{"tender": "t404", "grade": 0}]},
        ]
    }
    with pytest.raises(LabelsError) as caught:
        parse_labels(data, known_profiles={"org-a"}, known_tenders={"t1"})
    message = str(caught.value)
    assert "'ghost': unknown organisation profile id" in message
    assert "tender 't404': unknown tender key" in message
    assert len(caught.value.problems) == 2
    assert parse_labels(data).profiles["ghost"]["t404"].grade == 0  # nothing to check against


@pytest.mark.parametrize(
    ("label", "problem"),
    [
        ({"tender": "t1", "grade": 3}, "grade must be 0, 1 or 2"),
        ({"tender": "t1", "grade": True}, "grade must be 0, 1 or 2"),
        ({"tender": "t1", "grade": 1}, "grade 1 needs a `reason`"),
        ({"tender": "t1", "grade": 2, "reason": "  "}, "grade 2 needs a `reason`"),
        ({"grade": 0}, "needs a `tender`"),
        ({"tender": "t1", "grade": 0, "score": 3}, "unknown field(s) score"),
        ({"tender": "t1", "grade": 1, "reason": "x", "part": 4}, "`part` and `via` must be text"),
    ],
)
def test_malformed_labels_are_rejected(label: dict[str, object], problem: str) -> None:
    with pytest.raises(LabelsError, match=re.escape(problem)):
        parse_labels({"profile": [{"id": "org-a", "labels": [label]}]})


def test_duplicates_and_bad_shapes_are_rejected() -> None:
    twice = {"tender": "t1", "grade": 0}
    with pytest.raises(LabelsError, match="labelled twice"):
        parse_labels({"profile": [{"id": "org-a", "labels": [twice, twice]}]})
    with pytest.raises(LabelsError, match="listed twice"):
        parse_labels({"profile": [{"id": "o", "labels": []}, {"id": "o", "labels": []}]})
    with pytest.raises(LabelsError, match="top-level `profile` list"):
        parse_labels({"profiles": []})
    with pytest.raises(LabelsError, match="needs a `labels` list"):
        parse_labels({"profile": [{"id": "o"}]})


def test_load_labels_reads_toml_and_json(tmp_path: Path) -> None:
    toml_file = tmp_path / "labels.toml"
    toml_file.write_text(
        '[[profile]]\nid = "org-a"\nlabels = [\n'
        '  { tender = "t1", grade = 2, reason = "fits", part = "Lot 2" },\n'
        '  { tender = "t2", grade = 0 },\n]\n',
        encoding="utf-8",
    )
    json_file = tmp_path / "labels.json"
    json_file.write_text(
        json.dumps(
            {"profile": [{"id": "org-a", "labels": [{"tender": "t1", "grade": 1, "reason": "r"}]}]}
        )
    )
    from_toml = load_labels(toml_file, known_profiles={"org-a"}, known_tenders={"t1", "t2"})
    assert from_toml.profiles["org-a"]["t1"].part == "Lot 2"
    assert from_toml.counts() == {0: 1, 1: 0, 2: 1}
    assert load_labels(json_file).grades("org-a") == {"t1": 1}
    broken = tmp_path / "broken.toml"
    broken.write_text("[[profile]\n", encoding="utf-8")
    with pytest.raises(LabelsError, match=r"broken\.toml: 1 problem"):
        load_labels(broken)
