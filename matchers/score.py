"""Scoring one organisation against one opportunity: gates, criteria, weighted mean, reasons.

`score` is the exhaustive reference: `matchers.index.rank` must give the same matches for the
pairs it chooses to score, and uses `score_prepared` with text already analysed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from matchers.analysis import terms
from matchers.cpv import classification
from matchers.deadline import deadline_fit
from matchers.gates import (
    area_gate,
    closed_gate,
    demotions,
    exclusion_gate,
    relevance_gate,
    reservation,
    reservation_gate,
    size_gate,
)
from matchers.geography import geography, language_names, served_languages
from matchers.keywords import (
    Field,
    Keyword,
    Matcher,
    keyword_coverage,
    positions,
    prepare_keywords,
)
from matchers.result import Criterion, Gate, Match
from matchers.text import (
    CorpusStats,
    Query,
    code_relevance,
    language_query,
    org_query,
    reads_through_codes,
    text_relevance,
)
from matchers.types import Opportunity, OrgProfile
from matchers.value import value_fit
from matchers.weights import Weights

__all__ = [
    "CODES_EPSILON",
    "PreparedOpportunity",
    "PreparedOrg",
    "combined",
    "corroborated",
    "could_hold_keywords",
    "expected_foreign",
    "field_languages",
    "foreign_evidence",
    "foreign_keywords",
    "kind_factor",
    "prepare_opportunity",
    "prepare_org",
    "score",
    "score_prepared",
    "through_codes",
]


@dataclass(frozen=True, slots=True)
class PreparedOrg:
    """A profile with its query terms and keywords analysed once; `query_for` reads it in
    the languages of a document (memoised per set of languages)."""

    org: OrgProfile
    query: Query
    keywords: tuple[Keyword, ...]
    own_bridge: bool = True
    description_weight: float = 1.0
    self_partnered: bool = True
    _queries: dict[frozenset[str | None], Query] = field(
        default_factory=dict, compare=False, repr=False
    )

    def query_for(self, languages: frozenset[str | None]) -> Query:
        """The profile's terms for a document whose fields are in `languages`: the union of
        `language_query` of each (first-seen order); the own query for no language at all."""
        cached = self._queries.get(languages)
        if cached is not None:
            return cached
        if not languages or (languages == {self.org.language} and not self.own_bridge):
            query = self.query
        else:
            surface: dict[str, str] = {}
            weights: dict[str, float] = {}
            partners: dict[str, frozenset[str]] = {}
            phrase_words: set[str] = set()
            free: set[str] = set()
            said = 0
            for language in sorted(languages, key=lambda x: (x is None, x or "")):
                part = language_query(
                    self.org,
                    language,
                    own_bridge=self.own_bridge,
                    description_weight=self.description_weight,
                    self_partnered=self.self_partnered,
                    said=self.query.said,
                )
                said = max(said, part.said)
                for term in part.stems:
                    surface.setdefault(term, part.surface[term])
                    weight = part.weights.get(term, 1.0)
                    weights[term] = max(weights.get(term, weight), weight)
                    if term in part.partners:
                        partners[term] = partners.get(term, frozenset()) | part.partners[term]
                        if term in part.phrase_words:
                            phrase_words.add(term)
                    else:
                        free.add(term)
            query = Query(
                tuple(surface),
                surface,
                {t: w for t, w in weights.items() if w != 1},
                {t: p for t, p in partners.items() if t not in free},
                frozenset(phrase_words - free),
                said,
            )
        self._queries[languages] = query
        return query


@dataclass(frozen=True, slots=True)
class PreparedOpportunity:
    """An opportunity with its fields as terms: title, parent title, text (in that order)."""

    opportunity: Opportunity
    fields: tuple[Field, ...]
    document: tuple[str, ...] = ()
    positions: tuple[Mapping[str, list[int]], ...] = ()
    frequencies: Mapping[str, int] | None = None
    languages: frozenset[str | None] = frozenset()

    @classmethod
    def of(cls, opportunity: Opportunity, fields: tuple[Field, ...]) -> PreparedOpportunity:
        """Fields given; the whole document, term positions and frequencies derived once."""
        where = tuple(positions(doc) for _label, doc in fields)
        counts: dict[str, int] = {}
        for index in where:
            for term, found in index.items():
                counts[term] = counts.get(term, 0) + len(found)
        document = tuple(term for _label, doc in fields for term in doc)
        languages = field_languages(opportunity, tuple(bool(doc) for _label, doc in fields))
        return cls(opportunity, fields, document, where, counts, languages)


def field_languages(opportunity: Opportunity, nonempty: Sequence[bool]) -> frozenset[str | None]:
    """The languages of the title, parent title and text that hold any term."""
    languages = (opportunity.title_language, opportunity.parent_language, opportunity.language)
    return frozenset(lang for lang, used in zip(languages, nonempty, strict=True) if used)


def prepare_org(org: OrgProfile, weights: Weights | None = None) -> PreparedOrg:
    """Analyse a profile's text once for many opportunities."""
    own_bridge = True if weights is None else weights.own_language_bridge > 0
    described = 1.0 if weights is None else weights.description_weight
    partnered = True if weights is None else weights.self_description > 0
    return PreparedOrg(
        org,
        org_query(org, described, self_partnered=partnered),
        prepare_keywords(org.keywords, org.language),
        own_bridge,
        described,
        partnered,
    )


FIELD_LABELS = ("title", "parent title", "text")
SCORE_DIGITS = 9
KIND_WORDS = {"buyer_lot": "lot", "suggested_package": "package"}


def prepare_opportunity(opportunity: Opportunity) -> PreparedOpportunity:
    """Analyse an opportunity's text once for many organisations, each field in its language."""
    return PreparedOpportunity.of(
        opportunity,
        tuple(
            (label, terms(text, language))
            for label, (text, language) in zip(FIELD_LABELS, opportunity.read_texts(), strict=True)
        ),
    )


def where(opportunity: Opportunity) -> str:
    """ " of package 2" for lots and packages (the last part of their id), "" for tenders."""
    if opportunity.kind == "tender":
        return ""
    number = opportunity.id.rsplit(":", 1)[-1]
    return f" of {KIND_WORDS.get(opportunity.kind, opportunity.kind)} {number}"


def titles_as_terms(prepared: PreparedOpportunity) -> list[Sequence[str]]:
    """The title and parent title as terms (each read in its own language), for exclusions."""
    return [prepared.fields[0][1], prepared.fields[1][1]]


def kind_factor(opportunity: Opportunity, weights: Weights) -> float:
    """A suggested package counts `package_factor` (< 1): the buyer has not offered it, so it
    never outranks a real tender or lot of equal fit."""
    return weights.package_factor if opportunity.kind == "suggested_package" else 1.0


def score(
    opportunity: Opportunity,
    org: OrgProfile,
    *,
    now: datetime,
    weights: Weights,
    corpus: CorpusStats | None = None,
    holidays: Sequence[date] = (),
) -> Match:
    """Score one pair from scratch. `corpus` gives BM25 its document frequencies; without it
    every word weighs the same (see `matchers.text`)."""
    return score_prepared(
        prepare_opportunity(opportunity),
        prepare_org(org, weights),
        now=now,
        weights=weights,
        corpus=corpus,
        holidays=holidays,
    )


def score_prepared(
    prepared: PreparedOpportunity,
    org: PreparedOrg,
    *,
    now: datetime,
    weights: Weights,
    corpus: CorpusStats | None = None,
    holidays: Sequence[date] = (),
    matcher: Matcher | None = None,
) -> Match:
    """Score one pair whose text is already analysed (`matcher`: see `keyword_coverage`)."""
    opportunity = prepared.opportunity
    profile = org.org
    text = text_relevance(
        org.query_for(prepared.languages),
        prepared.document,
        corpus,
        weights,
        frequencies=prepared.frequencies,
    )
    text = through_codes(text, prepared, org, weights)
    keywords, found = keyword_coverage(
        org.keywords,
        prepared.fields,
        weights,
        where=where(opportunity),
        matcher=matcher,
        field_positions=prepared.positions or None,
        texts=opportunity.read_texts(),
    )
    codes = classification(profile, opportunity, weights)
    relevance = max(text.score, keywords.score, codes.score)
    place = geography(profile, opportunity, weights)
    holds = could_hold_keywords(profile, prepared.languages)
    counted = foreign_keywords(
        keywords,
        bool(org.keywords) and expected_foreign(profile, prepared.languages),
        prepared,
        weights,
        foreign_evidence(text, codes, weights),
    )
    criteria = (
        text,
        counted,
        corroborated(codes, keywords, bool(org.keywords) and holds, weights, text),
        value_fit(profile, opportunity, weights),
        place,
        deadline_fit(opportunity.deadline, now, weights, holidays),
    )
    gate = (
        closed_gate(opportunity, now, weights, holidays)
        or exclusion_gate(
            opportunity, profile.exclusions, profile.language, titles_as_terms(prepared)
        )
        or area_gate(profile, criteria[4])
        or size_gate(profile, opportunity, weights)
        or relevance_gate(relevance, weights)
        or reservation_gate(opportunity, profile, weights)
    )
    if gate is not None:
        return Match(profile.id, opportunity.id, 0.0, criteria, _ruled_out(gate), gate)
    factor, demoted = demotions(
        opportunity, profile.exclusions, weights, place, profile, [prepared.fields[2][1]]
    )
    # Rounded so that equal scores reached by different summation orders stay equal (ties
    # are then broken by opportunity id, the same way in the index and here).
    value = round(combined(criteria, weights), SCORE_DIGITS)
    factor *= kind_factor(opportunity, weights)
    if factor != 1.0:
        value = round(value * factor, SCORE_DIGITS)
    explanation = explain(criteria, found, where(opportunity))
    if counted is not keywords:
        explanation = f"{explanation}; {counted.detail[len(keywords.detail) + 2 :]}"
    if demoted:
        explanation = "; ".join((explanation, *demoted))
    reserved = reservation(opportunity, profile)
    if reserved is not None and reserved[0]:
        explanation = f"{explanation}; {reserved[1]}"
    return Match(profile.id, opportunity.id, value, criteria, explanation)


def combined(criteria: Sequence[Criterion], weights: Weights) -> float:
    """`Weights.combine` of the criteria (in `CRITERIA` order: relevance first, then context)."""
    if weights.product <= 0:
        return sum(c.score * c.weight for c in criteria) / weights.total
    relevance = sum(c.score * c.weight for c in criteria[:3])
    context = sum(c.score * c.weight for c in criteria[3:])
    return float(weights.combine(relevance, context))


def through_codes(
    text: Criterion, prepared: PreparedOpportunity, org: PreparedOrg, weights: Weights
) -> Criterion:
    """The text criterion of a notice the profile cannot read in its own language nor through
    the bridge (`matchers.text.reads_through_codes`, a Ukrainian notice for a Polish profile),
    read through its codes' labels in the profile's language (`code_relevance`) when that
    finds more than the words it shares as they are."""
    profile = org.org
    if not reads_through_codes(profile.language, prepared.languages):
        return text
    via = code_relevance(org.query, prepared.opportunity.cpv, profile.language or "", weights)
    return via if via is not None and via.score > text.score else text


def foreign_keywords(
    keywords: Criterion,
    foreign: bool,
    prepared: PreparedOpportunity,
    weights: Weights,
    evidence: str | None = "",
) -> Criterion:
    """The keywords criterion of a notice wholly in another language than the profile's, one of
    the languages of the countries it works in (`foreign`, `expected_foreign`). It cannot hold
    the profile's keywords as written. When something else in it meets the profile's trade
    (`evidence`, from `foreign_evidence`) their absence is no evidence against it and counts
    the neutral `foreign_keywords` (0.5), as an unknown value does; when nothing does (`None`)
    the keywords count what was found, said so. What was found counts when it is more.
    Relevance (the gate) still reads only what was found."""
    neutral = weights.foreign_keywords
    if not foreign or keywords.score >= neutral or neutral <= 0:
        return keywords
    written = f"written in {language_names(prepared.languages)}"
    if evidence is None:
        counted = "keywords not counted" if keywords.score <= 0 else "only what was found counts"
        return Criterion(
            keywords.name,
            keywords.score,
            keywords.weight,
            f"{keywords.detail}; {written}, a language you do not write, and neither its "
            f"words read through CPV labels nor its codes meet your trade: {counted}",
            keywords.evidence,
        )
    return Criterion(
        keywords.name,
        neutral,
        keywords.weight,
        f"{keywords.detail}; {written}, which cannot hold your keywords"
        f"{'; ' + evidence if evidence else ''}: keywords count a neutral {neutral:g}",
        keywords.evidence,
    )


CODES_EPSILON = 1e-9  # classification scores are ratios such as 4/5: compared with a margin


def foreign_evidence(text: Criterion, codes: Criterion, weights: Weights) -> str | None:
    """What in a notice in another language meets the profile's trade, for `foreign_keywords`:
    its words read through CPV labels (text relevance above 0: the labels of the profile's
    codes carried into the notice's language, or the notice's codes read in the profile's),
    or its codes at least `foreign_min_codes` close to the profile's interests; None when
    neither does (a code sharing only a division with the profile's is no reason to count
    the keywords it cannot hold as half found)."""
    if text.score > 0:
        return f"your trade met through CPV labels and shared words: {', '.join(text.evidence[:3])}"
    if codes.score > 0 and codes.score >= weights.foreign_min_codes - CODES_EPSILON:
        return "its codes meet your interests"
    if weights.foreign_min_codes <= 0:
        return ""
    return None


def expected_foreign(org: OrgProfile, languages: frozenset[str | None]) -> bool:
    """Whether a document in `languages` is wholly in another language than the profile's
    (it cannot hold its keywords) and in a language of a country the profile works in, so
    the profile expects such notices (an English firm serving Ukraine reads Ukrainian ones)."""
    if could_hold_keywords(org, languages):
        return False
    return bool(languages & served_languages(org))


def could_hold_keywords(org: OrgProfile, languages: frozenset[str | None]) -> bool:
    """Whether a document in `languages` could hold the profile's keywords: one of its fields
    is in the profile's language, or in an unknown one. A notice wholly in another language
    cannot, so missing keywords there are no evidence against its codes."""
    return not languages or org.language in languages or None in languages


def corroborated(
    codes: Criterion,
    keywords: Criterion,
    has_keywords: bool,
    weights: Weights,
    text: Criterion | None = None,
) -> Criterion:
    """Codes that no keyword of the profile backs up count `uncorroborated_code_factor`:
    buyers mis-code and profiles name broad prefixes ("728" takes in accessibility testing
    as well as security), so a code match alone is weaker evidence than code and words. Text
    relevance of at least `corroborating_text` backs codes up as well (a notice in another
    language cannot hold the profile's keywords, only its codes' words)."""
    factor = weights.uncorroborated_code_factor
    if not has_keywords or keywords.score > 0 or codes.score <= 0 or factor >= 1:
        return codes
    backed = text is not None and text.score >= weights.corroborating_text
    if weights.corroborating_text > 0 and backed:
        return codes
    return Criterion(
        codes.name,
        codes.score * factor,
        codes.weight,
        f"{codes.detail} (no keyword of yours found: counts x{factor:g})",
        codes.evidence,
    )


def _ruled_out(gate: Gate) -> str:
    return f"Ruled out ({gate.name}): {gate.reason}"


def explain(criteria: Sequence[Criterion], found: Sequence[tuple[str, str]], place: str) -> str:
    """One line from the strongest evidence: codes, keywords (or words), value, deadline, place."""
    by_name = {c.name: c for c in criteria}
    parts: list[str] = []
    codes = by_name["classification"]
    if codes.score > 0:
        parts.append(codes.detail)
    if found:
        parts.append("; ".join(f"'{k}' found in {label}{place}" for k, label in found[:2]))
    elif by_name["text"].score > 0:
        parts.append(by_name["text"].detail.split(" (BM25")[0])
    for name in ("value", "deadline", "geography"):
        parts.append(by_name[name].detail)
    return "; ".join(parts)
