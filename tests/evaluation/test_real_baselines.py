"""The two plain rankers of the real-data evaluation, on small hand-made cases."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from matchers.types import OrgProfile
from scanner.evaluation.baselines import (
    BM25Ranker,
    Document,
    code_fit,
    geography_fit,
    heuristic_ranking,
    heuristic_score,
    keyword_overlap,
    value_fit,
    words,
)

DOCS = [
    Document("a", "Firewood supply, firewood delivery"),
    Document("b", "Supply of office paper"),
    Document("c", "Дрова паливні, firewood"),
]


def test_words_are_lowercase_letter_runs_in_any_script_without_pure_numbers() -> None:
    assert words("Дрова ПАЛИВНІ 2024, oak_logs 5m3") == ["дрова", "паливні", "oak", "logs", "5m3"]


def test_bm25_idf_and_scores_follow_the_formula() -> None:
    bm25 = BM25Ranker(DOCS)
    n = 3
    assert bm25.idf("firewood") == pytest.approx(math.log(1 + (n - 2 + 0.5) / (2 + 0.5)))
    assert bm25.idf("paper") == pytest.approx(math.log(1 + (n - 1 + 0.5) / (1 + 0.5)))
    average = (4 + 4 + 3) / 3  # "firewood supply firewood delivery", "supply of office paper", ...

    def term(f: int, length: int, idf: float) -> float:
        return idf * f * 2.2 / (f + 1.2 * (1 - 0.75 + 0.75 * length / average))

    scores = bm25.scores("firewood FIREWOOD")  # a repeated query word counts once
    assert scores[0] == pytest.approx(term(2, 4, bm25.idf("firewood")))
    assert scores[1] == 0
    assert scores[2] == pytest.approx(term(1, 3, bm25.idf("firewood")))


def test_bm25_ranks_only_documents_sharing_a_word_best_first() -> None:
    bm25 = BM25Ranker(DOCS)
    assert bm25.rank("firewood") == ["a", "c"]
    assert bm25.rank("дрова") == ["c"]
    assert bm25.rank("paper firewood", top=1) == ["b"]  # the rarer word weighs more
    assert bm25.rank("nothing here") == []


ORG = OrgProfile(
    id="drova",
    name="Drova",
    keywords=("firewood", "wood chips"),
    cpv=("0311", "09111100"),
    regions=("UA", "UKL"),
    countries=("UA", "GB"),
    value_min=Decimal(1000),
    value_max=Decimal(50000),
)


def test_code_fit_counts_shared_significant_digits_over_five() -> None:
    assert code_fit(ORG, Document("x", "", cpv=("09111100",))) == 1.0  # 7 digits, capped
    assert code_fit(ORG, Document("x", "", cpv=("03110000",))) == pytest.approx(4 / 5)
    assert code_fit(ORG, Document("x", "", cpv=("09100000",))) == pytest.approx(3 / 5)
    assert code_fit(ORG, Document("x", "", cpv=("09000000",))) == pytest.approx(2 / 5)
    assert code_fit(ORG, Document("x", "", cpv=("45000000",))) == 0  # no shared division
    us = OrgProfile(id="us", name="US", naics=("423840",))
    assert code_fit(us, Document("x", "", naics=("423830",))) == pytest.approx(4 / 5)


def test_keyword_overlap_is_the_share_of_whole_keywords_found() -> None:
    assert keyword_overlap(ORG, Document("x", "Wood chips and FIREWOOD")) == 1.0
    assert keyword_overlap(ORG, Document("x", "Firewoods; chips of wood")) == 0.0
    assert keyword_overlap(ORG, Document("x", "firewood")) == 0.5


def test_value_and_geography_fit() -> None:
    assert value_fit(ORG, Document("x", "", value=Decimal(20000))) == 1.0
    assert value_fit(ORG, Document("x", "", value=Decimal(60000))) == 0.0
    assert value_fit(ORG, Document("x", "")) == 0.5
    assert geography_fit(ORG, Document("x", "", regions=("UKL22",))) == 1.0
    assert geography_fit(ORG, Document("x", "", countries=("GB",), regions=("UKM",))) == 0.7
    assert geography_fit(ORG, Document("x", "")) == 0.7
    assert geography_fit(ORG, Document("x", "", countries=("PL",), regions=("PL41",))) == 0.2


def test_heuristic_score_is_the_recipe_and_ranks_only_open_notices_with_evidence() -> None:
    full = Document(
        "full", "firewood, wood chips", cpv=("03110000",), value=Decimal(20000), regions=("UKL",)
    )
    assert heuristic_score(ORG, full) == pytest.approx(0.4 * 0.8 + 0.3 * 1 + 0.15 + 0.15)
    weak = Document("weak", "firewood", countries=("PL",), regions=("PL41",))
    assert heuristic_score(ORG, weak) == pytest.approx(0.3 * 0.5 + 0.15 * 0.5 + 0.15 * 0.2)
    closed = Document("closed", "firewood", open=False, deadline=datetime(2020, 1, 1, tzinfo=UTC))
    nothing = Document("nothing", "office paper", regions=("UKL",))
    assert heuristic_score(ORG, closed) is None and heuristic_score(ORG, nothing) is None
    assert heuristic_ranking([weak, closed, nothing, full], ORG) == ["full", "weak"]
    assert heuristic_ranking([weak, full], ORG, top=1) == ["full"]
