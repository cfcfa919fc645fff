"""Value fit against the profile's range and the half-turnover rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from matchers.value import money, value_fit


@pytest.mark.parametrize(
    ("value", "score", "words"),
    [
        (Decimal(40000), 1.0, "£40k inside your range £10k-£100k"),
        (Decimal(5000), 0.5, "under your minimum £10k"),
        (Decimal(150000), 100000 / 150000, "over your maximum £100k"),
        (Decimal(300000), 100000 / 300000, "over your maximum £100k and over half your turnover"),
    ],
)
def test_value_against_range_and_turnover(make_org, make_opp, weights, value, score, words) -> None:
    result = value_fit(make_org(), make_opp(value=value), weights)
    assert result.score == pytest.approx(score)
    assert words in result.detail


def test_half_turnover_rule_cites_its_source(make_org, make_opp, weights) -> None:
    result = value_fit(make_org(value_max=None), make_opp(value=Decimal(250000)), weights)
    assert result.score == pytest.approx(0.8)
    assert "Art. 58(3)" in result.detail


def test_over_maximum_falls_with_distance(make_org, make_opp, weights) -> None:
    org = make_org(turnover=None)
    near = value_fit(org, make_opp(value=Decimal(120000)), weights).score
    far = value_fit(org, make_opp(value=Decimal(1000000)), weights).score
    assert 1.0 > near > far > 0


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "no value published"),
        (Decimal(-5), "value unusable"),
        (Decimal(0), "value unusable"),
        (Decimal("NaN"), "value unusable"),
        (Decimal("Infinity"), "value unusable"),
        (Decimal("1e30"), "value unusable"),
    ],
)
def test_missing_negative_and_absurd_values_are_neutral(make_org, make_opp, weights, value, reason):
    result = value_fit(make_org(), make_opp(value=value), weights)
    assert result.score == 0.5 and result.detail == reason


def test_profile_without_range_and_with_swapped_range(make_org, make_opp, weights) -> None:
    bare = make_org(value_min=None, value_max=None, turnover=None)
    assert value_fit(bare, make_opp(), weights).detail == "£40k (no range in profile)"
    swapped = make_org(value_min=Decimal(100000), value_max=Decimal(10000))
    assert value_fit(swapped, make_opp(), weights).score == 1.0
    assert value_fit(make_org(value_min=None), make_opp(), weights).detail == (
        "£40k within your maximum £100k"
    )
    assert value_fit(make_org(value_max=None), make_opp(), weights).detail == (
        "£40k above your minimum £10k"
    )
    negative = make_org(value_min=Decimal(-10), value_max=Decimal(-1), turnover=Decimal(-1))
    assert value_fit(negative, make_opp(), weights).score == 1.0


def test_money_is_compact() -> None:
    assert [money(950), money(40000), money(1250000)] == ["£950", "£40k", "£1.25m"]
