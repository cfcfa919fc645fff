"""The buyer's own list of work, read the way officers write it: each numbered or bulleted
deliverable with the value, the months and the phase written beside it.

"3. Accessibility audit of 12 services (months 2-3), £40,000" is a package called
"Accessibility audit of 12 services", worth £40,000, in months 2-3. What is not written is left
unknown here and apportioned later, with the method named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from scanner.splitter.amounts import Span, first_money, months_in, span_in
from scanner.splitter.deliverables import PHASES, STRONG_FINDERS, deliverable_sections
from scanner.splitter.prose import clip

TITLE_CHARS = 100
_PHASE_NAMES = tuple(name for name, _ in PHASES)
_PHASE_IN = re.compile(rf"\b({'|'.join(_PHASE_NAMES)})\b", re.IGNORECASE)
# Where what officers append to a deliverable's name begins: its value ("£120,000",
# "45 000 zł"), its months ("(months 1-4)", "over 6 months"). One search, then a cut.
_TRAILER_START = re.compile(
    r"[,;:–—-]?\s*(?:[(\[]\s*(?:months?\s+\d|weeks?\s+\d|\d{1,3}[ -]?(?:months?|weeks?|years?)\b|"
    r"£|€|\$)|£|€|\$\s?\d|(?:GBP|EUR|USD|PLN)\s?\d|\d[\d,.]*\s?(?:k|m)?\s?(?:GBP|EUR|USD|PLN|zł)\b|"
    r"(?:over|for|in|within|during)\s+\d{1,3}[ -]?(?:months?|weeks?|years?)\b|"
    r"(?:months?|weeks?)\s+\d{1,3}\b)",
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
    found = []
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
    return tuple(found), kind


def is_strong(kind: str) -> bool:
    """The buyer's own enumeration (numbered, bulleted, headed, one per line): these are the
    packages, and phase words inside them never turn them into phase ratios."""
    return kind in STRONG_FINDERS


def short_title(entry: str) -> str:
    """The deliverable's name without the value and months appended to it, whole words."""
    title = entry
    match = _TRAILER_START.search(entry, 3)
    if match is not None:
        cut = entry[: match.start()].rstrip(" ,;:–—-(")
        if len(cut) >= 3:
            title = cut
    first = re.split(r"(?<=[a-z0-9)])[.;](?=\s|$)", title, maxsplit=1)[0]
    return clip(first if len(first) >= 3 else title, TITLE_CHARS)
