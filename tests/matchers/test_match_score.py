"""Combining the criteria: weighted mean, breakdown, and a one-line explanation with evidence."""

from __future__ import annotations

from decimal import Decimal

import pytest

from matchers.score import score
from matchers.weights import load_weights


def test_explanation_names_codes_keywords_value_deadline_and_place(
    make_opp, make_org, now, weights
):
    opp = make_opp(id="package:42:2", kind="suggested_package", parent_title="Benefits discovery")
    match = score(opp, make_org(), now=now, weights=weights)
    assert match.passed
    assert match.explanation == (
        "Programming services of application software (72212), within your IT services (72) "
        "(only 2 digits deep: counts 0.6); "
        "'user research' found in title of package 2; "
        "'service design' found in text of package 2; £40k inside your range £10k-£100k; "
        "closes in 21 days (15 working days); Inner London - West (UKI3), in your region London (UKI)"
    )


def test_score_is_the_weighted_mean_of_the_breakdown(make_opp, make_org, now, weights) -> None:
    match = score(make_opp(), make_org(), now=now, weights=weights)
    names = [c.name for c in match.criteria]
    assert names == ["text", "keywords", "classification", "value", "geography", "deadline"]
    expected = sum(c.score * c.weight for c in match.criteria) / weights.total
    assert match.score == pytest.approx(expected)
    assert 0.0 < match.score <= 1.0
    assert match.criterion("classification").weight == 0.25


def test_weights_change_the_score(make_opp, make_org, now) -> None:
    opp = make_opp(cpv=("79000000",))  # text relevant, code not
    org = make_org()
    text_heavy = load_weights({"weights": {"text": 5}})
    code_heavy = load_weights({"weights": {"classification": 5}})
    text_score = score(opp, org, now=now, weights=text_heavy).score
    code_score = score(opp, org, now=now, weights=code_heavy).score
    assert text_score > code_score


def test_words_found_without_keywords_are_explained(make_opp, make_org, now, weights) -> None:
    org = make_org(keywords=(), cpv=())
    match = score(make_opp(value=None, deadline=None), org, now=now, weights=weights)
    assert match.explanation.startswith("text mentions ") and "'research'" in match.explanation
    assert "no value published" in match.explanation
    assert "no deadline given" in match.explanation


def test_empty_and_absurd_inputs_give_a_result_not_an_error(make_opp, make_org, now, weights):
    opp = make_opp(title="", text="", cpv=(), value=Decimal("-1e40"), regions=(), deadline=None)
    match = score(opp, make_org(keywords=(), capabilities=""), now=now, weights=weights)
    assert match.gate is not None and match.gate.name == "relevance"
