"""The plain record de-duplication compares: what one stored tender says, normalised once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from scanner.dedupe.identifiers import Identifiers
from scanner.dedupe.text import (
    buyer_core,
    distinctive_word,
    normal_buyer,
    normal_title,
    title_key,
    title_marks,
)


@dataclass(frozen=True, slots=True)
class Record:
    """One tender as de-duplication sees it. `value` is in the reporting currency."""

    id: int
    source: str
    title: str
    buyer: str
    buyer_core: str
    deadline: datetime | None
    value: Decimal | None
    ids: Identifiers
    marks: frozenset[str]
    title_word: str
    buyer_word: str


def make_record(
    *,
    id: int,
    source: str,
    title: str | None,
    buyer: str | None,
    deadline: datetime | None,
    value: Decimal | None,
    ids: Identifiers | None = None,
) -> Record:
    """Normalise a tender's fields once, so blocking and scoring never redo it."""
    title_n = normal_title(title)
    buyer_n = normal_buyer(buyer)
    return Record(
        id=id,
        source=source,
        title=title_n,
        buyer=buyer_n,
        buyer_core=buyer_core(buyer_n),
        deadline=deadline,
        value=value,
        ids=ids or Identifiers(frozenset()),
        marks=title_marks(title_n),
        title_word=title_key(title_n),
        buyer_word=distinctive_word(buyer_n),
    )
