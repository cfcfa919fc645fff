"""The plain data the integrity flags and impact figures read: one record per tender with its
outcome, built by storage and passed in (this package reads no database, settings or clock)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

__all__ = ["AwardRecord", "BidRecord", "SupplierRecord", "TenderRecord"]


@dataclass(frozen=True, slots=True)
class SupplierRecord:
    """One supplier (or tenderer) of one award (or bid). `key` is `scheme:identifier`, None
    when the notice gave no register identifier (then the supplier is unidentified)."""

    key: str | None
    name: str | None
    scale: str | None = None
    ref: str | None = None  # the notice's own reference: an identity within one tender only

    @property
    def identity(self) -> str | None:
        """Who this is within one tender: the register key, else the notice's reference."""
        return self.key or (f"ref:{self.ref}" if self.ref else None)


@dataclass(frozen=True, slots=True)
class AwardRecord:
    status: str | None
    date: datetime | None
    value: Decimal | None
    currency: str | None
    suppliers: tuple[SupplierRecord, ...] = ()
    lot_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BidRecord:
    status: str | None
    value: Decimal | None
    currency: str | None
    tenderers: tuple[SupplierRecord, ...] = ()
    lot_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TenderRecord:
    """A tender and its outcome. `has_outcome` is False when no outcome was stored yet (a
    tender stored before outcomes were, or a source that publishes none)."""

    tender_id: int
    source: str
    title: str
    buyer_id: str | None
    buyer_name: str | None
    status: str | None = None
    published_at: datetime | None = None
    deadline_at: datetime | None = None
    value: Decimal | None = None
    currency: str | None = None
    main_cpv: str | None = None
    lot_count: int = 0
    has_outcome: bool = False
    method: str | None = None
    method_details: str | None = None
    method_field: str | None = None
    period_start: datetime | None = None
    bid_count: int | None = None
    bid_count_field: str | None = None
    lot_bid_counts: tuple[tuple[str, int], ...] = ()
    bids: tuple[BidRecord, ...] = ()
    awards: tuple[AwardRecord, ...] = ()
    unknowns: tuple[str, ...] = ()

    @property
    def buyer_key(self) -> str:
        """The buyer's identity for grouping: its id, else its name (never merged by guess)."""
        if self.buyer_id:
            return self.buyer_id
        return f"name:{self.buyer_name}" if self.buyer_name else "unknown buyer"

    @property
    def active_awards(self) -> tuple[AwardRecord, ...]:
        return tuple(a for a in self.awards if a.status == "active")

    @property
    def divided(self) -> bool:
        """Divided into lots by the buyer (two or more)."""
        return self.lot_count >= 2
