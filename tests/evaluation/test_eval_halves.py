"""The tuning / held-out split of the labelled profiles and its macro figures."""

from __future__ import annotations

import hashlib
import math

import pytest

from scanner.evaluation.ranking import Label, LabelSet, evaluate
from scanner.services.evaluation import macro_of, split_by_threshold, split_profiles


def test_split_is_deterministic_balanced_and_independent_of_order() -> None:
    ids = [f"org-{n}" for n in range(31)]
    tuning, held_out = split_profiles(ids)
    assert (tuning, held_out) == split_profiles(reversed(ids))
    assert len(tuning) == 15 and len(held_out) == 16 and not tuning & held_out
    assert tuning | held_out == set(ids)
    first = min(ids, key=lambda i: hashlib.sha256(i.encode()).hexdigest())
    assert first in tuning


def test_macro_of_averages_only_the_chosen_profiles() -> None:
    labels = LabelSet({"a": {"t1": Label("t1", 2)}, "b": {"t2": Label("t2", 2)}})
    report = evaluate({"a": ["t1"], "b": ["x"]}, labels, ks=(1,))
    assert macro_of(report, {"a"}).ndcg[1] == pytest.approx(1.0)
    assert macro_of(report, {"b"}).precision[1] == 0.0
    both = macro_of(report, {"a", "b"})
    assert both.profiles == 2 and both.ndcg[1] == pytest.approx(0.5)
    assert macro_of(report, set()).ndcg[1] is None


def test_evaluate_matching_reports_both_halves_and_all() -> None:
    from scanner.demo.generate import ANCHOR
    from scanner.services.evaluation import evaluate_matching, format_halves
    from scanner.services.matching import MatchingConfig
    from scanner.settings import PROJECT_ROOT
    from scanner.splitter import load_thresholds

    config = MatchingConfig.load(
        PROJECT_ROOT / "config" / "matching.toml", PROJECT_ROOT / "config" / "rates.toml"
    )
    thresholds = load_thresholds(PROJECT_ROOT / "config" / "thresholds.toml")
    result = evaluate_matching(config, thresholds, now=ANCHOR)
    assert len(result.tuning) + len(result.held_out) == result.profiles == 31
    halves = result.halves()
    everything = halves["all"]["matcher"]
    assert everything.precision == result.matcher.macro_precision
    assert everything.ndcg == pytest.approx(result.matcher.macro_ndcg)
    weighted = sum(
        halves[h]["baseline"].precision[10] * halves[h]["baseline"].profiles
        for h in ("tuning", "held-out")
    )
    assert weighted / 31 == pytest.approx(result.baseline.macro_precision[10])
    shown = format_halves(result)
    assert "held-out  matcher" in shown and "tuning    baseline" in shown


def test_groups_per_half_equal_a_computation_by_hand() -> None:
    from scanner.services.evaluation import Evaluation, format_groups

    labels = LabelSet(
        {
            "p1": {"a": Label("a", 2), "b": Label("b", 0)},
            "p2": {"c": Label("c", 1)},
            "p3": {"d": Label("d", 2), "e": Label("e", 1)},
        }
    )
    rankings = {"p1": ["b", "a"], "p2": ["x", "c"], "p3": ["d", "e"]}
    report = evaluate(rankings, labels, ks=(1, 2))
    result = Evaluation(
        reports={"matcher": report},
        tenders=5,
        opportunities=5,
        profiles=3,
        tuning=frozenset({"p1", "p3"}),
        held_out=frozenset({"p2"}),
        groups={"uk": frozenset({"p1", "p2"}), "en": frozenset({"p3"})},
    )
    uk = result.by_group()["uk"]
    # p1: b (0) then a (2): P@1 0, P@2 1/2, NDCG@2 = (3/log2(3)) / 3; judged 1 and 1.
    assert uk["tuning"]["matcher"].precision == {1: 0.0, 2: 0.5}
    assert uk["tuning"]["matcher"].ndcg[2] == pytest.approx(1 / math.log2(3))
    # p2: x (unjudged) then c (1): P@2 1/2, judged@1 0, judged@2 1/2, NDCG@2 = (1/log2(3)) / 1.
    assert uk["held-out"]["matcher"].judged == {1: 0.0, 2: 0.5}
    assert uk["held-out"]["matcher"].ndcg[2] == pytest.approx(1 / math.log2(3))
    assert uk["all"]["matcher"].precision[2] == pytest.approx(0.5)
    assert uk["all"]["matcher"].profiles == 2
    assert result.by_group()["en"]["held-out"]["matcher"].profiles == 0
    assert result.by_group()["en"]["tuning"]["matcher"].ndcg[2] == pytest.approx(1.0)
    shown = format_groups(result)
    assert "uk (Ukrainian)  tuning    matcher" in shown and "judged@2" in shown
    assert "en (English)    held-out" not in shown  # an empty half is not shown


def test_threshold_split_never_moves_a_profile_when_others_are_added() -> None:
    ids = [f"org-{n}" for n in range(40)]
    tuning, held_out = split_by_threshold(ids[:20], "7")
    more_tuning, more_held_out = split_by_threshold(ids, "7")
    assert tuning <= more_tuning and held_out <= more_held_out
    assert all(hashlib.sha256(i.encode()).hexdigest() < "7" for i in more_tuning)
    assert more_tuning | more_held_out == set(ids) and not more_tuning & more_held_out


def test_the_real_sets_first_43_profiles_keep_their_halves() -> None:
    """REAL_TUNING_BELOW sits where the median split of the first 43 profiles fell."""
    import tomllib

    from scanner.services.evaluation_real import REAL_PROFILES, REAL_TUNING_BELOW

    ids = [p["id"] for p in tomllib.loads(REAL_PROFILES.read_text("utf-8"))["organisation"]][:43]
    assert split_by_threshold(ids, REAL_TUNING_BELOW) == split_profiles(ids)
