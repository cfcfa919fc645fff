"""Text relevance: tokenisation in any script, stemming, BM25 and its 0-1 normalisation."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchers.analysis import terms, words
from matchers.score import score
from matchers.text import (
    CorpusStats,
    bm25_idf,
    language_query,
    org_query,
    population,
    text_relevance,
)
from matchers.weights import Weights


def test_words_split_cjk_into_characters_and_keep_arabic_words() -> None:
    assert words("数据平台") == ["数", "据", "平", "台"]
    assert words("منصة البيانات") == ["منصة", "البيانات"]
    assert words("") == [] and words(None) == []


def test_terms_stem_english_and_drop_stopwords_and_underscores() -> None:
    assert terms("The Researchers are researching") == ["research", "research"]
    assert terms("open_data") == ["open", "data"]


@given(st.text())
@settings(max_examples=200)
def test_any_text_in_any_script_is_handled_without_error(text: str) -> None:
    found = terms(text)
    assert all(isinstance(t, str) and t for t in found)


def test_stemmed_match_scores_and_names_the_words(make_org, weights: Weights) -> None:
    query = org_query(make_org(capabilities="user research", keywords=(), description=""))
    result = text_relevance(query, terms("Researchers will interview users"), None, weights)
    assert result.score > 0
    assert "'research'" in result.detail and "'user'" in result.detail


def test_empty_document_and_empty_profile_score_zero_with_reason(make_org, weights) -> None:
    query = org_query(make_org())
    assert text_relevance(query, [], None, weights).detail == "opportunity has no text"
    empty = org_query(make_org(capabilities="", keywords=(), description=""))
    assert text_relevance(empty, terms("user research"), None, weights).score == 0.0


def test_rare_words_weigh_more_than_common_ones_with_a_corpus(make_org, weights) -> None:
    docs = [terms("digital service support")] * 50 + [terms("accessibility audit service")]
    stats = CorpusStats.from_documents(docs)
    query = org_query(make_org(capabilities="accessibility digital", keywords=(), description=""))
    rare = text_relevance(query, terms("accessibility review"), stats, weights)
    common = text_relevance(query, terms("digital review"), stats, weights)
    assert rare.score > common.score > 0


def test_scores_are_normalised_to_one_at_most(make_org, weights) -> None:
    query = org_query(make_org(capabilities="gis", keywords=(), description=""))
    result = text_relevance(query, terms("GIS GIS GIS GIS GIS mapping"), None, weights)
    assert result.score == 1.0


def test_one_word_carried_of_many_said_is_not_a_full_match(make_org, weights) -> None:
    # A Swedish IT firm without codes reads a German notice through its acronym alone: 'IT'
    # is all it carries, but it said far more than one word.
    org = make_org(
        language="sv", cpv=(), keywords=("IT-drift",), description="",
        capabilities="Servicedesk och användarsupport, drift av servrar och molntjänster, "
        "IT-förvaltning och systemintegration, rådgivning om IT-strategi",
    )  # fmt: skip
    own = org_query(org)
    german = language_query(org, "de")
    assert german.stems == ("it",) and german.said == len(own.stems) > 5
    docs = [terms("IT Dienstleistungen für das Portal", "de")] + [
        terms(f"Bauarbeiten Los {n}", "de") for n in range(20)
    ]
    stats = CorpusStats.from_documents(docs)
    carried = text_relevance(german, docs[0], stats, weights)
    # one of five slots filled, the other four as that word: at most (k1 + 1) / 5
    assert 0 < carried.score <= (weights.k1 + 1) / weights.saturation_terms < 1.0
    # had the profile said that one word alone, the same mention would count five times as
    # much (one slot, not five: the test above reaches 1.0 so)
    alone = text_relevance(replace(german, said=1), docs[0], stats, weights)
    assert alone.score == pytest.approx(weights.saturation_terms * carried.score)


@given(
    st.lists(st.sampled_from(["user", "research", "data", "gis", "the", "数据", "x"]), max_size=40)
)
def test_score_always_between_zero_and_one(words_: list[str]) -> None:
    weights = Weights()
    from matchers.types import OrgProfile

    query = org_query(OrgProfile(id="o", name="o", capabilities="user research data"))
    stats = CorpusStats.from_documents([terms(" ".join(words_)), terms("user data")])
    result = text_relevance(query, terms(" ".join(words_)), stats, weights)
    assert 0.0 <= result.score <= 1.0


@pytest.mark.parametrize("text", ["政府数据平台开发", "تطوير منصة البيانات", "Entwicklung 🚀"])
def test_non_latin_profiles_match_non_latin_notices(text: str, make_org, weights) -> None:
    query = org_query(make_org(capabilities=text, keywords=(), description=""))
    assert text_relevance(query, terms(text), None, weights).score > 0


def test_a_word_is_rare_or_common_among_the_texts_of_its_own_language(make_org, weights) -> None:
    """64 Italian notices among thousands of others: "enti" in every Italian one is common
    Italian, not a telling word, though rare in the whole corpus (`population`)."""
    english = [terms("digital service support", "en")] * 50
    italian = [terms("gara per enti pubblici", "it")] * 5 + [terms("enti asilo nido", "it")]
    languages = ["en"] * 50 + ["it"] * 6
    stats = CorpusStats.from_documents(english + italian, languages)
    whole = CorpusStats.from_documents(english + italian)
    enti, asilo = terms("enti", "it")[0], terms("asilo", "it")[0]
    assert stats.idf(enti) < 0.2 < whole.idf(enti)
    assert stats.idf(asilo) > 5 * stats.idf(enti)
    assert stats.populations[enti] == 6 and whole.populations == {}
    assert population(56, 0, 3) == 56 and population(56, 2, 3) == 3  # never under its df
    org = make_org(language="it", capabilities="asili nido per enti", keywords=(), description="")
    query = org_query(org)
    nursery = text_relevance(query, terms("asilo nido comunale", "it"), stats, weights)
    boilerplate = text_relevance(query, terms("gara per enti", "it"), stats, weights)
    assert nursery.score > 3 * boilerplate.score > 0


def test_the_index_judges_rarity_per_language_as_the_reference_does() -> None:
    from datetime import UTC, datetime

    from matchers.index import OpportunityIndex
    from matchers.types import Opportunity

    def opp(i: int, title: str, language: str) -> Opportunity:
        return Opportunity(
            id=f"t:{i}", kind="tender", tender_id=str(i), title=title, text="",
            language=language, title_language=language, parent_language=language,
        )  # fmt: skip

    opps = [opp(i, "digital service support", "en") for i in range(40)]
    opps += [opp(40 + i, "gara per enti pubblici", "it") for i in range(4)]
    index = OpportunityIndex(opps, weights=Weights(), now=datetime(2026, 1, 5, tzinfo=UTC))
    enti = terms("enti", "it")[0]
    assert index.stats.populations[enti] == 4
    assert index.stats.idf(enti) == pytest.approx(bm25_idf(4, 4))


@given(st.text(alphabet=st.characters(max_codepoint=127)))
@settings(max_examples=300)
def test_ascii_words_are_read_as_the_unicode_rule_reads_them(text: str) -> None:
    """`words` splits ASCII text without the regular expression: same words, same order."""
    import unicodedata

    from matchers.analysis import _WORD_RE

    expected = _WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold()) if text else []
    assert words(text) == expected


def test_the_profiles_own_places_are_no_query_terms(make_org, make_opp, now, weights) -> None:
    org = make_org(
        language="de",
        regions=("DE26", "DE11"),
        countries=("DE",),
        capabilities="Unterhaltsreinigung, Glasreinigung",
        keywords=(),
        description="Inklusionsbetrieb aus Würzburg; wir reinigen in Unterfranken und im "
        "angrenzenden Baden-Württemberg.",
    )
    query = org_query(org)
    shown = set(query.surface.values())
    assert not {"würzburg", "unterfranken", "baden", "württemberg"} & shown
    assert {"unterhaltsreinigung", "glasreinigung", "inklusionsbetrieb"} <= shown
    # a region of a profile that holds no place's name leaves every word a term
    assert "würzburg" in org_query(replace(org, regions=("DE3",))).surface.values()
    # a place name that is also a word of things bought is kept: Essen, North Rhine-Westphalia
    kitchen = make_org(language="de", regions=("DEA",), capabilities="Essen für Kitas")
    assert "essen" in org_query(kitchen).surface.values()
    notice = make_opp(
        title="Reinigung",
        text="Reinigung von Schulen im Land Baden-Württemberg und in Würzburg",
        language="de",
        title_language="de",
        cpv=(),
    )
    match = score(notice, org, now=now, weights=weights)
    assert "text mentions 'reinigen'" in match.explanation
    assert "baden" not in match.explanation and "würzburg'" not in match.explanation


def test_a_place_word_that_is_also_in_some_cpv_label_is_still_a_place(make_org) -> None:
    # "oost" of "Oost-Vlaanderen" is a word of the label "Oost-Indische inkt", and the Dutch
    # stem of "Oostende": in a guard firm's description it is a place, not its trade
    org = make_org(
        language="nl",
        regions=("BE21", "BE23"),
        countries=("BE",),
        capabilities="Statische bewaking, toegangscontrole",
        keywords=(),
        description="Bewakingsonderneming uit Antwerpen, actief in Antwerpen en Oost-Vlaanderen.",
    )
    assert "oost" not in org_query(org).stems
    assert "oost" in org_query(replace(org, regions=("NL32",))).stems


def test_the_profiles_own_country_is_no_query_term(make_org, make_opp, now, weights) -> None:
    # a Greek firm serving all of Greece ("EL", the NUTS code) writes "σε όλη την Ελλάδα";
    # every Greek notice names the country in its address
    org = make_org(
        language="el",
        regions=("EL",),
        countries=("GR",),
        national=True,
        capabilities="Τηλεμετρία δικτύων ύδρευσης, έλεγχος διαρροών",
        keywords=(),
        description="Εγκαθιστούμε συστήματα τηλεμετρίας σε όλη την Ελλάδα.",
    )
    shown = set(org_query(org).surface.values())
    assert "ελλάδα" not in shown and {"τηλεμετρία", "ύδρευσησ"} <= shown
    # a region's country too ("EL52", Central Macedonia); a name of several words is no place
    # word by word ("United Kingdom": 'united' stays a word)
    assert "ελλάδα" not in org_query(replace(org, regions=("EL52",))).surface.values()
    british = make_org(regions=("UKM8",), capabilities="Air handling units, kingdom-wide")
    assert {"units", "kingdom"} <= set(org_query(british).surface.values())
    notice = make_opp(
        title="Προμήθεια υδρομετρητών",
        text="Τηλεμετρία δικτύου ύδρευσης. Διεύθυνση: Λάρισα, Ελλάδα",
        language="el",
        title_language="el",
        cpv=(),
        regions=(),
        countries=("GR",),
    )
    match = score(notice, org, now=now, weights=weights)
    assert "ελλάδα" not in match.explanation
    # the quoted word is written as Greek is written: final sigma "ς" (case folding makes it σ)
    assert "'ύδρευσης'" in match.explanation and "ύδρευσησ" not in match.explanation


def test_display_word_gives_greek_words_their_final_sigma() -> None:
    from matchers.analysis import display_word

    assert display_word("ύδρευσησ") == "ύδρευσης"
    assert display_word("σύστημα") == "σύστημα"  # a medial sigma stays
    assert display_word("glass") == "glass" and display_word("σ") == "σ"
    assert terms("ΥΔΡΕΥΣΗΣ ύδρευσης", "el") == ["υδρευσ", "υδρευσ"]  # both read alike


def test_a_common_word_of_a_keyword_phrase_counts_only_beside_another_keyword_word(
    make_org, make_opp, now, weights
) -> None:
    # "medycyna pracy" (occupational medicine): 'pracy' ("of work") is in every labour clause
    org = make_org(
        language="pl",
        capabilities="Badania wstępne i okresowe pracowników, szczepienia ochronne.",
        keywords=("medycyna pracy", "badania okresowe"),
        description="Przychodnia medycyny pracy z Łodzi.",
        regions=(),
        countries=("PL",),
    )
    polish = {"language": "pl", "title_language": "pl", "cpv": (), "regions": ()}
    clause = "Wykonawca zatrudni na umowę o pracę osoby wykonujące czynności. Czas pracy 8 godzin."
    guarding = make_opp(id="tender:1", title="Ochrona obiektów", text=clause, **polish)
    clinic = make_opp(
        id="tender:2", title="Świadczenie usług medycyny pracy", text=clause, **polish
    )
    tests = make_opp(id="tender:3", title="Badania kierowców", text=clause, **polish)
    corpus = CorpusStats.from_documents(
        [terms(o.title + " " + o.text, "pl") for o in (guarding, clinic, tests)] * 5
        + [terms("Dostawa mebli biurowych", "pl")] * 10,
        ["pl"] * 25,
    )
    alone = score(guarding, org, now=now, weights=weights, corpus=corpus)
    assert alone.criterion("text").evidence == ()
    assert alone.gate is not None and alone.gate.name == "relevance"
    beside = score(clinic, org, now=now, weights=weights, corpus=corpus)
    assert "'pracy'" in beside.criterion("text").evidence
    # beside a word of another keyword ('badania' of "badania okresowe") it counts too
    assert (
        "'pracy'"
        in score(tests, org, now=now, weights=weights, corpus=corpus).criterion("text").evidence
    )
    # a word of a phrase that is rare in its language's notices names the trade alone
    rare = CorpusStats.from_documents(
        [terms(clause, "pl")] + [terms("Dostawa mebli biurowych", "pl")] * 40, ["pl"] * 41
    )
    assert (
        "'pracy'"
        in score(guarding, org, now=now, weights=weights, corpus=rare).criterion("text").evidence
    )
    # a word the profile also uses apart from its phrase counts alone
    loose = replace(org, capabilities="Ocena warunków pracy.")
    assert (
        "'pracy'"
        in score(guarding, loose, now=now, weights=weights, corpus=corpus)
        .criterion("text")
        .evidence
    )
