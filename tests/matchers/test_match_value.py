"""Value fit against the profile's range and the half-turnover rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from matchers.types import Amount
from matchers.value import money, note_text, value_fit


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
        (Decimal(1), "value unusable"),  # a placeholder (Deutsche Bahn's EUR 1 lots on TED)
        (Decimal("9.99"), "value unusable"),
        (Decimal("NaN"), "value unusable"),
        (Decimal("Infinity"), "value unusable"),
        (Decimal("1e30"), "value unusable"),
    ],
)
def test_missing_negative_and_absurd_values_are_neutral(make_org, make_opp, weights, value, reason):
    result = value_fit(make_org(), make_opp(value=value), weights)
    assert result.score == 0.5 and result.detail == reason


def test_a_placeholder_value_is_no_ceiling_and_ten_is_a_value(make_org, make_opp, weights):
    """A framework "ceiling" of 1 is a placeholder: neutral, never "up to £1" under the
    minimum; from 10 on a value is judged (here far under the £10k minimum)."""
    ceiling = value_fit(make_org(), make_opp(value=Decimal(1), value_kind="ceiling"), weights)
    assert ceiling.score == 0.5 and "£1" not in ceiling.detail
    ten = value_fit(make_org(), make_opp(value=Decimal(10)), weights)
    assert ten.score < 0.01 and ten.detail.startswith("£10 is under your minimum")


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


def test_money_shows_billions_and_never_an_exponent() -> None:
    # forint budgets run to billions: "HUF 3.36e+03m" was shown for an ELMŰ framework lot
    assert money(3_360_000_000, "HUF ") == "HUF 3.36bn"
    assert money(121_500_000_000, "HUF ") == "HUF 122bn"
    assert money(610_000_000, "HUF ") == "HUF 610m"
    assert [money(999_600), money(999_700_000)] == ["£1m", "£1bn"]  # not "£1e+03k"
    assert "e+" not in money(2_000_000_000_000)


def test_a_part_of_a_total_is_never_over_the_maximum(make_org, make_opp, weights) -> None:
    org = make_org()  # £10k-£100k
    big = value_fit(org, make_opp(value=Decimal(1_188_000), value_kind="ceiling"), weights)
    assert big.score == pytest.approx(0.5) and "up to £1.19m" in big.detail
    assert "over your maximum" not in big.detail and "not published" in big.detail
    small = value_fit(org, make_opp(value=Decimal(4000), value_kind="ceiling"), weights)
    assert small.score == pytest.approx(0.2) and "up to £4k is under your minimum" in small.detail


def test_a_shared_framework_is_judged_on_an_even_share(make_org, make_opp, weights) -> None:
    org = make_org(turnover=None)  # £10k-£100k
    shared = make_opp(value=Decimal(3_000_000), value_low=Decimal(750_000), value_kind="ceiling")
    result = value_fit(org, shared, weights)
    assert result.score == pytest.approx(0.5 * 100_000 / 750_000)
    assert "£750k each if shared evenly, up to £3m is over your maximum £100k" in result.detail
    wide = make_opp(value=Decimal(3_000_000), value_low=Decimal(37_500), value_kind="ceiling")
    assert value_fit(org, wide, weights).score == pytest.approx(0.5)  # never "inside"


def test_range_from_the_smallest_lot_names_it(make_org, make_opp, weights) -> None:
    opp = make_opp(
        value=Decimal(119_000_000), value_low=Decimal(750_000), value_kind="range",
        value_note="4 lots of 3m-119m; the smallest, the least one supplier can win alone: 750k",
    )  # fmt: skip
    result = value_fit(make_org(turnover=None), opp, weights)
    assert result.score == pytest.approx(100_000 / 750_000)
    assert "over your maximum" in result.detail and "the smallest" in result.detail


@pytest.mark.parametrize(
    ("whole", "score", "words"),
    [
        (Decimal(60000), 1.0, "part of a tender of £60k, a whole that fits your size"),
        (Decimal(4000), 0.4, "part of a tender of £4k, under your minimum £10k"),
        (Decimal(1_600_000), 0.5, "part of a tender of £1.6m, more than you take on alone"),
    ],
)
def test_a_suggested_part_is_judged_on_its_whole(make_org, make_opp, weights, whole, score, words):
    note = "Lotwise's estimate of this part £40k, not published"
    opp = make_opp(kind="suggested_package", value=whole, value_kind="part", value_note=note)
    result = value_fit(make_org(), opp, weights)
    assert result.score == pytest.approx(score)
    assert words in result.detail and note in result.detail
    assert "inside your range" not in result.detail  # the estimate is never judged


def test_a_note_shows_its_amounts_in_the_readers_currency_with_the_notices_beside() -> None:
    # Issue 12: a note is made before its reader is known, so its amounts stay money until
    # shown: a RON reader of a euro notice reads lei, the notice's euros beside them.
    estimate = Amount(Decimal(1480000), "EUR", Decimal(1250000))
    parts = ("Lotwise's estimate of this part ", estimate, ", not published")
    assert note_text(parts) == "Lotwise's estimate of this part €1.48m, not published"
    assert note_text(parts, "RON", 5.9) == (
        "Lotwise's estimate of this part RON 7.38m (notice: €1.48m), not published"
    )
    # A reader of the notice's own currency reads its own amount, not a round trip.
    assert note_text(parts, "EUR", 1.17) == note_text(parts)
    # A range is shown as one; an amount no rate converts stays the notice's own.
    lots = ("3 lots of ", Amount(Decimal(3_000_000), "RON", Decimal(500_000)), "-",
            Amount(Decimal(119_000_000), "RON", Decimal(20_000_000)))  # fmt: skip
    assert note_text(lots, "EUR", 1.2) == "3 lots of €600k-€24m (notice: RON 3m-RON 119m)"
    unknown = ("framework ceiling ", Amount(Decimal(5_000_000), "XYZ", None))
    assert note_text(unknown, "EUR", 1.2) == "framework ceiling XYZ 5m"


def test_the_value_criterion_shows_the_note_in_the_readers_currency(
    make_org, make_opp, weights
) -> None:
    opp = make_opp(
        value=Decimal(2_500_000),
        value_kind="part",
        published_value=(Decimal(3_000_000), "EUR"),
        value_note="Lotwise's estimate of this part €1.48m, not published",
        value_note_parts=(
            "Lotwise's estimate of this part ",
            Amount(Decimal(1_480_000), "EUR", Decimal(1_250_000)),
            ", not published",
        ),
    )
    reader = make_org(currency="RON", currency_rate=5.9, value_max=Decimal(10_000_000))
    detail = value_fit(reader, opp, weights).detail
    assert "estimate of this part RON 7.38m (notice: €1.48m)" in detail
    assert "€1.48m," not in detail.replace("(notice: €1.48m)", "")
