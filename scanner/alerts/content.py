"""What one digest says, as plain data, and the calendar rules it follows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from scanner.matching.opportunities import KIND_LABELS, PACKAGE_ADVICE
from scanner.money import ReaderAmount

FREQUENCIES = ("daily", "weekly", "never")
NEW_LIMIT = 25  # more than this reads as noise; the rest are counted and linked
CLOSING_SOON_DAYS = 7
CLOSING_LIMIT = 5


@dataclass(frozen=True)
class DigestItem:
    """One matched opportunity as the reader sees it. `part_title` is set when only a lot or a
    proposed package of the tender fits, so the reader knows which part to bid for. `value` and
    `currency` are the part's amount as published (a package's: Lotwise's estimate);
    `reader_value` is it in the organisation's currency, with the published one beside."""

    match_id: int
    opportunity_id: str
    kind: str
    title: str
    part_title: str | None
    buyer: str | None
    value: Decimal | None
    currency: str | None
    reader_value: ReaderAmount | None
    deadline: datetime | None
    score: float
    explanation: str
    notice_url: str | None
    page_url: str
    # near-identical notices of other tenders, listed under this one ("and 2 similar")
    similar: tuple[DigestItem, ...] = ()

    @property
    def kind_label(self) -> str:
        """ "tender", "lot" or "suggested package", as the reader is told."""
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def advice(self) -> str | None:
        """For a suggested package: that the buyer does not offer it, and what to do."""
        return PACKAGE_ADVICE if self.kind == "suggested_package" else None


@dataclass(frozen=True)
class DigestContent:
    """Everything a digest shows; `more_new` counts new matches beyond `NEW_LIMIT`."""

    organisation_slug: str
    organisation_name: str
    frequency: str
    period: str
    new: tuple[DigestItem, ...]
    closing: tuple[DigestItem, ...] = ()
    more_new: int = 0

    @property
    def new_count(self) -> int:
        """New matches told of, the similar ones grouped under another included."""
        return sum(1 + len(item.similar) for item in self.new) + self.more_new

    @property
    def match_ids(self) -> list[int]:
        return [
            found.match_id for item in (*self.new, *self.closing) for found in (item, *item.similar)
        ]


def period_key(frequency: str, now: datetime) -> str:
    """The idempotency period: the UTC day (`2026-11-27`) or ISO week (`2026-W48`)."""
    day = now.date()
    if frequency == "daily":
        return day.isoformat()
    if frequency == "weekly":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    raise ValueError(f"no digest period for frequency {frequency!r}")


def period_label(frequency: str, period: str) -> str:
    """`27 November 2026` or `week 48 of 2026`, for subjects and headings."""
    if frequency == "weekly":
        year, week = period.split("-W")
        return f"week {int(week)} of {year}"
    return datetime.fromisoformat(period).strftime("%-d %B %Y")


def days_left(deadline: datetime | None, now: datetime) -> int | None:
    """Whole calendar days (UTC) from `now` to the deadline; 0 means it closes today."""
    if deadline is None:
        return None
    return (deadline.date() - now.date()).days
