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

One exception, for keywords of languages that write compounds as one word (German, Dutch, the
Nordic languages, Finnish: `matchers.analysis.COMPOUNDING`): a keyword word of
`compound_min_head` letters or more (its stem) is also found as the *head* of a document word,
the last part of a compound, when a modifier of `compound_min_modifier` letters or more stands
before it: "Mittagessen" in "Schulmittagessen", "Reinigung" in "Grundreinigung" (a linking
-s- or -n- is part of the modifier: "Unterhalts|reinigung"). The head is what a compound is:
a school lunch is a lunch, while its modifier is not (a "Schulmittagessen" is no school).
English keywords never match so ("data" != "metadata").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from matchers.analysis import DEFAULT_LANGUAGE, compounds, head_stems, terms_with_words
from matchers.result import Criterion
from matchers.weights import Weights

__all__ = [
    "Field",
    "Keyword",
    "find",
    "heads_allowed",
    "is_head",
    "keyword_coverage",
    "phrase_partners",
    "positions",
    "prepare_keywords",
    "similar_terms",
]

Field = tuple[str, Sequence[str]]  # (label, terms in order)
# Given a keyword term and the stems a compound it heads may end with (none: it heads none),
# the set of document terms that count as the same word.
Matcher = Callable[[str, tuple[str, ...]], Collection[str]]
# Per field, its text and language, to name the compound a keyword was found in.
Texts = Sequence[tuple[str | None, str | None]]


@dataclass(frozen=True, slots=True)
class Keyword:
    """A profile keyword as typed and as stems."""

    text: str
    terms: tuple[str, ...]
    # per term, in a language of closed compounds, the stems of compounds it heads may end
    # with (`matchers.analysis.head_stems`); () in other languages
    heads: tuple[tuple[str, ...], ...] = ()

    def heads_of(self, i: int) -> tuple[str, ...]:
        """The head stems of term `i` (() when it is not looked for as a head)."""
        return self.heads[i] if self.heads else ()


def prepare_keywords(
    keywords: Iterable[str], language: str | None = DEFAULT_LANGUAGE
) -> tuple[Keyword, ...]:
    """Keywords with their terms in the profile's `language`; keywords with no usable word
    (blank, stop words) are dropped."""
    out: list[Keyword] = []
    seen: set[tuple[str, ...]] = set()
    compounding = compounds(language)
    for keyword in keywords:
        pairs = terms_with_words(keyword, language)
        stems = tuple(term for term, _word in pairs)
        if stems and stems not in seen:
            seen.add(stems)
            heads = tuple(head_stems(w, language) for _t, w in pairs) if compounding else ()
            out.append(Keyword(keyword.strip(), stems, heads))
    return tuple(out)


def phrase_partners(
    keywords: Iterable[str],
    texts: Iterable[str],
    read: Callable[[str], Sequence[tuple[str, str]]],
) -> dict[str, frozenset[str]]:
    """For each word of a multi-word keyword that the profile uses only in such a phrase,
    the words of its other keywords and of the phrase: it counts as text evidence only in a
    document holding one of them (`matchers.text.Query.partners`), where it is common
    (`matchers.text.needs_partner`). 'pracy' of "medycyna pracy" (occupational
    medicine; "of work") is in every Polish labour clause; alone it says nothing of the
    trade. A word that is a keyword by itself, or stands somewhere in `texts`
    (capabilities, description) beside no other word of its phrase, counts alone. `read` gives (term, word)."""
    bound: dict[str, set[str]] = {}
    free: set[str] = set()
    every: set[str] = set()
    for keyword in keywords:
        stems = [t for t, _w in read(keyword) if not t.isdigit()]
        every.update(stems)
        if len(set(stems)) < 2:
            free.update(stems)
            continue
        for term in stems:
            bound.setdefault(term, set()).update(s for s in stems if s != term)
    for text in texts:
        seq = [t for t, _w in read(text)]
        for i, term in enumerate(seq):
            beside = {seq[j] for j in (i - 1, i + 1) if 0 <= j < len(seq)}
            if term in bound and not beside & bound[term]:
                free.add(term)
    return {t: frozenset(every - {t}) for t in bound if t not in free}


def allowed_edits(term: str, weights: Weights) -> int:
    """Typos tolerated in `term`: none for short words, where a typo is usually another word."""
    if len(term) >= weights.long_length:
        return weights.max_edits_long
    if len(term) >= weights.fuzzy_min_length:
        return weights.max_edits
    return 0


def heads_allowed(term: str, weights: Weights) -> bool:
    """True when keyword word `term` of a compounding language may be found as a head."""
    return 0 < weights.compound_min_head <= len(term)


def is_head(heads: Iterable[str], word: str, weights: Weights) -> bool:
    """True when document term `word` is a compound ending in one of `heads`, after a
    modifier of `compound_min_modifier` letters or more."""
    return any(
        len(word) - len(head) >= weights.compound_min_modifier and word.endswith(head)
        for head in heads
    )


def similar_terms(
    term: str, candidates: Collection[str], weights: Weights, heads: tuple[str, ...] = ()
) -> set[str]:
    """The candidates that count as `term`: itself, within its allowed typos, or compounds
    ending in one of its `heads` (a keyword of a compounding language)."""
    edits = allowed_edits(term, weights)
    found = {term} if term in candidates else set()
    if edits:
        for choice, _distance, _key in process.extract(
            term, candidates, scorer=OSA.distance, score_cutoff=edits, limit=None
        ):
            found.add(choice)
    if heads and heads_allowed(term, weights):
        found.update(word for word in candidates if is_head(heads, word, weights))
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
) -> tuple[int, int] | None:
    """(field number, start) of the first place holding `keyword`'s terms adjacent and in
    order, or None.

    `where` holds `positions` of each field when already computed."""
    allowed = [matcher(term, keyword.heads_of(i)) for i, term in enumerate(keyword.terms)]
    if not all(allowed):
        return None
    n = len(allowed)
    for f, (_label, doc) in enumerate(fields):
        index = where[f] if where is not None else positions(doc)
        if len(allowed[0]) < len(index):
            starts = [i for term in allowed[0] for i in index.get(term, ())]
        else:
            starts = [i for term, found in index.items() if term in allowed[0] for i in found]
        for start in starts:
            if start + n <= len(doc) and all(doc[start + i] in allowed[i] for i in range(1, n)):
                return f, start
    return None


def keyword_coverage(
    keywords: Sequence[Keyword],
    fields: Sequence[Field],
    weights: Weights,
    *,
    where: str = "",
    matcher: Matcher | None = None,
    field_positions: Sequence[Mapping[str, list[int]]] | None = None,
    texts: Texts | None = None,
) -> tuple[Criterion, list[tuple[str, str]]]:
    """Share of `keywords` found in `fields`, with (keyword, field label) for each one found.

    `matcher` maps a keyword term to the document terms it matches; by default it is computed
    against this document's own terms (the index passes one computed over its vocabulary,
    which gives the same answer for every document); `field_positions` are the fields'
    `positions`, when already computed; `texts` the fields' texts and languages, to name the
    compound a keyword was found in (else its stem is named)."""
    weight = weights.weight("keywords")
    if not keywords:
        return Criterion("keywords", 0.0, weight, "profile has no keywords"), []
    if matcher is None:
        vocabulary = {term for _label, doc in fields for term in doc}
        matcher = _cached(lambda term, heads: similar_terms(term, vocabulary, weights, heads))
    found: list[tuple[str, str]] = []
    evidence: list[str] = []
    for keyword in keywords:
        place = find(keyword, fields, matcher, field_positions)
        if place is None:
            continue
        f, start = place
        label, doc = fields[f]
        found.append((keyword.text, label))
        parts = [
            word
            for i, (term, word) in enumerate(zip(keyword.terms, doc[start:], strict=False))
            if word != term and is_head(keyword.heads_of(i), word, weights)
        ]
        named = ", ".join(f"'{_surface(word, texts[f] if texts else None)}'" for word in parts)
        evidence.append(
            f"'{keyword.text}' in {label}{where}" + (f" (as part of {named})" if named else "")
        )
    score = len(found) / len(keywords)
    if not found:
        return Criterion("keywords", 0.0, weight, "none of your keywords found"), []
    more = f" and {len(found) - 4} more" if len(found) > 4 else ""
    detail = f"{len(found)} of {len(keywords)} keywords: {'; '.join(evidence[:4])}{more}"
    return Criterion("keywords", score, weight, detail, tuple(evidence)), found


def _surface(term: str, source: tuple[str | None, str | None] | None) -> str:
    """The word of `source` (text, language) that gave `term`, as written; `term` without it."""
    if source is None:
        return term
    text, language = source
    word = next((w for t, w in terms_with_words(text, language) if t == term), None)
    if word is None or text is None:
        return term
    written = re.search(re.escape(word), text, re.IGNORECASE)
    return written.group(0) if written else word


def _cached(function: Matcher) -> Matcher:
    cache: dict[tuple[str, tuple[str, ...]], Collection[str]] = {}

    def lookup(term: str, heads: tuple[str, ...]) -> Collection[str]:
        key = (term, heads)
        if key not in cache:
            cache[key] = function(term, heads)
        return cache[key]

    return lookup
