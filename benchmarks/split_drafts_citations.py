"""Which law and which thresholds an answer cites, and whether the draft's jurisdiction allows it.

A citation is recognised by the patterns of its legal family (`CITATION_FAMILIES`). It is
*wrong* when its family is not among those the label allows, unless the same sentence (or
`;`-separated source) marks it as an analogy, the words just before it name it as a
predecessor ("formerly PCR 2015 reg. 6"), or the answer only quotes the draft (the same words
occur in the draft). A threshold is *named* by its name ("UK central government
threshold") or by its amount with a currency in a sentence that speaks of a threshold; it is
wrong when none of the thresholds it can denote is one the label allows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from split_drafts_labels import ThresholdRef

# Legal families and the patterns that recognise a citation of them. A family groups the law
# and official guidance of one jurisdiction (or one superseded instrument).
CITATION_FAMILIES: dict[str, tuple[str, ...]] = {
    "UK-Act": (
        r"Procurement Act 2023",
        r"\bPA\s?2023\b",
        r"Procurement Regulations 2024",
        r"Procurement Policy Note",
        r"\bPPN\s?\d",
        r"National Procurement Policy Statement",
        r"Provider Selection Regime",
        r"Social Value\) Act 2012",
    ),
    "UK-PCR2015": (r"Public Contracts Regulations 2015", r"\bPCR\s?2015\b"),
    "UK-wide": (
        r"Companies Act 2006",
        r"Accessibility(?: Regulations)? 2018",
        r"Equality Act 2010",
    ),
    "UK-guidance": (
        # Not the devolved standards that share the words ("Digital Scotland Service Standard",
        # "Digital Service Standards for Wales"): those are their nations' own.
        r"(?:UK |GOV\.UK )?(?<!Scotland )(?<!Digital )Service Standard(?!s for Wales)",
        r"(?:GOV\.UK )?Service Manual",
        r"Technology Code of Practice",
        r"\bTCoP\b",
        r"GOV\.UK Design System",
    ),
    "Wales": (
        r"Procurement \(Wales\) Regulations 2024",
        r"Social Partnership and Public Procurement \(Wales\) Act",
        r"Welsh Language Standards",
        r"Welsh Language \(Wales\) Measure",
        r"Well-being of Future Generations \(Wales\) Act",
        r"Digital Service Standards for Wales",
    ),
    "Scotland": (
        r"Public Contracts \(Scotland\) Regulations",
        r"\bPCSR\b",
        r"Procurement Reform \(Scotland\) Act",
        r"\bSPPN\b",
        r"Scottish Procurement Policy Note",
        r"Digital Scotland Service Standard",
    ),
    "EU": (
        r"(?:Directive\s+)?\b2014/2[345](?:/EU)?\b",
        r"Recommendation 2003/361",
        r"\bTFEU\b",
    ),
    "FR": (
        r"[Cc]ode de la commande publique",
        r"\bCCP\b",
        r"\b[LR]\.?\s?2\d{3}-\d+\b",
    ),
    "IT": (
        r"d\.\s?lgs\.?\s*(?:n\.\s*)?36/2023",
        r"[Cc]odice dei contratti pubblici",
        r"[Dd]ecreto legislativo\s+(?:31 marzo 2023,\s*)?n\.\s*36",
    ),
    "DE": (
        r"\bGWB\b",
        r"\bVgV\b",
        r"\bUVgO\b",
        r"\bVOB/A\b",
        r"Vergabeverordnung",
        r"Gesetz gegen Wettbewerbsbeschränkungen",
    ),
    "PL": (r"\bPzp\b", r"[Pp]rawo zamówień publicznych", r"ustaw\w* z dnia 11 września 2019"),
    "US": (
        r"\bFAR\s?\d+(?:\.\d+)*(?:-\d+)?(?:\([a-z0-9]+\))*",
        r"Federal Acquisition Regulation",
        r"\bTechFAR\b",
        r"\bOMB\b",
        r"\bU\.S\.C\.",
        r"\b\d+ CFR\b",
        r"Digital Services Playbook",
        r"Federal Source Code Policy",
        r"Clinger-Cohen",
    ),
    "UA": (
        r"Про публічні закупівлі",
        r"On Public Procurement",
        r"\b922-VIII\b",
        r"Особливост\w*",
        r"№\s?1178\b",
        r"No\.\s?1178\b",
        r"№\s?708\b",
    ),
    "PY": (r"Ley\s+(?:N\.?\s?[°º]?\s*)?7021", r"Decreto\s+(?:N\.?\s?[°º]?\s*)?9823", r"\bDNCP\b"),
    "NO": (r"anskaffelses(?:loven|forskriften)", r"\bFOA\b", r"\bLOA\b"),
}
_COMPILED = {
    family: tuple(re.compile(p) for p in patterns) for family, patterns in CITATION_FAMILIES.items()
}
_ANALOGY = re.compile(r"analog|for comparison|аналог", re.IGNORECASE)
# "(formerly PCR 2015 reg. 6)": a predecessor named as such, not cited as the law that applies.
_FORMERLY = re.compile(r"(?:formerly|previously|repealed|replaced|superseded)\W{1,3}$", re.I)
# Sentence ends and the "; " between the sources of one signal; "Art. 46" is not an end.
_SEGMENT = re.compile(r"(?<=[;!?\n])\s*|(?<=\.)\s+(?=[A-ZА-ЯІЇЄ(])")

_THRESHOLD_WORD = re.compile(
    r"threshold|ceiling|\bband\b|seuil|soglia|schwellenwert|próg|progi|поріг|порог|umbral|terskel",
    re.IGNORECASE,
)
# Named thresholds: tier -> pattern. "sub-central" is tested before "central".
_TIER_NAMES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("sub_central", re.compile(r"\bsub-?\s?central\b(?:\s+\w+){0,2}\s+threshold", re.I)),
    (
        "central",
        re.compile(r"(?<!sub-)(?<!sub)\bcentral(?:[- ]government)?(?:\s+\w+)?\s+threshold", re.I),
    ),
    ("light_touch", re.compile(r"light[- ]touch(?:\s+\w+)?\s+threshold", re.I)),
    ("works", re.compile(r"\bworks threshold", re.I)),
    ("social", re.compile(r"social and other specific services threshold", re.I)),
    ("simplified_acquisition", re.compile(r"simplified acquisition threshold", re.I)),
    ("micro_purchase", re.compile(r"micro-?\s?purchase threshold", re.I)),
    ("below_threshold", re.compile(r"below-threshold (?:notice )?band", re.I)),
)
_JURISDICTION_WORDS = {
    "UK": re.compile(r"\bUK\b|£|\bGBP\b|United Kingdom"),
    "EU": re.compile(r"\bEU\b|€|\bEUR\b|European Union"),
    "US": re.compile(r"\bUS\b|\$|\bUSD\b|\bU\.S\."),
}
_CURRENCY = r"£|€|\$|GBP|EUR|USD|UAH|PLN|NOK|PYG|Gs\.?|грн\.?|zł|kr"
_NUMBER = r"\d[\d,.\u00a0\u202f ]*\d|\d"
_MONEY = (
    re.compile(rf"(?P<cur>{_CURRENCY})\s?(?P<num>{_NUMBER})"),
    re.compile(rf"(?P<num>{_NUMBER})\s?(?P<cur>{_CURRENCY})(?![A-Za-z])"),
)
_CURRENCY_CODES = {
    "£": "GBP",
    "€": "EUR",
    "$": "USD",
    "GS": "PYG",
    "GS.": "PYG",
    "ГРН": "UAH",
    "ГРН.": "UAH",
    "ZŁ": "PLN",
    "KR": "NOK",
}


@dataclass(frozen=True)
class Text:
    """One human-readable string of an answer: where it is, and whether it is advice (a fired
    signal, a package, the procedure, a note or a clause) or only shown (a rule that did not
    fire, listed with its source)."""

    where: str
    text: str
    advice: bool


@dataclass(frozen=True)
class Citation:
    family: str
    cited: str
    where: str
    advice: bool
    wrong: bool


@dataclass(frozen=True)
class ThresholdMention:
    said: str
    candidates: frozenset[str]  # threshold keys the words can denote
    where: str
    wrong: bool


def segments(text: str) -> list[str]:
    return [s for s in _SEGMENT.split(text) if s and s.strip()]


def citations(texts: Iterable[Text], allowed: Sequence[str], draft_text: str) -> list[Citation]:
    """Every distinct citation in the answer (first place it appears; advice if it is advice
    anywhere), with whether it is wrong for the draft's jurisdiction."""
    draft = " ".join(draft_text.split()).casefold()
    found: dict[tuple[str, str], Citation] = {}
    for text in texts:
        for segment in segments(text.text):
            analogy = bool(_ANALOGY.search(segment))
            for family, patterns in _COMPILED.items():
                for start, cited in _family_matches(segment, patterns):
                    quoted = cited.casefold() in draft
                    marked = analogy or bool(_FORMERLY.search(segment[max(0, start - 20) : start]))
                    wrong = family not in allowed and not marked and not quoted
                    key = (family, cited.casefold())
                    before = found.get(key)
                    if before is None:
                        found[key] = Citation(family, cited, text.where, text.advice, wrong)
                    elif (wrong and not before.wrong) or (text.advice and not before.advice):
                        found[key] = Citation(
                            family,
                            cited,
                            before.where,
                            before.advice or text.advice,
                            before.wrong or wrong,
                        )
    return list(found.values())


def _family_matches(segment: str, patterns: Sequence[re.Pattern[str]]) -> list[tuple[int, str]]:
    """One family's citations in a segment; of overlapping matches only the longest, so
    "Directive 2014/24/EU" is one citation, not two."""
    spans = sorted(
        (m.span() for p in patterns for m in p.finditer(segment)),
        key=lambda span: (span[0], -span[1]),
    )
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if kept and start < kept[-1][1]:
            if end - start > kept[-1][1] - kept[-1][0]:
                kept[-1] = (start, end)
            continue
        kept.append((start, end))
    return [(a, " ".join(segment[a:b].split())) for a, b in kept]


def threshold_mentions(
    texts: Iterable[Text], registry: Sequence[ThresholdRef], allowed: Sequence[str]
) -> list[ThresholdMention]:
    """Every distinct threshold the answer names (by name, or by amount in a sentence about a
    threshold), with the keys it can denote and whether none of them is allowed."""
    found: dict[frozenset[str], ThresholdMention] = {}
    for text in texts:
        for segment in segments(text.text):
            named = _named(segment, registry)
            # "the UK central government threshold (GBP 135,018)" names one threshold, not two
            amounts = [
                (said, keys)
                for said, keys in _by_amount(segment, registry)
                if not any(keys & other for _, other in named)
            ]
            for said, keys in named + amounts:
                if not keys:
                    continue
                wrong = not (keys & set(allowed))
                if keys not in found or (wrong and not found[keys].wrong):
                    found[keys] = ThresholdMention(said, keys, text.where, wrong)
    return list(found.values())


def says_no_threshold_rules(texts: Iterable[Text]) -> bool:
    """The answer says it has no threshold rules for the draft's country or currency."""
    pattern = re.compile(r"no threshold|not comparable", re.IGNORECASE)
    return any(pattern.search(t.text) for t in texts)


def _named(segment: str, registry: Sequence[ThresholdRef]) -> list[tuple[str, frozenset[str]]]:
    places = [j for j, pattern in _JURISDICTION_WORDS.items() if pattern.search(segment)]
    named = []
    rest = segment
    for tier, pattern in _TIER_NAMES:
        for match in pattern.finditer(rest):
            keys = {r.key for r in registry if _tier_of(r.key) == tier}
            if len(places) == 1:
                keys = {k for k in keys if k.split(".")[0] == places[0]}
            named.append((match.group(0), frozenset(keys)))
        rest = pattern.sub(" ", rest)  # "sub-central threshold" is not also "central"
    return named


def _tier_of(key: str) -> str:
    tier = key.split(".", 1)[-1]
    return "below_threshold" if tier.startswith("below_threshold") else tier


def _by_amount(segment: str, registry: Sequence[ThresholdRef]) -> list[tuple[str, frozenset[str]]]:
    if not _THRESHOLD_WORD.search(segment):
        return []
    mentions = []
    for pattern in _MONEY:
        for match in pattern.finditer(segment):
            amount = parse_amount(match["num"])
            currency = _CURRENCY_CODES.get(match["cur"].upper(), match["cur"].upper())
            keys = frozenset(
                r.key for r in registry if r.currency == currency and r.amount == amount
            )
            mentions.append((match.group(0), keys))
    return mentions


def parse_amount(number: str) -> Decimal | None:
    """`135,018`, `140 000`, `46 200,00`, `1.481.000.000` and `2,350,000.50` as amounts."""
    digits = re.sub(r"[\s\u00a0\u202f]", "", number)
    decimals = ""
    tail = re.fullmatch(r"(.*\d)[.,](\d{1,2})", digits)
    if tail:
        digits, decimals = tail.group(1), tail.group(2)
    digits = re.sub(r"[.,]", "", digits)
    try:
        return Decimal(f"{digits}.{decimals}" if decimals else digits)
    except InvalidOperation:
        return None
