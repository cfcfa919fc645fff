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
# What officers append to a deliverable's name: its value, months, a duration.
_TRAILERS = re.compile(
    r"\s*(?:[(\[][^()\[\]]{0,60}(?:month|week|year|£|€|\$|GBP|EUR|USD)[^()\[\]]{0,40}[)\]]|"
    r"[,;:–—-]?\s*(?:£|€|\$|(?:GBP|EUR|USD|PLN)\s?)\s?\d[\d,.\s]*(?:k|m|bn|million|thousand)?\b|"
    r"[,;:–—-]?\s*\d[\d,.\s]*\s?(?:k|m|million)?\s?(?:GBP|EUR|USD|PLN|zł)\b|"
    r"[,;:–—-]?\s*(?:over|for|in|within|during)?\s*(?:months?|weeks?)\s+\d{1,3}(?:\s*(?:-|–|to)\s*\d{1,3})?|"
    r"[,;:–—-]?\s*(?:over|for|in|within|during)\s+\d{1,3}[ -]?(?:months?|weeks?|years?))",
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
        value, currency = first_money(full)
        span = span_in(full)
        months = span.months if span else months_in(full)
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
    for _ in range(3):  # trailers can follow one another: "(months 1-4), £120,000"
        trimmed = _TRAILERS.sub("", title).strip(" ,;:–—-.")
        if trimmed == title or len(trimmed) < 3:
            break
        title = trimmed
    first = re.split(r"(?<=[a-z0-9)])[.;](?=\s|$)", title, maxsplit=1)[0]
    return clip(first if len(first) >= 3 else title, TITLE_CHARS)
