"""The buyer's own list of work, read the way officers write it: each numbered or bulleted
deliverable with the value, the months and the phase written beside it.

"3. Accessibility audit of 12 services (months 2-3), £40,000" is a package called
"Accessibility audit of 12 services", worth £40,000, in months 2-3. What is not written is left
unknown here and apportioned later, with the method named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from scanner.splitter.amounts import (
    MONTH_WORDS,
    WEEK_WORDS,
    YEAR_WORDS,
    Span,
    first_money,
    months_in,
    span_in,
)
from scanner.splitter.deliverables import PHASES, STRONG_FINDERS, deliverable_sections
from scanner.splitter.prose import clip

TITLE_CHARS = 100
_PHASE_NAMES = tuple(name for name, _ in PHASES)
_PHASE_IN = re.compile(rf"\b({'|'.join(_PHASE_NAMES)})\b", re.IGNORECASE)
# Where what officers append to a deliverable's name begins: its value ("£120,000",
# "45 000 zł"), its months ("(months 1-4)", "over 6 months"). One search, then a cut.
_TRAILER_START = re.compile(
    rf"[,;:–—-]?\s*(?:[(\[]\s*(?:(?:{MONTH_WORDS}|{WEEK_WORDS})\s+\d|"
    rf"\d{{1,3}}[ -]?(?:{MONTH_WORDS}|{WEEK_WORDS}|{YEAR_WORDS})\b|£|€|\$)|£|€|\$\s?\d|"
    r"(?:GBP|EUR|USD|PLN|NOK|UAH|PYG)\s?\d|\d[\d,.\s]*\s?(?:k|m)?\s?(?:GBP|EUR|USD|PLN|NOK|zł|грн)\b|"
    rf"(?:over|for|in|within|during)\s+\d{{1,3}}[ -]?(?:{MONTH_WORDS}|{WEEK_WORDS}|{YEAR_WORDS})\b|"
    rf"(?:{MONTH_WORDS}|{WEEK_WORDS})\s+\d{{1,3}}\b|"
    r"[–—]\s*(?:indicative|estimated|anslått|importo|Wert|valeur|montant|wartość|valor)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class WorkPackage:
    """One deliverable as written: its number, a short title, the full text, and what the
    text states for it (value and currency, a month range, a length, a service phase)."""

    number: int
    title: str
    text: str
    value: Decimal | None
    currency: str | None
    span: Span | None
    months: int | None
    phases: tuple[str, ...]

    @property
    def phase(self) -> str | None:
        """The earliest service phase the deliverable names, for ordering and dependencies."""
        return self.phases[0] if self.phases else None


def work_packages(text: str) -> tuple[tuple[WorkPackage, ...], str]:
    """The deliverables listed in the text and the kind of list ("numbered", "bulleted",
    "headed", "lines", or a weaker in-sentence list such as "semicolons")."""
    kind, sections = deliverable_sections(text)
    found: list[WorkPackage] = []
    for number, (title, full) in enumerate(sections, start=1):
        head = full[:600]  # what is written beside the deliverable, not pages further on
        value, currency = first_money(head)
        span = span_in(head)
        months = span.months if span else months_in(head)
        phases = tuple(dict.fromkeys(m.group(1).lower() for m in _PHASE_IN.finditer(full[:400])))
        ordered = tuple(p for p in _PHASE_NAMES if p in phases)
        found.append(
            WorkPackage(
                number=number,
                title=short_title(title) if kind != "headed" else clip(title, TITLE_CHARS),
                text=full,
                value=value,
                currency=currency,
                span=span,
                months=months,
                phases=ordered,
            )
        )
    if any(w.value is None for w in found):
        found = _with_budget_values(found, text)
    return tuple(found), kind


def _with_budget_values(found: list[WorkPackage], text: str) -> list[WorkPackage]:
    """Values written apart from the list, in a budget line such as "Indicative split:
    discovery £120,000; design and build £950,000": each name given to the deliverable whose
    title holds most of its words (at least half), one deliverable per name."""
    pairs = budget_pairs(text)
    if len(pairs) < 2:
        return found
    taken: set[int] = set()
    values: dict[int, tuple[Decimal, str | None]] = {}
    for name, amount, currency in pairs:
        words = _stems(name)
        if not words:
            continue
        best, share = None, 0.5
        for w in found:
            if w.value is not None or w.number in taken:
                continue
            overlap = len(words & _stems(w.title)) / len(words)
            if overlap > share or (best is None and overlap == share):
                best, share = w.number, overlap
        if best is not None:
            taken.add(best)
            values[best] = (amount, currency)
    return [
        replace(w, value=values[w.number][0], currency=values[w.number][1])
        if w.number in values
        else w
        for w in found
    ]


_PAIR = re.compile(
    r"(?P<name>[^\W\d][^;:\n£€$]{1,80}?)\s*[:–—-]?\s*"
    r"(?P<money>(?:£|€|\$)\s?\d[\d,.]*(?:\s?(?:k|m)\b)?|\d[\d,. ]*\s?(?:GBP|EUR|USD|PLN|zł)\b)"
)


def budget_pairs(text: str) -> list[tuple[str, Decimal, str | None]]:
    """(name, amount, currency) of every "name £amount" in sentences that list two or more,
    outside the numbered list itself."""
    found: list[tuple[str, Decimal, str | None]] = []
    if len(_MONEY_MARK.findall(text[:20000])) < 2:  # most texts: nothing to pair, one pass
        return found
    for sentence in re.split(r"(?<=[.!?])\s+|\n(?=\s*(?:\d{1,2}[.)]|[-*•]))", text[:20000]):
        if _LIST_START.match(sentence) or len(_MONEY_MARK.findall(sentence)) < 2:
            continue
        pairs = []
        for match in _PAIR.finditer(sentence):
            amount, currency = first_money(match["money"])
            name = match["name"].strip(" ,;:-–—")
            if amount is not None and len(name) >= 3:
                pairs.append((name, amount, currency))
        if len(pairs) >= 2:
            found.extend(pairs)
    return found


_LIST_START = re.compile(r"\s*(?:\d{1,2}[.)]|[-*•])\s")
_MONEY_MARK = re.compile(r"[£€$]|\b(?:GBP|EUR|USD|PLN)\b|zł")
_STEM_WORD = re.compile(r"[^\W\d_]{3,}")


def _stems(text: str) -> set[str]:
    return {w[:5] for w in _STEM_WORD.findall(text.casefold())} - {"and", "the", "for", "with"}


def is_strong(kind: str) -> bool:
    """The buyer's own enumeration (numbered, bulleted, headed, one per line): these are the
    packages, and phase words inside them never turn them into phase ratios."""
    return kind in STRONG_FINDERS


def short_title(entry: str) -> str:
    """The deliverable's name without the value and months appended to it, whole words."""
    title = entry
    cut = _trailer_start(entry)
    if cut is not None:
        kept = entry[:cut].rstrip(" ,;:–—-(")
        if len(kept) >= 3:
            title = kept
    first = re.split(r"(?<=[a-z0-9)])[.;](?=\s|$)", title, maxsplit=1)[0]
    first = _VALUE_WORDS.sub("", first).rstrip(" ,;:–—-")
    return clip(first if len(first) >= 3 else title, TITLE_CHARS)


def _trailer_start(entry: str) -> int | None:
    """Where the value or months appended to a name begin: the first place, after the first
    word, where a currency, a month range or a length is written. Only places that hold a
    digit, a currency sign or a bracket are tried, so this stays cheap on every entry."""
    for match in _CANDIDATE.finditer(entry, 3):
        start = match.start()
        if _TRAILER_START.match(entry, start):
            return start
    return None


# Where a trailer can begin: a separator, a bracket, a currency sign, a digit or a letter
# starting a word ("over 6 months", "Monate 5-18").
_CANDIDATE = re.compile(r"(?<=\s)[^\W\d_]|[,;:–—(\[£€$\d-]")
# ", indicative value" left behind when the amount itself went to the next line.
_VALUE_WORDS = re.compile(
    r"[,;:–—-]?\s*(?:indicative|estimated|anslått|stimato|geschätzt\w*)(?:\s+(?:value|cost|verdi))?"
    r"[\s,;:–—-]*$",
    re.IGNORECASE,
)
