"""Two plain rankers the matcher is judged beside (and that helped draw the labelled pools).

- `BM25Ranker`: Okapi BM25 of the profile's words (description, capabilities, keywords) against
  each notice's words (title, description, lot titles and descriptions, item descriptions).
  Words are lowercase runs of letters and digits with at least one letter; no stemming, no stop
  words, any script. k1 = 1.2, b = 0.75, idf = ln(1 + (N - n + 0.5) / (n + 0.5)); each distinct
  profile word counts once. Notices sharing no word with the profile are not ranked.
- `heuristic_ranking`: the published keyword + code recipe (../shared/DOMAIN.md section 3):
  40% codes (CPV, or NAICS for US notices: shared significant digits / 5, capped at 1, nothing
  below a shared division), 30% keyword overlap (share of the profile's keywords found as whole
  words), 15% value fit (1 inside the profile's range, 0 outside, 0.5 unknown), 15% geography
  (1.0 region match, 0.7 same country or place unknown, 0.2 elsewhere). Only open notices, and
  only those with some evidence (a shared code division or a keyword) are ranked.

Both are pure and deterministic: ties keep the documents' order.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from matchers.types import OrgProfile
from scanner.ingest.tender import NormalisedTender

__all__ = [
    "BM25Ranker",
    "Document",
    "code_fit",
    "document_of",
    "geography_fit",
    "heuristic_ranking",
    "heuristic_score",
    "keyword_overlap",
    "profile_words",
    "value_fit",
    "words",
]

_WORD_RE = re.compile(r"[^\W_]+")
_NOT_DIGIT_RE = re.compile(r"\D")
CODE_DENOMINATOR = 5
RECIPE = {"codes": 0.40, "keywords": 0.30, "value": 0.15, "geography": 0.15}


@dataclass(frozen=True, slots=True)
class Document:
    """What the plain rankers read of one notice (money in the reporting currency)."""

    key: str
    text: str
    cpv: tuple[str, ...] = ()
    naics: tuple[str, ...] = ()
    value: Decimal | None = None
    regions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    deadline: datetime | None = None
    open: bool = True


def document_of(
    key: str,
    tender: NormalisedTender,
    now: datetime,
    to_reporting: Callable[[Decimal | None, str | None], Decimal | None],
) -> Document:
    """A notice's text, codes, value (converted), places and openness at `now`."""
    parts = [tender.title, tender.description or ""]
    parts += [f"{lot.title or ''} {lot.description or ''}" for lot in tender.lots]
    parts += [item.description or "" for item in tender.items]
    return Document(
        key=key,
        text="\n".join(p for p in parts if p),
        cpv=tender.cpv_codes,
        naics=tuple(c.code for c in tender.classifications if c.scheme.upper() == "NAICS"),
        value=to_reporting(tender.value_amount, tender.currency),
        regions=tender.regions,
        countries=tender.countries,
        deadline=tender.deadline_at,
        open=tender.is_open(now),
    )


def words(text: str) -> list[str]:
    """Lowercase word tokens (letters and digits, at least one letter), in order."""
    return [w for w in _WORD_RE.findall(text.lower()) if not w.isdigit()]


def profile_words(profile: OrgProfile) -> str:
    """The profile text BM25 reads: description, capabilities and keywords."""
    return " ".join([profile.description, profile.capabilities, *profile.keywords])


# -- BM25 ---------------------------------------------------------------------------------------


class BM25Ranker:
    """Okapi BM25 over a fixed set of documents (statistics computed once)."""

    def __init__(self, documents: Sequence[Document], *, k1: float = 1.2, b: float = 0.75):
        self.documents = list(documents)
        self.k1, self.b = k1, b
        self._tf = [Counter(words(d.text)) for d in self.documents]
        lengths = [sum(tf.values()) for tf in self._tf]
        self._length = lengths
        self._average = (sum(lengths) / len(lengths)) if lengths else 0.0
        self._df: Counter[str] = Counter()
        for tf in self._tf:
            self._df.update(tf.keys())

    def idf(self, term: str) -> float:
        n, found = len(self.documents), self._df.get(term, 0)
        return math.log(1 + (n - found + 0.5) / (found + 0.5))

    def scores(self, query: str) -> list[float]:
        """Each document's score for `query`, in document order."""
        terms = set(words(query))
        weights = {t: self.idf(t) for t in terms if t in self._df}
        result = []
        for tf, length in zip(self._tf, self._length, strict=True):
            norm = self.k1 * (1 - self.b + self.b * length / self._average) if self._average else 0
            total = 0.0
            for term, idf in weights.items():
                f = tf.get(term, 0)
                if f:
                    total += idf * f * (self.k1 + 1) / (f + norm)
            result.append(total)
        return result

    def rank(self, query: str, top: int | None = None) -> list[str]:
        """Keys of the documents sharing a word with `query`, best first."""
        scored = [(s, i) for i, s in enumerate(self.scores(query)) if s > 0]
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        return [self.documents[i].key for _, i in scored[:top]]


# -- keyword + code heuristic ---------------------------------------------------------------------


def _significant(code: str, length: int) -> str:
    digits = _NOT_DIGIT_RE.sub("", code.split("-", 1)[0])[:length]
    stripped = digits.rstrip("0")
    return stripped if len(stripped) >= 2 else digits[:2]


def code_fit(profile: OrgProfile, document: Document) -> float:
    """Shared significant digits / 5 of the closest profile code and notice code (CPV with
    CPV, NAICS with NAICS), capped at 1; 0 below a shared division (2 digits)."""
    best = 0
    for mine, theirs, length in (
        (profile.cpv, document.cpv, 8),
        (profile.naics, document.naics, 6),
    ):
        for a in (_significant(c, length) for c in mine):
            for b in (_significant(c, length) for c in theirs):
                shared = 0
                for x, y in zip(a, b, strict=False):
                    if x != y:
                        break
                    shared += 1
                best = max(best, shared if shared >= 2 else 0)
    return min(1.0, best / CODE_DENOMINATOR)


def keyword_overlap(profile: OrgProfile, document: Document) -> float:
    """Share of the profile's keywords found in the notice as whole words (a phrase's words
    adjacent, in order); 0 for a profile without keywords."""
    if not profile.keywords:
        return 0.0
    text = f" {' '.join(words(document.text))} "
    found = sum(1 for k in profile.keywords if (w := words(k)) and f" {' '.join(w)} " in text)
    return found / len(profile.keywords)


def value_fit(profile: OrgProfile, document: Document) -> float:
    """1 inside the profile's range, 0 outside it, 0.5 when either side is unknown."""
    if document.value is None or (profile.value_min is None and profile.value_max is None):
        return 0.5
    low = profile.value_min if profile.value_min is not None else Decimal(0)
    high = profile.value_max
    return 1.0 if document.value >= low and (high is None or document.value <= high) else 0.0


def geography_fit(profile: OrgProfile, document: Document) -> float:
    """1.0 when a notice region and a profile region overlap (one inside the other) or a
    national profile serves the notice's country; 0.7 same country, no place given, or a
    profile without regions; 0.2 elsewhere."""
    mine = [r.upper() for r in profile.regions if len(r) > 2]
    countries = {c.upper() for c in profile.countries}
    places = [r.upper() for r in document.regions]
    theirs = {c.upper() for c in document.countries}
    if any(p.startswith(m) or m.startswith(p) for p in places for m in mine):
        return 1.0
    if profile.national and theirs & countries:
        return 1.0
    if not profile.regions or (not places and not theirs) or theirs & countries:
        return 0.7
    return 0.2


def heuristic_score(profile: OrgProfile, document: Document) -> float | None:
    """The recipe's weighted score, or None when the notice is closed or has no evidence."""
    codes, keywords = code_fit(profile, document), keyword_overlap(profile, document)
    if not document.open or (codes == 0 and keywords == 0):
        return None
    return (
        RECIPE["codes"] * codes
        + RECIPE["keywords"] * keywords
        + RECIPE["value"] * value_fit(profile, document)
        + RECIPE["geography"] * geography_fit(profile, document)
    )


def heuristic_ranking(
    documents: Iterable[Document], profile: OrgProfile, top: int | None = None
) -> list[str]:
    """Keys of the open notices with evidence, best recipe score first."""
    scored = [
        (score, position, d.key)
        for position, d in enumerate(documents)
        if (score := heuristic_score(profile, d)) is not None
    ]
    scored.sort(key=lambda entry: (-entry[0], entry[1]))
    return [key for _, _, key in scored[:top]]
