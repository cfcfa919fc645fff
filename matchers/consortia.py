"""Consortia: when no single organisation covers an opportunity, which two or three do together.

An opportunity's *needs* are its subject (its title's words, or the text's highest tf-idf terms
when the title says too little; generic procurement words such as "single supplier", "services"
or "provision", and names - capitalised words such as a buyer's place that no organisation's
vocabulary holds - are no subject), its classification codes, its delivery regions, and capacity: a
buyer may ask for a yearly turnover of up to twice the value (Directive 2014/24/EU Art. 58(3),
DOMAIN.md section 2), and groups of economic operators may bid together (Art. 19(2)), so the
members' turnovers are added up. An organisation covers a word when its capabilities, keywords
or description hold it; a code when it shares the code's group (3 digits) or closer; a region
when it serves it (`matchers.geography`, tier 1.0). Members must bring some of the work
(a subject word or code), not only a region or turnover. Organisations ruled out by the
closed or exclusion gates are never proposed; the relevance, area and size gates judge one
organisation alone, which is what a consortium makes up for.

The search is exhaustive over the `candidates` organisations covering most needs (C(12, 3) = 220
groups): a complete cover with the fewest members wins, then the highest summed match score.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from matchers.analysis import stems, terms_with_words
from matchers.cpv import closeness, cpv_significant, naics_significant
from matchers.geography import SERVED, geography
from matchers.result import Match
from matchers.score import prepare_opportunity, prepare_org, score_prepared
from matchers.text import CorpusStats
from matchers.types import Opportunity, OrgProfile
from matchers.value import money, usable_value
from matchers.weights import Weights

__all__ = ["Consortium", "Need", "needs_of", "propose_consortia"]

NeedKind = Literal["subject", "code", "region", "capacity"]
CODE_COVER = 0.6  # shares at least the CPV group (3 of 5 digits)
_GROUP_MAKES_UP = frozenset({"relevance", "area", "size"})  # gates a group answers
GENERIC_WORDS = (
    "single", "supplier", "suppliers", "service", "services", "provision", "provider",
    "providers", "contract", "contracts", "framework", "tender", "procurement", "lot",
    "requirement", "requirements", "managed", "programme", "various",
)  # fmt: skip
_GENERIC = frozenset(stems(list(GENERIC_WORDS)))
_WORD_RE = re.compile(r"[^\W\d_][\w'’-]*")


def _names(title: str, vocabulary: Collection[str] | None) -> set[str]:
    """Lower-cased capitalised words of `title` that look like names (of a place, a buyer, a
    programme): with a vocabulary, those whose stem it lacks; without, those after the first
    word. Acronyms (all capitals: BSL, GIS) are kept as subjects."""
    found = _WORD_RE.findall(title)
    names = set()
    for position, word in enumerate(found):
        if not word[0].isupper() or word.isupper():
            continue
        if vocabulary is not None:
            if stems([word.lower()])[0] not in vocabulary:
                names.add(word.lower())
        elif position > 0:
            names.add(word.lower())
    return names


@dataclass(frozen=True, slots=True)
class Need:
    """One thing the work asks for. `key` is compared, `label` is shown."""

    kind: NeedKind
    key: str
    label: str


@dataclass(frozen=True, slots=True)
class Consortium:
    """The answer for one opportunity.

    `single` names an organisation that covers every need alone (no consortium proposed);
    otherwise `members` is the proposed group (empty when no organisation covers anything),
    `covers` says who covers what, and `missing` what even the group does not cover."""

    opportunity_id: str
    needs: tuple[Need, ...]
    members: tuple[str, ...]
    covers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    single: str | None = None
    explanation: str = ""

    @property
    def complete(self) -> bool:
        """True when the members together cover every need."""
        return bool(self.members) and not self.missing


def needs_of(
    opportunity: Opportunity,
    *,
    corpus: CorpusStats | None = None,
    subjects: int = 5,
    vocabulary: Collection[str] | None = None,
) -> tuple[Need, ...]:
    """What an opportunity asks for (module docstring): subject words (from the title; from the
    text when the title says too little), codes, regions, capacity. `vocabulary` (stems of the
    organisations' capabilities, keywords and descriptions) tells names from subject words."""
    title = terms_with_words(opportunity.title)
    names = _names(opportunity.title, vocabulary)
    words: dict[str, str] = {}
    for stem, word in title:
        if not stem.isdigit() and stem not in _GENERIC and word not in names:
            words.setdefault(stem, word)
    if corpus is not None:  # words in most notices say nothing about the subject
        common = {t for t in words if corpus.frequencies.get(t, 0) > corpus.documents / 4}
        words = {t: w for t, w in words.items() if t not in common} or words
    if len(words) < 2:  # a bare title ("Lot 2"): take the text's most telling words
        names |= _names(opportunity.text, vocabulary) if vocabulary is not None else set()
        text = [
            (stem, word)
            for stem, word in terms_with_words(opportunity.text)
            if not stem.isdigit() and stem not in _GENERIC and word not in names
        ]
        counts = Counter(stem for stem, _w in text)
        surface = dict((stem, word) for stem, word in reversed(text))

        def weight(term: str) -> float:
            return counts[term] * (corpus.idf(term) if corpus is not None else 1.0)

        for term in sorted(counts, key=lambda t: (-weight(t), t))[:subjects]:
            words.setdefault(term, surface[term])
    needs = [Need("subject", t, f"'{w}'") for t, w in list(words.items())[:subjects]]
    for scheme, codes, significant in (
        ("CPV", opportunity.cpv, cpv_significant),
        ("NAICS", opportunity.naics, naics_significant),
    ):
        for sig in dict.fromkeys(filter(None, (significant(c) for c in codes))):
            needs.append(Need("code", f"{scheme}:{sig}", f"{scheme} {sig}"))
    for region in dict.fromkeys(
        r.strip().upper() for r in opportunity.regions if len(r.strip()) > 2
    ):
        needs.append(Need("region", region, f"region {region}"))
    value = usable_value(opportunity.value)
    if value is not None:
        needs.append(Need("capacity", str(2 * value), f"turnover of {money(2 * value)} (2x value)"))
    return tuple(needs)


def _covers(org: OrgProfile, need: Need, terms: set[str], weights: Weights) -> bool:
    if need.kind == "subject":
        return need.key in terms
    if need.kind == "code":
        scheme, sig = need.key.split(":", 1)
        mine = org.cpv if scheme == "CPV" else org.naics
        significant = cpv_significant if scheme == "CPV" else naics_significant
        denominator = 5 if scheme == "CPV" else 6
        return any(
            closeness(s, sig, denominator) >= CODE_COVER
            for s in filter(None, (significant(c) for c in mine))
        )
    if need.kind == "region":
        probe = Opportunity(id="", kind="tender", tender_id="", title="", regions=(need.key,))
        return geography(org, probe, weights).score >= SERVED
    return False  # capacity is judged for the group


def _turnover(org: OrgProfile) -> float:
    return usable_value(org.turnover) or 0.0


def propose_consortia(
    opportunity: Opportunity,
    orgs: Sequence[OrgProfile],
    *,
    now: datetime,
    weights: Weights,
    corpus: CorpusStats | None = None,
    max_members: int = 3,
    candidates: int = 12,
    holidays: Sequence[date] = (),
) -> Consortium:
    """Who could bid for `opportunity` together, and who covers what (module docstring)."""
    prepared_orgs = [prepare_org(org, weights) for org in orgs]
    vocabulary = {stem for porg in prepared_orgs for stem in porg.query.stems}
    needs = needs_of(opportunity, corpus=corpus, vocabulary=vocabulary)
    prepared = prepare_opportunity(opportunity)
    eligible: list[tuple[OrgProfile, Match, frozenset[int]]] = []
    for org, porg in zip(orgs, prepared_orgs, strict=True):
        match = score_prepared(
            prepared, porg, now=now, weights=weights, corpus=corpus, holidays=holidays
        )
        if match.gate is not None and match.gate.name not in _GROUP_MAKES_UP:
            continue
        terms = set(porg.query.stems)
        covered = frozenset(i for i, need in enumerate(needs) if _covers(org, need, terms, weights))
        # Only organisations that bring some of the work: not region or turnover alone.
        if any(needs[i].kind in ("subject", "code") for i in covered):
            eligible.append((org, match, covered))
    capacity = next((i for i, n in enumerate(needs) if n.kind == "capacity"), None)
    required = float(needs[capacity].key) if capacity is not None else 0.0

    def coverage(group: Sequence[tuple[OrgProfile, Match, frozenset[int]]]) -> set[int]:
        covered: set[int] = set().union(*(c for _o, _m, c in group))
        if capacity is not None and sum(_turnover(o) for o, _m, _c in group) >= required:
            covered.add(capacity)
        return covered

    for entry in eligible:
        if len(coverage([entry])) == len(needs):
            return Consortium(
                opportunity.id, needs, (), single=entry[0].id,
                explanation=f"{entry[0].name} covers everything alone",
            )  # fmt: skip
    eligible.sort(key=lambda e: (-len(e[2]), -e[1].score, e[0].id))
    pool = eligible[:candidates]
    best: tuple[tuple[int, int, float], tuple[tuple[OrgProfile, Match, frozenset[int]], ...]] = (
        (-1, 0, 0.0),
        (),
    )
    for size in range(2, max(2, max_members) + 1):
        for group in itertools.combinations(pool, size):
            rank = (len(coverage(group)), -size, sum(m.score for _o, m, _c in group))
            if rank > best[0]:
                best = (rank, group)
    group = best[1] or tuple(pool[:1])
    if not group:
        return Consortium(
            opportunity.id, needs, (), missing=tuple(n.label for n in needs),
            explanation="no organisation covers any part of this",
        )  # fmt: skip
    together = coverage(group)
    covers = {org.id: tuple(needs[i].label for i in sorted(c)) for org, _m, c in group}
    missing = tuple(needs[i].label for i in range(len(needs)) if i not in together)
    parts = [
        f"{org.name} covers {', '.join(covers[org.id]) or 'capacity only'}" for org, _m, _c in group
    ]
    if capacity is not None:
        total = sum(_turnover(o) for o, _m, _c in group)
        verb = "meets" if capacity in together else "falls short of"
        parts.append(f"joint turnover {money(total)} {verb} {needs[capacity].label}")
    if missing:
        parts.append(f"still missing: {', '.join(missing)}")
    return Consortium(
        opportunity.id,
        needs,
        tuple(org.id for org, _m, _c in group),
        covers,
        missing,
        explanation="; ".join(parts),
    )
