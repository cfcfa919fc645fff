"""The index gives the same top k as exhaustive scoring, while scoring far fewer pairs."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchers.bridge import InferredCode
from matchers.index import OpportunityIndex
from matchers.ranking import exhaustive_top, rank, top_matches
from matchers.score import prepare_org, score
from matchers.types import Opportunity, OrgProfile
from matchers.weights import Weights

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
PHRASES = ["user research", "service design", "open data", "data platform", "GIS mapping",
           "accessibility audit", "road resurfacing", "school meals", "data", "research study",
           "reserach", "databases", "政府数据", "منصة البيانات", "the", "digital service",
           "sviluppo software", "servizi di manutenzione", "dei dati", "ricerca sociale",
           "Drupal", "програмне забезпечення", "software services", "Schulmittagessen",
           "Mittagessen", "Unterhalts- und Grundreinigung", "Reinigung", "metadata"]  # fmt: skip
LANGUAGES = ["en", "it", "uk", "de", None]
KINDS = ["tender", "buyer_lot", "suggested_package"]
VALUE_KINDS = ["contract", "range", "ceiling", "part", "framework", "dps", "fund", "unknown"]
CODES = ["72212000", "72200000", "72000000", "79311000", "79000000", "45233000", "48000000"]
REGIONS = ["UKI", "UKI3", "UKM", "UKM8", "DE1", "TLC", "GB", "ITC4", ""]


RESERVED = [(), (), ("sheltered_workshop",), ("public_service_mission",)]
ELIGIBLE = [(), ("social_enterprise",), ("public_service_mission",)]


# The worlds below draw from the same few strategies thousands of times per test. Made anew for
# each draw, Hypothesis recomputed each one's properties every time (a quarter of the test's
# CPU); one strategy per distinct argument draws the same values from the same choices.
@functools.cache
def _pick(values: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return st.sampled_from(values)


def pick(values: Sequence[Any]) -> st.SearchStrategy[Any]:
    """`st.sampled_from(values)`, one strategy per distinct sequence."""
    return _pick(tuple(values))


lists = functools.cache(st.lists)
integers = functools.cache(st.integers)


@st.composite
def opportunities(draw: st.DrawFn, i: int) -> Opportunity:
    words = draw(lists(pick(PHRASES), min_size=0, max_size=6))
    region = draw(pick(REGIONS))
    value = draw(pick([None, Decimal(5000), Decimal(40000), Decimal(900000)]))
    cpv = tuple(draw(lists(pick(CODES), max_size=2)))
    guesses = draw(lists(pick(CODES), max_size=2)) if not cpv else []
    return Opportunity(
        id=f"lot:{i}:1",
        kind=draw(pick(KINDS)),
        tender_id=str(i),
        language=draw(pick(LANGUAGES)),
        title_language=draw(pick(LANGUAGES)),
        parent_language=draw(pick(LANGUAGES)),
        value_low=draw(pick([None, Decimal(1000), Decimal(200000)])) if value else None,
        value_kind=draw(pick(VALUE_KINDS)),
        cpv_inferred=tuple(
            InferredCode(code, draw(pick([0.5, 0.8, 1.0])), ("word",))
            for code in dict.fromkeys(guesses)
        ),
        title=" ".join(words[:2]),
        text=" ".join(words[2:]),
        parent_title=draw(pick([None, "framework", "open data framework"])),
        cpv=cpv,
        value=value,
        regions=(region,) if region else (),
        deadline=draw(pick([None, NOW + timedelta(days=2), NOW + timedelta(days=30)])),
        closed=draw(st.booleans()) and draw(st.booleans()),
        suitable_sme=draw(pick([None, True, False])),
        reserved=draw(pick(RESERVED)),
    )


@st.composite
def organisations(draw: st.DrawFn, i: int) -> OrgProfile:
    return OrgProfile(
        id=f"org{i}",
        name=f"Org {i}",
        capabilities=" ".join(draw(lists(pick(PHRASES), max_size=4))),
        description=" ".join(draw(lists(pick(PHRASES), max_size=3))),
        keywords=tuple(draw(lists(pick(PHRASES), max_size=3))),
        exclusions=tuple(draw(lists(pick(["data", "meals"]), max_size=1))),
        cpv=tuple(c[: draw(pick([2, 3, 5]))] for c in draw(lists(pick(CODES), max_size=2))),
        regions=tuple(r for r in draw(lists(pick(REGIONS), max_size=2)) if r),
        countries=draw(pick([("GB",), ("GB", "IT")])),
        national=draw(st.booleans()),
        remote=draw(st.booleans()),
        value_max=draw(pick([None, Decimal(100000)])),
        turnover=draw(pick([None, Decimal(300000)])),
        language=draw(pick(["en", "it", "de"])),
        reserved_eligible=draw(pick(ELIGIBLE)),
    )  # fmt: skip


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Opportunity], list[OrgProfile], int]:
    n = draw(integers(1, 40))
    opps = [draw(opportunities(i)) for i in range(n)]
    orgs = [draw(organisations(i)) for i in range(draw(integers(1, 4)))]
    weights = Weights(
        remote_factor=draw(pick([1.0, 0.8])),
        in_nation_factor=draw(pick([1.0, 0.8])),
        reserved_factor=draw(pick([1.0, 0.5, 0.0])),
        corroborating_text=draw(pick([0.0, 0.2])),
        own_language_bridge=draw(pick([0.0, 1.0])),
        description_weight=draw(pick([1.0, 0.5])),
        foreign_keywords=draw(pick([0.0, 0.5])),
        foreign_min_codes=draw(pick([0.0, 0.6, 1.0])),
        product=draw(pick([0.0, 1.0])),
        context_floor=draw(pick([0.0, 0.3])),
        compound_min_head=draw(pick([0, 5])),
    )
    return opps, orgs, draw(integers(1, 8)), weights


@given(worlds())
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_index_top_k_equals_exhaustive_top_k(world) -> None:
    """Also across languages (each field its own), kinds (packages count less), per-supplier
    ranges, inferred codes, remote demotion, text that backs codes up, and keywords counted
    neutral in notices wholly in another language of a country the organisation works in,
    notices read through their codes (Ukrainian), word rarity judged per language, scores
    as relevance x context (`Weights.product`) as well as the weighted mean, and German
    keywords found as the heads of compounds (the index's reversed-word lookup against each
    document's own scan)."""
    opps, orgs, k, weights = world
    index = OpportunityIndex(opps, weights=weights, now=NOW)
    ranked = rank(index, orgs, now=NOW, weights=weights, top_k=k)
    for org in orgs:
        reference = exhaustive_top(index, org, k)
        got = ranked[org.id]
        assert [m.opportunity_id for m in got] == [m.opportunity_id for m in reference]
        assert [m.score for m in got] == [m.score for m in reference]
        assert all(m.passed for m in got)


def test_the_index_finds_the_compounds_each_document_finds() -> None:
    """`OpportunityIndex.similar` (ranges of sorted reversed words) gives what `similar_terms`
    gives scanning the vocabulary, for every word of it as a keyword, heads or not."""
    from matchers.analysis import head_stems
    from matchers.keywords import similar_terms

    titles = ["Schulmittagessen und Kitamittagessen", "Mittagessen", "Grundreinigung",
              "Unterhalts-, Sonder- und Grundreinigung", "Reinigungsmittel", "Essen", "metadata",
              "data", "Glasreinigung der Schulen", "Reinigung"]  # fmt: skip
    opps = [
        Opportunity(id=f"tender:{i}", kind="tender", tender_id=str(i), title=t, title_language="de")
        for i, t in enumerate(titles)
    ]
    keywords = ["reinigung", "mittagessen", "essen", "data", "schulen", "grundreinigung"]
    for weights in (
        Weights(compound_min_head=5),
        Weights(compound_min_head=4, compound_min_modifier=2),
    ):
        index = OpportunityIndex(opps, weights=weights, now=NOW)
        vocabulary = set(index.vocabulary)
        for word in [*keywords, *vocabulary]:
            heads = head_stems(word, "de")
            for term in {heads[0], *vocabulary}:
                for given_heads in ((), heads):
                    got = index.similar(term, given_heads)
                    assert got == similar_terms(term, vocabulary, weights, given_heads)
        heads = head_stems("mittagessen", "de")
        assert {"schulmittagess", "kitamittagess"} <= index.similar("mittagess", heads)
        assert index.similar("mittagess") == {"mittagess"}
        assert "grundrein" in index.similar("reinig", head_stems("reinigung", "de"))
        # "data" (4 letters) is a head only when compound_min_head allows 4 letters
        short = index.similar("data", head_stems("data", "de"))
        assert ("metadata" in short) == (weights.compound_min_head <= 4)


def _world(n: int) -> tuple[list[Opportunity], list[OrgProfile]]:
    opps = [
        Opportunity(
            id=f"tender:{i}",
            kind="tender",
            tender_id=str(i),
            title=f"{PHRASES[i % 8]} {i}",
            text=f"{PHRASES[(i * 7) % 16]} and {PHRASES[(i * 3) % 16]}",
            cpv=(CODES[i % len(CODES)],),
            value=Decimal(1000 * (i % 97 + 1)),
            regions=(REGIONS[i % 7],),
            deadline=NOW + timedelta(days=5 + i % 40),
        )
        for i in range(n)
    ]
    orgs = [
        OrgProfile(id="research", name="R", capabilities="user research", keywords=("user research",), cpv=("722",)),
        OrgProfile(id="maps", name="M", capabilities="GIS mapping open data", cpv=("72",), regions=("UKM",)),
    ]  # fmt: skip
    return opps, orgs


def test_index_scores_a_fraction_of_the_pairs() -> None:
    opps, orgs = _world(800)
    index = OpportunityIndex(opps, weights=Weights(), now=NOW)
    top, scored = top_matches(index, orgs[0], 5)
    assert len(top) == 5
    assert scored < len(opps) / 4
    assert [m.opportunity_id for m in top] == [
        m.opportunity_id for m in exhaustive_top(index, orgs[0], 5)
    ]


def test_ranking_in_two_processes_gives_the_same_result() -> None:
    opps, orgs = _world(200)
    one = rank(opps, orgs, now=NOW, weights=Weights(), top_k=7)
    two = rank(opps, orgs, now=NOW, weights=Weights(), top_k=7, workers=2)
    assert {k: [m.opportunity_id for m in v] for k, v in one.items()} == {
        k: [m.opportunity_id for m in v] for k, v in two.items()
    }
    assert list(two) == ["research", "maps"]


def test_holidays_count_the_same_in_the_index_and_exhaustively() -> None:
    opps, orgs = _world(120)
    holidays = [NOW.date() + timedelta(days=d) for d in range(3, 12)]
    index = OpportunityIndex(opps, weights=Weights(), now=NOW, holidays=holidays)
    for org in orgs:
        got = [m.opportunity_id for m in top_matches(index, org, 10)[0]]
        assert got == [m.opportunity_id for m in exhaustive_top(index, org, 10)]
    gated = [m for m in (index.score_row(i, prepare_org(orgs[0])) for i in range(120)) if m.gate]
    assert any(m.gate.name == "deadline" for m in gated)


def test_ranked_matches_explain_their_evidence() -> None:
    opps, orgs = _world(60)
    top = rank(opps, orgs[:1], now=NOW, weights=Weights(), top_k=3)["research"]
    assert top and all("(722" in m.explanation for m in top)
    assert all(m.criterion("keywords").evidence or m.criterion("text").evidence for m in top)


def test_empty_inputs() -> None:
    assert rank([], [], now=NOW, weights=Weights()) == {}
    org = OrgProfile(id="o", name="o", capabilities="user research")
    assert rank([], [org], now=NOW, weights=Weights()) == {"o": []}
    opps, _ = _world(10)
    assert rank(opps, [org], now=NOW, weights=Weights(), top_k=0) == {"o": []}


def test_a_broken_profile_is_reported_and_the_batch_goes_on() -> None:
    opps, orgs = _world(50)
    broken = OrgProfile(id="broken", name="B", keywords=None)  # type: ignore[arg-type]
    errors: dict[str, str] = {}
    ranked = rank(opps, [broken, *orgs], now=NOW, weights=Weights(), top_k=3, errors=errors)
    assert ranked["broken"] == [] and errors["broken"].startswith("TypeError")
    assert ranked["research"] and ranked["maps"]
    with pytest.raises(TypeError):
        rank(opps, [broken], now=NOW, weights=Weights())
    with pytest.raises(TypeError):  # a failure in a worker process reaches the caller
        rank(opps, [*orgs * 3, broken], now=NOW, weights=Weights(), workers=2)
    errors.clear()
    two = rank(opps, [*orgs, broken], now=NOW, weights=Weights(), top_k=3, workers=2, errors=errors)
    assert two["broken"] == [] and "broken" in errors and two["maps"] == ranked["maps"]


def test_single_pair_score_with_the_index_corpus_equals_the_ranked_match() -> None:
    opps, orgs = _world(80)
    index = OpportunityIndex(opps, weights=Weights(), now=NOW)
    best = top_matches(index, orgs[0], 1)[0][0]
    opp = next(o for o in opps if o.id == best.opportunity_id)
    assert score(opp, orgs[0], now=NOW, weights=Weights(), corpus=index.stats) == best


def test_shortcuts_of_the_index_give_what_the_general_paths_give() -> None:
    """Dense columns of frequent terms, geography read per distinct place and the memos of
    phrase and exclusion checks change no figure (bit for bit)."""
    import gc

    import numpy as np

    from matchers.index import paused_gc

    opps, orgs = _world(800)
    index = OpportunityIndex(opps, weights=Weights(), now=NOW)
    assert index._dense  # "and" and the phrases' words are in most rows
    rows = np.arange(index.size)
    for org in orgs:
        query = prepare_org(org, index.weights).query_for(index.groups[0])
        dense = index._group_scores(query)
        kept, index._dense = index._dense, {}
        try:
            assert np.array_equal(index._group_scores(query), dense)
        finally:
            index._dense = kept
        assert np.array_equal(index.geography_scores(org, rows), index._geography_rows(org, rows))
    assert len(index.place_rows) == len({o.regions for o in opps})
    first = rank(index, orgs, now=NOW, weights=Weights(), top_k=7)
    assert index._row_memos  # remembered, then used by a second ranking
    again = rank(index, orgs, now=NOW, weights=Weights(), top_k=7)
    assert {k: [(m.opportunity_id, m.score) for m in v] for k, v in first.items()} == {
        k: [(m.opportunity_id, m.score) for m in v] for k, v in again.items()
    }
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
