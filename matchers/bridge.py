"""The bridge between languages: CPV codes, whose labels exist in the 24 EU languages
(scanner.reference.cpv), carry a profile's interests into the language of a notice, name the
likely codes of a notice published without any, and show codes as words.

- `label_terms(prefix, language)`: the terms of a code's label and of its direct children's
  labels, analysed in that language; words in more than `GENERIC_SHARE` of all labels
  ("servizi", "services", "lavori") are left out: they name no subject.
- `label_partners(prefix, language)`: for each of those terms that only labels of several
  words hold, the other words of those labels: such a word says what is bought only beside
  one of them ("zagospodarowania" is spatial planning beside "przestrzennego", waste
  management beside "odpadów").
- `infer_codes(terms, language)`: codes whose label's words a notice's text covers, each with
  a confidence (the idf-weighted share of its label's terms found) and the words that earned
  it; only for languages with CPV labels.
- `code_words(code, language)`: "IT services (72)": the label's head (before any ":") and the
  significant digits, for explanations.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache

from matchers.analysis import display_word, terms_with_words
from scanner.reference.cpv import cpv_vocabulary, pad_code, significant_prefix

__all__ = [
    "GENERIC_SHARE",
    "InferredCode",
    "code_terms",
    "code_words",
    "has_labels",
    "infer_codes",
    "label_idf",
    "label_partners",
    "label_terms",
    "label_words",
    "phrase_codes",
]

GENERIC_SHARE = 0.05
CONCENTRATION = 0.25
MIN_CONFIDENCE = 0.5
MAX_INFERRED = 3


@dataclass(frozen=True, slots=True)
class InferredCode:
    """A likely CPV code of a notice that published none: why (the words) and how sure."""

    code: str
    confidence: float
    evidence: tuple[str, ...]


def has_labels(language: str | None) -> bool:
    """True when CPV has labels in `language` (the 24 EU languages)."""
    return language is not None and language.lower()[:2] in cpv_vocabulary().languages


@dataclass(frozen=True)
class _Labels:
    """One language's labels as terms: per code, its terms with a word each; per term, the
    codes whose label holds it; each term's idf among the labels; and per significant prefix,
    the codes one level below it (in the vocabulary's order)."""

    terms: Mapping[str, tuple[tuple[str, str], ...]]
    codes_of: Mapping[str, tuple[str, ...]]
    idf: Mapping[str, float]
    generic: frozenset[str]
    children: Mapping[str, tuple[str, ...]]


@cache
def _labels(language: str) -> _Labels:
    vocabulary = cpv_vocabulary()
    position = vocabulary.languages.index(language)
    per_code: dict[str, tuple[tuple[str, str], ...]] = {}
    codes_of: dict[str, list[str]] = defaultdict(list)
    children: dict[str, list[str]] = defaultdict(list)
    for code, row in vocabulary.labels.items():
        children[significant_prefix(code)[:-1]].append(code)
        found = dict(terms_with_words(row[position], language))
        per_code[code] = tuple((t, w) for t, w in found.items() if not t.isdigit())
        for term, _word in per_code[code]:
            codes_of[term].append(code)
    total = len(per_code)
    idf = {t: math.log(total / len(c)) for t, c in codes_of.items()}
    generic = frozenset(t for t, c in codes_of.items() if len(c) > GENERIC_SHARE * total)
    return _Labels(
        per_code,
        {t: tuple(c) for t, c in codes_of.items()},
        idf,
        generic,
        {prefix: tuple(c) for prefix, c in children.items()},
    )


@cache
def label_terms(prefix: str, language: str) -> tuple[tuple[str, str], ...]:
    """(term, word) of the label of `prefix` and of its direct children, in `language`, kept
    only when characteristic of the code: at least `CONCENTRATION` of the labels holding the
    word lie under the code ("lecznicze" under medicinal products; not "wyłączeniem",
    "except", found in labels everywhere), and not generic (`GENERIC_SHARE`); () when CPV has
    no labels in that language."""
    if not has_labels(language):
        return ()
    labels = _labels(language.lower()[:2])
    known = cpv_vocabulary().nearest_known(prefix)
    if known is None:
        return ()
    own = significant_prefix(known)
    found: dict[str, str] = {}
    for code in _chosen(prefix, language):
        for term, word in labels.terms[code]:
            if term in labels.generic or term in found:
                continue
            holders = labels.codes_of[term]
            inside = sum(1 for c in holders if c.startswith(own))
            if inside >= CONCENTRATION * len(holders):
                found[term] = word
    return tuple(found.items())


def _chosen(prefix: str, language: str) -> list[str]:
    """The code `prefix` names (its nearest listed ancestor) and its direct children."""
    labels = _labels(language.lower()[:2])
    known = cpv_vocabulary().nearest_known(prefix)
    if known is None:
        return []
    return [known, *labels.children.get(significant_prefix(known), ())]


@cache
def label_partners(prefix: str, language: str) -> Mapping[str, frozenset[str]]:
    """For each term of `label_terms(prefix, language)` that no label of one telling word
    holds, the other telling words (generic ones left out) of the labels holding it among
    the code's and its children's: it counts as evidence only beside one of them. Terms a
    label holds alone ("Cewniki") are not listed: they count alone."""
    kept = dict(label_terms(prefix, language))
    if not kept:
        return {}
    labels = _labels(language.lower()[:2])
    partners: dict[str, set[str]] = {}
    alone: set[str] = set()
    for code in _chosen(prefix, language):
        telling = [t for t, _w in labels.terms[code] if t not in labels.generic]
        for term in telling:
            if term not in kept:
                continue
            others = {t for t in telling if t != term}
            if others:
                partners.setdefault(term, set()).update(others)
            else:
                alone.add(term)
    return {t: frozenset(p) for t, p in partners.items() if t not in alone}


@cache
def code_terms(code: str, language: str) -> tuple[tuple[str, str], ...]:
    """(term, word) of the label of `code` itself (or its nearest listed ancestor) in
    `language`, generic words left out: what a notice's code says, in a reader's words;
    () for an unknown code or a language without CPV labels."""
    if not has_labels(language):
        return ()
    labels = _labels(language.lower()[:2])
    known = cpv_vocabulary().nearest_known(code)
    if known is None:
        return ()
    return tuple((t, w) for t, w in labels.terms.get(known, ()) if t not in labels.generic)


def label_idf(term: str, language: str) -> float:
    """How telling `term` is among the CPV labels of `language` (ln of labels / labels
    holding it); 0 for a word no label holds or a generic one."""
    if not has_labels(language):
        return 0.0
    labels = _labels(language.lower()[:2])
    if term in labels.generic:
        return 0.0
    return labels.idf.get(term, 0.0)


@cache
def label_words(language: str) -> frozenset[str]:
    """Every (case-folded) word of the CPV labels of `language`: the vocabulary of things
    bought, used to tell international words ("software", "internet") from ordinary ones."""
    if not has_labels(language):
        return frozenset()
    return frozenset(w for pairs in _labels(language.lower()[:2]).terms.values() for _t, w in pairs)


def infer_codes(
    document: Collection[str], surface: Mapping[str, str], language: str | None
) -> tuple[InferredCode, ...]:
    """Likely codes of a notice from its terms (`surface`: a word of the notice per term).

    A code's confidence is the idf-weighted share of its label's terms the notice holds,
    halved when only one term matched; codes under `MIN_CONFIDENCE` are dropped, and a code
    is skipped when a broader one already found covers it. At most `MAX_INFERRED`."""
    if not document or not has_labels(language):
        return ()
    labels = _labels((language or "").lower()[:2])
    present = {t for t in document if t in labels.codes_of and t not in labels.generic}
    candidates: set[str] = set()
    for term in present:
        candidates.update(labels.codes_of[term])
    scored: list[tuple[float, int, str, tuple[str, ...]]] = []
    for code in candidates:
        label = [t for t, _w in labels.terms[code] if t not in labels.generic]
        if not label:
            continue
        total = sum(labels.idf[t] for t in label)
        hit = [t for t in label if t in present]
        confidence = sum(labels.idf[t] for t in hit) / total if total else 0.0
        if len(hit) < 2:
            confidence *= 0.5
        if confidence >= MIN_CONFIDENCE:
            words = tuple(display_word(surface.get(t, t)) for t in hit)
            scored.append((confidence, len(significant_prefix(code)), code, words))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    chosen: list[InferredCode] = []
    for confidence, _length, code, words in scored:
        own = significant_prefix(code)
        if any(own.startswith(significant_prefix(c.code)) for c in chosen):
            continue
        chosen.append(InferredCode(code, round(confidence, 3), words))
        if len(chosen) == MAX_INFERRED:
            break
    return tuple(chosen)


@cache
def phrase_codes(phrases: tuple[str, ...], language: str | None) -> tuple[str, ...]:
    """CPV codes whose label in `language` a profile's phrase names ("strzykawki" is syringes,
    33141310): the best inferred code of each phrase, so its words can be carried into another
    language. () for a language without CPV labels."""
    from matchers.analysis import terms_with_words as analyse

    found: dict[str, None] = {}
    for phrase in phrases:
        pairs = analyse(phrase, language)
        surface = {term: word for term, word in pairs}
        guesses = infer_codes(set(surface), surface, language)
        if guesses:
            found[guesses[0].code] = None
    return tuple(found)


@cache
def code_words(code: str, language: str | None = "en") -> str:
    """A code as words with its significant digits: "IT services (72)"; an unknown code is
    "CPV 99 (not in CPV 2008)"."""
    vocabulary = cpv_vocabulary()
    known = vocabulary.nearest_known(code)
    prefix = significant_prefix(pad_code(code))
    if known is None:
        return f"CPV {code} (not in CPV 2008)"
    label = vocabulary.label(known, (language or "en").lower()[:2]) or ""
    head = label.split(":", 1)[0].strip()
    return f"{head} ({prefix})"
