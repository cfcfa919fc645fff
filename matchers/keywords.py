"""Keyword coverage: which of the profile's keywords an opportunity mentions, and where.

A keyword is found when its words appear *adjacent and in order* in one field (title, text,
parent title), each word matching by English stem ("researchers" = "research") or, for words of
`fuzzy_min_length` letters or more, within `max_edits` typos (rapidfuzz's optimal string
alignment distance, so a swapped pair of letters is one typo).

This avoids the subset pitfall of `fuzz.token_set_ratio` (DOMAIN.md section 4), which scores 100
whenever one string's words are a subset of the other's: "data" against any text containing
"data" anywhere, "open data" against a text with "open" in one sentence and "data" in another.
Here words are compared whole, so "data" never matches "database" or "metadata", short words
never match by typo ("data" != "date"), and a phrase needs its words together.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from matchers.analysis import DEFAULT_LANGUAGE, terms
from matchers.result import Criterion
from matchers.weights import Weights

__all__ = [
    "Field",
    "Keyword",
    "find",
    "keyword_coverage",
    "positions",
    "prepare_keywords",
    "similar_terms",
]

Field = tuple[str, Sequence[str]]  # (label, terms in order)
# Given a keyword term, the set of document terms that count as the same word.
Matcher = Callable[[str], Collection[str]]


@dataclass(frozen=True, slots=True)
class Keyword:
    """A profile keyword as typed and as stems."""

    text: str
    terms: tuple[str, ...]


def prepare_keywords(
    keywords: Iterable[str], language: str | None = DEFAULT_LANGUAGE
) -> tuple[Keyword, ...]:
    """Keywords with their terms in the profile's `language`; keywords with no usable word
    (blank, stop words) are dropped."""
    out: list[Keyword] = []
    seen: set[tuple[str, ...]] = set()
    for keyword in keywords:
        stems = tuple(terms(keyword, language))
        if stems and stems not in seen:
            seen.add(stems)
            out.append(Keyword(keyword.strip(), stems))
    return tuple(out)


def allowed_edits(term: str, weights: Weights) -> int:
    """Typos tolerated in `term`: none for short words, where a typo is usually another word."""
    if len(term) >= weights.long_length:
        return weights.max_edits_long
    if len(term) >= weights.fuzzy_min_length:
        return weights.max_edits
    return 0


def similar_terms(term: str, candidates: Collection[str], weights: Weights) -> set[str]:
    """The candidates that count as `term`: itself, or within its allowed typos."""
    edits = allowed_edits(term, weights)
    found = {term} if term in candidates else set()
    if edits:
        for choice, _distance, _key in process.extract(
            term, candidates, scorer=OSA.distance, score_cutoff=edits, limit=None
        ):
            found.add(choice)
    return found


def positions(doc: Sequence[str]) -> dict[str, list[int]]:
    """Where each term occurs in `doc`, so phrases are looked up, not scanned for."""
    out: dict[str, list[int]] = {}
    for i, term in enumerate(doc):
        out.setdefault(term, []).append(i)
    return out


def find(
    keyword: Keyword,
    fields: Sequence[Field],
    matcher: Matcher,
    where: Sequence[Mapping[str, list[int]]] | None = None,
) -> str | None:
    """The label of the first field holding `keyword`'s terms adjacent and in order, or None.

    `where` holds `positions` of each field when already computed."""
    allowed = [matcher(term) for term in keyword.terms]
    if not all(allowed):
        return None
    n = len(allowed)
    for f, (label, doc) in enumerate(fields):
        index = where[f] if where is not None else positions(doc)
        if len(allowed[0]) < len(index):
            starts = [i for term in allowed[0] for i in index.get(term, ())]
        else:
            starts = [i for term, found in index.items() if term in allowed[0] for i in found]
        for start in starts:
            if start + n <= len(doc) and all(doc[start + i] in allowed[i] for i in range(1, n)):
                return label
    return None


def keyword_coverage(
    keywords: Sequence[Keyword],
    fields: Sequence[Field],
    weights: Weights,
    *,
    where: str = "",
    matcher: Matcher | None = None,
    field_positions: Sequence[Mapping[str, list[int]]] | None = None,
) -> tuple[Criterion, list[tuple[str, str]]]:
    """Share of `keywords` found in `fields`, with (keyword, field label) for each one found.

    `matcher` maps a keyword term to the document terms it matches; by default it is computed
    against this document's own terms (the index passes one computed over its vocabulary,
    which gives the same answer for every document); `field_positions` are the fields'
    `positions`, when already computed."""
    weight = weights.weight("keywords")
    if not keywords:
        return Criterion("keywords", 0.0, weight, "profile has no keywords"), []
    if matcher is None:
        vocabulary = {term for _label, doc in fields for term in doc}
        matcher = _cached(lambda term: similar_terms(term, vocabulary, weights))
    found: list[tuple[str, str]] = []
    for keyword in keywords:
        label = find(keyword, fields, matcher, field_positions)
        if label is not None:
            found.append((keyword.text, label))
    score = len(found) / len(keywords)
    if not found:
        return Criterion("keywords", 0.0, weight, "none of your keywords found"), []
    evidence = tuple(f"'{k}' in {label}{where}" for k, label in found)
    more = f" and {len(found) - 4} more" if len(found) > 4 else ""
    detail = f"{len(found)} of {len(keywords)} keywords: {'; '.join(evidence[:4])}{more}"
    return Criterion("keywords", score, weight, detail, evidence), found


def _cached(function: Matcher) -> Matcher:
    cache: dict[str, Collection[str]] = {}

    def lookup(term: str) -> Collection[str]:
        if term not in cache:
            cache[term] = function(term)
        return cache[term]

    return lookup
