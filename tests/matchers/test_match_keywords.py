"""Keyword coverage: whole words, adjacent phrases, typos, and the token_set_ratio pitfall."""

from __future__ import annotations

from rapidfuzz import fuzz

from matchers.analysis import terms
from matchers.keywords import keyword_coverage, prepare_keywords
from matchers.weights import Weights

W = Weights()


def coverage(keywords: tuple[str, ...], title: str = "", text: str = ""):
    fields = [("title", terms(title)), ("text", terms(text))]
    return keyword_coverage(prepare_keywords(keywords), fields, W, where=" of package 2")


def test_the_subset_pitfall_exists_in_token_set_ratio() -> None:
    # Why the matcher does not use it: a one-word keyword scores 100 against any superset.
    assert fuzz.token_set_ratio("data", "data centre decommissioning and cabling") == 100
    assert fuzz.token_set_ratio("open data", "open tender for data cabling") == 100


def test_one_word_keyword_does_not_match_inside_longer_words() -> None:
    result, found = coverage(("data",), text="Database migration and metadata catalogue")
    assert result.score == 0.0 and found == []


def test_phrase_needs_its_words_together() -> None:
    result, _ = coverage(("open data",), text="An open tender for data cabling")
    assert result.score == 0.0
    result, found = coverage(("open data",), text="Publish the open data portal")
    assert result.score == 1.0 and found == [("open data", "text")]


def test_inflections_match_by_stem() -> None:
    _, found = coverage(("user research",), text="Users researching the journeys")
    assert found == [("user research", "text")]


def test_typos_in_long_words_are_tolerated_but_not_in_short_ones() -> None:
    _, found = coverage(("research",), text="user reserach sessions")
    assert found == [("research", "text")]
    _, found = coverage(("data",), text="date of the meeting")
    assert found == []


def test_reports_which_keywords_were_found_where() -> None:
    result, found = coverage(
        ("user research", "GIS", "accessibility"), title="GIS mapping", text="user research"
    )
    assert found == [("user research", "text"), ("GIS", "title")]
    assert result.score == 2 / 3
    assert "'user research' in text of package 2" in result.detail
    assert "'GIS' in title of package 2" in result.detail
    assert result.evidence == (
        "'user research' in text of package 2",
        "'GIS' in title of package 2",
    )


def test_no_keywords_and_blank_keywords() -> None:
    result, _ = coverage((), text="anything")
    assert result.score == 0.0 and "no keywords" in result.detail
    result, _ = coverage(("  ", "the"), text="the thing")
    assert result.score == 0.0


def test_empty_and_foreign_text_do_not_fail() -> None:
    assert coverage(("数据",), text="")[0].score == 0.0
    assert coverage(("数据",), text="政府数据平台")[0].score == 1.0
    assert coverage(("البيانات",), text="منصة البيانات")[0].score == 1.0


HEADS = Weights(compound_min_head=5, compound_min_modifier=3)


def german(keywords: tuple[str, ...], title: str, weights: Weights = HEADS, language: str = "de"):
    fields = [("title", terms(title, language))]
    return keyword_coverage(
        prepare_keywords(keywords, language), fields, weights, texts=[(title, language)]
    )


def test_a_german_keyword_is_found_as_the_head_of_a_compound() -> None:
    title = "Herstellung, Lieferung und Ausgabe von Schulmittagessen"
    result, found = german(("Mittagessen", "Unterhaltsreinigung"), title)
    assert found == [("Mittagessen", "title")]
    assert result.evidence == ("'Mittagessen' in title (as part of 'Schulmittagessen')",)
    _, found = german(("Reinigung",), "Unterhalts-, Sonder- und Grundreinigung")
    assert found == [("Reinigung", "title")]
    _, found = german(("Mittagessen",), "Mittagessen für Kitas")
    assert found and "as part of" not in german(("Mittagessen",), "Mittagessen")[0].detail


def test_a_compound_head_is_not_found_when_off_too_short_or_a_modifier() -> None:
    title = "Schulmittagessen und Grundreinigung"
    assert german(("Mittagessen",), title, Weights(compound_min_head=0))[1] == []  # 0: off
    assert german(("Schule",), title)[1] == []  # the modifier is not what the compound is
    assert german(("Essen",), title)[1] == []  # head shorter than compound_min_head
    assert german(("Mittagessen",), "Ein Mittagessen", HEADS)[0].score == 1.0
    # a head with too short a modifier before it: "Ab|reinigung" (2 letters < 3)
    assert german(("Reinigung",), "Abreinigung")[1] == []


def test_english_keywords_are_never_found_inside_compound_like_words() -> None:
    _, found = german(("data",), "metadata catalogue", language="en")
    assert found == []
    _, found = german(("research",), "Desk-based subresearch and fieldresearch", language="en")
    assert found == []


def test_a_keyword_is_found_in_a_coordinated_compound() -> None:
    title = "Unterhalts-, Sonder- und Grundreinigung"
    result, found = german(("Unterhaltsreinigung", "Sonderreinigung"), title)
    assert found == [("Unterhaltsreinigung", "title"), ("Sonderreinigung", "title")]
    assert result.score == 1.0
    _, found = german(("onderhoudswerken",), "Onderhouds- en herstelwerken", language="nl")
    assert found == [("onderhoudswerken", "title")]
    assert terms(title, "de") == terms("Unterhaltsreinigung Sonderreinigung Grundreinigung", "de")


def test_only_a_coordination_of_a_compounding_language_is_expanded() -> None:
    # a word cut at the end of a line is no coordination; English never compounds so
    assert terms("Die Reini- gung", "de") == terms("Reini gung", "de")
    assert (
        german(("Unterhaltsreinigung",), "Unterhalts- und Grundreinigung", language="en")[1] == []
    )
    # a last word without a known ending leaves the parts as written
    assert terms("Xyz- und Qwertzuiop", "de") == terms("Xyz Qwertzuiop", "de")
