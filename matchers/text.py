"""Text relevance: Okapi BM25 of an opportunity's words against an organisation's profile.

The opportunity (title, parent title, text) is the document; the profile's capabilities,
keywords and description, each distinct term once, are the query. Scores use corpus statistics
(`CorpusStats`: document count, document frequencies, average length) so that rare, telling words
weigh more than "service"; without a corpus every term weighs 1.

Why not a BM25 library: `bm25s` (the fastest, sparse-matrix based) scores a query against its
whole index at once; the matchers also need one pair's score with the words that earned it (for
explanations), and the same postings for CPV and keyword candidate generation, with scores
bit-for-bit equal between the single-pair reference and the index. The formula is ten lines;
stemming, the part worth a library, is PyStemmer (see `matchers.analysis`).

Normalisation to 0-1: raw BM25 divided by the raw score an average-length document would get
for mentioning, once each, the query's `saturation_terms` most distinctive terms (the sum of
their idf), capped at 1. So 1 means "as relevant as a typical notice naming your five most
telling words"; the scale does not depend on the other documents scored. A profile that said
more words than reach the text (its acronyms alone carried into another language) keeps its
five slots, the empty ones counted as an average word of those found (`bound`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from matchers.analysis import compounds, display_word, head_stems, terms_with_words
from matchers.bridge import (
    code_terms,
    has_labels,
    label_idf,
    label_partners,
    label_terms,
    label_words,
    phrase_codes,
)
from matchers.keywords import phrase_partners
from matchers.result import Criterion
from matchers.types import OrgProfile
from matchers.weights import Weights
from scanner.reference.regions import area_names, country_names

__all__ = [
    "CorpusStats",
    "Query",
    "bm25_idf",
    "code_relevance",
    "language_query",
    "needs_partner",
    "org_query",
    "place_terms",
    "population",
    "reads_through_codes",
    "text_relevance",
]


def bm25_idf(documents: int, frequency: int) -> float:
    """Lucene's non-negative BM25 idf: ln(1 + (N - df + 0.5) / (df + 0.5))."""
    return math.log(1.0 + (documents - frequency + 0.5) / (frequency + 0.5))


@dataclass(frozen=True, slots=True)
class CorpusStats:
    """What BM25 needs to know about the collection being searched."""

    documents: int
    average_length: float
    frequencies: Mapping[str, int]
    populations: Mapping[str, int] = field(default_factory=dict)
    """Per term, the number of documents in the term's language (absent: all documents):
    a word's rarity is judged among the texts that could hold it (`population`)."""
    _idf: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_documents(
        cls,
        documents: Iterable[Sequence[str]],
        languages: Iterable[str | None] | None = None,
    ) -> CorpusStats:
        """Statistics of documents given as their term lists; with `languages` (one per
        document), each term's population is the documents of the language it was first
        seen in (`population`)."""
        counts: Counter[str] = Counter()
        first: dict[str, str | None] = {}
        per_language: Counter[str | None] = Counter()
        total = 0
        n = 0
        tagged = iter(languages) if languages is not None else None
        for doc in documents:
            n += 1
            total += len(doc)
            counts.update(set(doc))
            if tagged is not None:
                language = next(tagged)
                per_language[language] += 1
                for term in doc:
                    first.setdefault(term, language)
        populations = {
            term: population(n, per_language[language], counts[term])
            for term, language in first.items()
        }
        return cls(n, total / n if n else 0.0, dict(counts), populations)

    def idf(self, term: str) -> float:
        """BM25 idf of `term` among the documents of its language (memoised)."""
        value = self._idf.get(term)
        if value is None:
            value = self._idf[term] = bm25_idf(
                self.populations.get(term, self.documents), self.frequencies.get(term, 0)
            )
        return value


def population(documents: int, in_language: int, frequency: int) -> int:
    """The documents a term's rarity is judged among: those in its language. In a corpus of
    many languages, every word of a small language is rare overall ("enti", "gare" in 64
    Italian notices among 7,896), so its common words would weigh like telling ones; among
    the texts of its own language they weigh what they weigh there (per-language collection
    statistics, as multilingual search engines keep them). Unknown language (`in_language`
    0): all documents; never fewer than the documents holding the term."""
    if in_language <= 0:
        return documents
    return max(in_language, frequency)


@dataclass(frozen=True, slots=True)
class Query:
    """An organisation's profile as distinct stems, each with a word of the profile to show."""

    stems: tuple[str, ...]
    surface: Mapping[str, str]
    weights: Mapping[str, float] = field(default_factory=dict)
    """A term's weight in the sum (1 when absent): words only the description holds count
    `description_weight`, since the description says who the organisation is more than what
    it sells ("family", "staff", "Stornoway")."""
    partners: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """A term listed here counts only in a document that holds one of its partners
    (`contributions`, `needs_partner`): a word of multi-word CPV labels carried into the
    notice's language says what is bought only beside another word of those labels or of the
    profile's codes (`label_partners`); a word the profile uses only in multi-word keywords,
    beside another keyword word (`phrase_partners`); a word only its description holds that
    is no word of its trade, beside one (`self_words`)."""
    phrase_words: frozenset[str] = frozenset()
    """Partnered terms that come from the profile's multi-word keywords (`phrase_partners`):
    the rule holds for them only where they are common (`needs_partner`)."""
    said: int = 0
    """How many distinct terms the profile holds read in its own language (0: as many as
    `stems`): read in another language through its acronyms and codes, or against a corpus
    that barely holds its words, fewer reach the text than it said (`bound`)."""
    # (id(stats), saturation) -> (stats, bound); the stats are kept so an id is never reused.
    # Not an init field: a copy made with `replace` computes its own bounds.
    _bounds: dict[tuple[int, int], tuple[object, float]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )


def org_query(
    org: OrgProfile, description_weight: float = 1.0, *, self_partnered: bool = True
) -> Query:
    """Distinct terms of capabilities, keywords and description, in first-seen order, in the
    profile's own language; numbers are no terms; words only in the description weigh
    `description_weight` and, when `self_partnered`, count only beside a word of the
    profile's trade unless they are one (`self_words`)."""
    return _query(org, org.language, lambda text: terms_with_words(text, org.language),
                  description_weight, self_partnered)  # fmt: skip


def _query(
    org: OrgProfile,
    language: str | None,
    read: Callable[[str], list[tuple[str, str]]],
    description_weight: float,
    self_partnered: bool = True,
) -> Query:
    surface: dict[str, str] = {}
    weights: dict[str, float] = {}
    declared: set[str] = set()  # terms of the capabilities and keywords
    places = place_terms(tuple(sorted(set(org.regions))), language, org.language)
    if places:
        places -= trade_terms(org, language)
    content = label_words(org.language or "en") if places else frozenset()
    for position, text in enumerate(_texts(org)):
        weight = description_weight if position == 2 else 1.0
        for term, word in read(text):
            if term.isdigit() or (term in places and (position == 2 or word not in content)):
                continue
            surface.setdefault(term, word)
            weights[term] = max(weights.get(term, 0.0), weight)
            if position < 2:
                declared.add(term)
    partners = phrase_partners(org.keywords, (org.capabilities, org.description), read)
    partners = {t: p for t, p in partners.items() if t in surface}
    phrase_words = frozenset(partners)
    if self_partnered:
        trade = trade_terms(org, language)
        described = set(surface) - declared - set(partners)
        own = self_words(described, declared, trade, surface, language)
        beside = frozenset((declared | trade) - own)
        if beside:  # a profile of nothing but a description keeps its words
            partners.update(dict.fromkeys(own, beside))
    return Query(
        tuple(surface),
        surface,
        {t: w for t, w in weights.items() if w != 1.0},
        partners,
        phrase_words,
        said=len(surface),
    )


def self_words(
    described: set[str],
    declared: set[str],
    trade: frozenset[str],
    surface: Mapping[str, str],
    language: str | None,
) -> set[str]:
    """The terms of `described` (words only the description holds) that say who the
    organisation is rather than what it sells: those not among the `trade` terms (the CPV
    labels of its codes, `trade_terms`) and, in a language of closed compounds, no head of
    a `declared` word (capabilities, keywords: "reinigen" of "Unterhaltsreinigung").
    "Firma szkoleniowa z Poznania, 16 osób", "Охранителна фирма ... с 48 служители", "a
    social enterprise founded in 2009, a team of 12 staff": in a notice such words stand
    beside any trade, so they count only beside a word of the profile's trade."""
    own = described - trade
    if not own or not compounds(language):
        return own
    return {
        t for t in own
        if len(t) < _COMPOUND.compound_min_head
        or not any(len(d) - len(h) >= _COMPOUND.compound_min_modifier and d.endswith(h)
                   for h in head_stems(surface[t], language) for d in declared)
    }  # fmt: skip


_COMPOUND = Weights()  # the keyword rule's lengths of a compound's head and modifier


@lru_cache(maxsize=4096)
def _trade_terms(
    codes: tuple[str, ...], keywords: tuple[str, ...], own: str | None, language: str | None
) -> frozenset[str]:
    found = list(codes) + list(phrase_codes(keywords, own))
    return frozenset(t for code in found for t, _w in label_terms(code, language or ""))


def trade_terms(org: OrgProfile, language: str | None) -> frozenset[str]:
    """The terms, read in `language`, of the CPV labels of the profile's trade: its codes and
    the codes its keywords name (`phrase_codes`), with their direct children
    (`label_terms`); empty for a language without CPV labels."""
    return _trade_terms(tuple(org.cpv), tuple(org.keywords), org.language, language)


@lru_cache(maxsize=4096)
def place_terms(
    regions: tuple[str, ...], language: str | None, own_language: str | None
) -> frozenset[str]:
    """Terms, read in `language`, of the names of a profile's regions, of the regions holding
    them and of those they hold ("Baden-Württemberg" for a firm serving Stuttgart): where a
    firm works is the geography criterion's to judge, so its places are no query terms ("a
    cleaning firm of Baden-Württemberg" made 'baden' text evidence in any notice naming the
    region), nor is the name of its country, which a country code alone ("EL", "PL") or a
    region's country gives ("σε όλη την Ελλάδα" made 'ελλάδα' text evidence in every Greek
    notice, whose address names the country). `_query` keeps those that are words of the
    profile's trade (`trade_terms`) and, in its capabilities and keywords, words of CPV
    labels ("Essen" is a city of North Rhine-Westphalia and food: "Essen für Kitas"); in
    its description any other is a place ("Oost" of "Oost-Vlaanderen" is a word of the label
    "Oost-Indische inkt", and the Dutch stem of "Oostende")."""
    return frozenset().union(*(_region_terms(c, language, own_language) for c in regions))


@lru_cache(maxsize=4096)
def _region_terms(code: str, language: str | None, own_language: str | None) -> frozenset[str]:
    # a country's one-word names only: the words of "United Kingdom" or "Czech Republic" are
    # no place alone
    country = [n for n in country_names(code, (language, own_language)) if len(n.split()) == 1]
    names = (*area_names(code), *country)
    return frozenset(term for name in names for term, _word in terms_with_words(name, language))


def _texts(org: OrgProfile) -> tuple[str, str, str]:
    return (org.capabilities, " ".join(org.keywords), org.description)


def language_query(
    org: OrgProfile,
    language: str | None,
    *,
    own_bridge: bool = True,
    description_weight: float = 1.0,
    self_partnered: bool = True,
    said: int | None = None,
) -> Query:
    """The profile as read against a text in `language` (module `matchers.bridge`):

    - in its own language, its own terms (and, when `own_bridge`, its codes' label terms);
    - in another language with CPV labels, the label terms of its CPV interests and of the
      codes its keywords name (`phrase_codes`) in that language, plus its international words: acronyms and names written with capitals
      inside ("GIS", "WordPress", "ISO27001") and words found in the CPV labels of both
      languages ("software", "internet"), read with that language's analyser;
    - in an unknown language (None), its words as they are, stop words of every list left out.

    In each, a word only its description holds that is no word of its trade counts only
    beside one (`self_words`), when `self_partnered`. `said`: the size of its own query
    (`Query.said`), when the caller already has it.
    """
    if language == org.language:
        base = org_query(org, description_weight, self_partnered=self_partnered)
        if not own_bridge:
            return base
    elif language is None:
        return _query(org, None, lambda text: terms_with_words(text, None), description_weight,
                      self_partnered)  # fmt: skip
    else:
        shared = label_words(language) & label_words(org.language or "en")

        def loans(text: str) -> list[tuple[str, str]]:
            found: list[tuple[str, str]] = []
            for raw in _RAW_WORD_RE.findall(text):
                if _international(raw) or raw.casefold() in shared:
                    found.extend(terms_with_words(raw.casefold(), language))
            return found

        base = _query(org, language, loans, description_weight, self_partnered)
        if said is None:
            said = len(org_query(org, description_weight, self_partnered=self_partnered).stems)
        base = replace(base, said=said)
    surface = dict(base.surface)
    weights = dict(base.weights)
    codes = list(org.cpv)
    if language != org.language:  # the keywords' own codes carry their words across too
        codes += phrase_codes(tuple(org.keywords), org.language)
    free = set(surface) - set(base.partners)
    bound: dict[str, set[str]] = {t: set(p) for t, p in base.partners.items()}
    for code in codes:
        partners = label_partners(code, language or "")
        for term, word in label_terms(code, language or ""):
            surface.setdefault(term, word)
            if term in partners:
                bound.setdefault(term, set()).update(partners[term])
            else:
                free.add(term)
    carried = frozenset(t for code in codes for t, _w in label_terms(code, language or ""))
    needs = {
        t: frozenset(p) | (carried - {t} if t not in base.partners else frozenset())
        for t, p in bound.items()
        if t not in free
    }
    return Query(tuple(surface), surface, weights, needs, base.phrase_words - free, base.said)


_RAW_WORD_RE = re.compile(r"[^\W_]+")


def _international(word: str) -> bool:
    """An acronym or a name with capitals inside, or letters with digits: not a word of any
    one language ("GIS", "WordPress", "ISO27001"; not "Research" at a sentence start)."""
    if len(word) < 2 or not word.isalnum():
        return False
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return False
    if any(c.isdigit() for c in word):
        return True
    return any(c.isupper() for c in word[1:])


def bound(query: Query, stats: CorpusStats | None, saturation_terms: int) -> float:
    """The raw score that counts as 1: sum of the `saturation_terms` largest idf of the query
    terms the corpus contains (each idf is 1 without a corpus), over at most as many slots as
    the profile said terms (`Query.said`); a slot no term of the query fills counts as an
    average one of those found, so one word met is not "as relevant as naming five" when
    the profile named more ('IT' alone, the one word a Swedish IT firm without codes carries
    into German, scored text 1.00 on any German notice saying "IT"). Memoised per corpus."""
    key = (id(stats), saturation_terms)
    cached = query._bounds.get(key)
    if cached is None or cached[0] is not stats:
        cached = query._bounds[key] = (stats, _bound(query, stats, saturation_terms))
    return cached[1]


def _bound(query: Query, stats: CorpusStats | None, saturation_terms: int) -> float:
    slots = max(1, min(saturation_terms, query.said or len(query.stems)))
    if stats is None:
        return float(slots) if query.stems else 0.0
    idfs = sorted(
        (
            stats.idf(t) * query.weights.get(t, 1.0)
            for t in query.stems
            if stats.frequencies.get(t, 0) > 0
        ),
        reverse=True,
    )
    top = idfs[:slots]
    if not top:
        return 0.0
    return sum(top) + (slots - len(top)) * (sum(top) / len(top))


def contributions(
    query: Query,
    document: Sequence[str],
    stats: CorpusStats | None,
    weights: Weights,
    frequencies: Mapping[str, int] | None = None,
) -> dict[str, float]:
    """Each matching query term's BM25 contribution to `document`'s score (`frequencies`:
    the document's term counts, when already known)."""
    if not document or not query.stems:
        return {}
    tf = frequencies if frequencies is not None else Counter(document)
    length = len(document)
    average = stats.average_length if stats is not None and stats.average_length else length
    norm = weights.k1 * (1.0 - weights.b + weights.b * length / average)
    out: dict[str, float] = {}
    for term in query.stems:
        count = tf.get(term)
        if count:
            idf = stats.idf(term) if stats is not None else 1.0
            out[term] = idf * count * (weights.k1 + 1.0) / (count + norm)
            if query.weights:
                out[term] *= query.weights.get(term, 1.0)
    if query.partners:
        for term in [t for t in out if t in query.partners]:
            if needs_partner(query, term, stats) and not any(
                tf.get(p) for p in query.partners[term]
            ):
                del out[term]
    return out


COMMON_SHARE = 0.05


def needs_partner(query: Query, term: str, stats: CorpusStats | None) -> bool:
    """Whether partnered `term` (`Query.partners`) counts only beside a partner: always for
    a word of CPV labels carried across; for a word of a multi-word keyword only where it
    is common, in over `COMMON_SHARE` of the documents of its language ('pracy' of
    "medycyna pracy" in Polish notices; not 'démarches' of "démarches en ligne", which names
    the trade alone)."""
    if term not in query.phrase_words:
        return True
    if stats is None:
        return True
    held = stats.frequencies.get(term, 0)
    return held > COMMON_SHARE * stats.populations.get(term, stats.documents)


def text_relevance(
    query: Query,
    document: Sequence[str],
    stats: CorpusStats | None,
    weights: Weights,
    *,
    frequencies: Mapping[str, int] | None = None,
) -> Criterion:
    """BM25 of `document` (opportunity terms) for `query`, normalised to 0-1 (module doc)."""
    weight = weights.weight("text")
    if not query.stems:
        return Criterion(
            "text", 0.0, weight, "profile has no capabilities, keywords or description"
        )
    if not document:
        return Criterion("text", 0.0, weight, "opportunity has no text")
    parts = contributions(query, document, stats, weights, frequencies)
    if not parts:
        return Criterion("text", 0.0, weight, "no profile words in the text")
    denominator = bound(query, stats, weights.saturation_terms)
    raw = sum(parts.values())
    value = min(1.0, raw / denominator) if denominator > 0 else 0.0
    ranked = sorted(parts, key=lambda t: (-parts[t], t))
    evidence = tuple(f"'{display_word(query.surface.get(t, t))}'" for t in ranked)
    shown = ", ".join(evidence[:4])
    return Criterion("text", value, weight, f"text mentions {shown} (BM25 {raw:.2f})", evidence)


def reads_through_codes(language: str | None, languages: frozenset[str | None]) -> bool:
    """Whether a profile in `language` reads a notice whose fields are in `languages` through
    the notice's codes (`code_relevance`): the notice is wholly in known languages other than
    the profile's, none of them with CPV labels (Ukrainian), so the bridge cannot carry the
    profile's words into it, while the profile's language has labels to read its codes in."""
    if not languages or None in languages or language in languages:
        return False
    return has_labels(language) and not any(has_labels(lang) for lang in languages)


def code_relevance(
    query: Query, codes: Sequence[str], language: str, weights: Weights
) -> Criterion | None:
    """Text relevance of a notice the profile cannot read (`reads_through_codes`), read
    through its published CPV codes: the labels of its codes in the profile's language are
    the notice's words there ("Szwy chirurgiczne" for 33141121, where the profile sells "nici
    chirurgiczne"). Each of the profile's words found counts its rarity among the labels
    (`label_idf`), normalised as BM25 is, by the profile's `saturation_terms` most telling
    words; a word of the description that counts only beside a word of the trade
    (`self_words`) counts only when the labels hold one; None when no word is found."""
    found: dict[str, float] = {}
    named = {term for code in codes for term, _word in code_terms(code, language)}
    for code in codes:
        for term, _word in code_terms(code, language):
            if term in query.surface and term not in found:
                found[term] = label_idf(term, language) * query.weights.get(term, 1.0)
    found = {
        t: v for t, v in found.items()
        if v > 0
        and (t not in query.partners or t in query.phrase_words or query.partners[t] & named)
    }  # fmt: skip
    if not found:
        return None
    key = (-1, weights.saturation_terms)
    cached = query._bounds.get(key)
    if cached is None:
        idfs = sorted(
            (label_idf(t, language) * query.weights.get(t, 1.0) for t in query.stems),
            reverse=True,
        )
        cached = query._bounds[key] = (None, sum(idfs[: max(1, weights.saturation_terms)]))
    denominator = cached[1]
    value = min(1.0, sum(found.values()) / denominator) if denominator > 0 else 0.0
    ranked = sorted(found, key=lambda t: (-found[t], t))
    evidence = tuple(f"'{display_word(query.surface.get(t, t))}'" for t in ranked)
    return Criterion(
        "text",
        value,
        weights.weight("text"),
        f"its codes, read in your language, name {', '.join(evidence[:4])}",
        evidence,
    )
