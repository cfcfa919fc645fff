"""CPV and NAICS closeness by shared significant digits."""

from __future__ import annotations

import pytest

from matchers.bridge import code_terms, label_terms
from matchers.cpv import classification, closeness, cpv_significant, naics_significant


@pytest.mark.parametrize(
    ("code", "significant"),
    [
        ("72200000", "722"),
        ("72212000-4", "72212"),
        ("30000000", "30"),
        ("03000000-1", "03"),
        (" 72 ", "72"),
        ("7", None),
        ("", None),
        ("abc", None),
    ],
)
def test_trailing_zeros_and_check_digits_are_not_significant(code, significant) -> None:
    assert cpv_significant(code) == significant


def test_code_inside_your_prefix_is_a_full_match() -> None:
    assert closeness("72", "72212", 5) == 1.0
    assert closeness("72212", "72212", 5) == 1.0


def test_code_evidence_grows_with_the_depth_of_your_prefix() -> None:
    # a division alone says less than a group, a group less than a class (issue 12)
    assert closeness("72", "72212", 5, by_depth=True) == pytest.approx(0.6)
    assert closeness("722", "72212", 5, by_depth=True) == pytest.approx(0.8)
    assert closeness("7221", "72212", 5, by_depth=True) == 1.0
    assert closeness("72212", "72212", 5, by_depth=True) == 1.0
    # a near match is never worth more than a code inside your prefix of the same depth
    assert closeness("7221", "7222", 5, by_depth=True) == pytest.approx(0.6)


def test_a_division_only_match_says_it_counts_less(make_org, make_opp, weights) -> None:
    result = classification(make_org(cpv=("72",)), make_opp(cpv=("72212000",)), weights)
    assert result.score == pytest.approx(0.6)
    assert result.detail.endswith("within your IT services (72) (only 2 digits deep: counts 0.6)")


def test_partial_matches_score_shared_digits_over_five() -> None:
    assert closeness("72212", "72222", 5) == pytest.approx(0.6)  # same group 722
    assert closeness("72212", "72", 5) == pytest.approx(0.4)  # notice coded only by division
    assert closeness("722121", "722122", 5) == pytest.approx(0.9)  # capped below a full match
    assert closeness("72", "79", 5) == 0.0  # different division


def test_naics_uses_six_digits(make_org, make_opp, weights) -> None:
    assert naics_significant("541511") == "541511"
    assert closeness("541511", "541519", 6) == pytest.approx(5 / 6 if 5 / 6 < 0.9 else 0.9)
    result = classification(
        make_org(cpv=(), naics=("5415",)), make_opp(cpv=(), naics=("541511",)), weights
    )
    assert result.score == pytest.approx(5 / 6)  # industry group: one digit short of full
    assert result.detail == "NAICS 541511, within your NAICS 5415 (only 4 digits deep: counts 0.83)"


def test_classification_takes_the_best_pair_and_says_which(make_org, make_opp, weights) -> None:
    org = make_org(cpv=("79", "7221"))
    result = classification(org, make_opp(cpv=("45000000", "72212000")), weights)
    assert result.score == 1.0 and result.detail == (
        "Programming services of application software (72212), within your "
        "Programming services of packaged software products (7221)"
    )
    assert "CPV" not in result.detail  # codes are shown as words


def test_missing_codes_are_explained(make_org, make_opp, weights) -> None:
    assert "opportunity has no CPV" in classification(make_org(), make_opp(cpv=()), weights).detail
    assert "profile has no CPV" in classification(make_org(cpv=()), make_opp(), weights).detail
    assert classification(make_org(cpv=("45",)), make_opp(), weights).score == 0.0


def test_lists_instead_of_tuples_are_accepted(make_org, make_opp, weights) -> None:
    org = make_org(cpv=["7221"], naics=[])
    assert classification(org, make_opp(cpv=["72212000"]), weights).score == 1.0


def test_label_terms_of_a_prefix_take_the_words_of_its_children_labels() -> None:
    """ "Pharmaceutical products" (3360) says nothing of "cardiovascular" or "dermatological":
    its children's labels do, and no other division's labels hold those words as often."""
    own = dict(code_terms("33600000", "en"))
    terms = dict(label_terms("3360", "en"))
    assert "pharmaceut" in own and "cardiovascular" not in own
    assert {"pharmaceut", "cardiovascular", "dermatolog", "respiratori"} <= set(terms)
