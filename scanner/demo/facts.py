"""Plain facts of one generated procedure, before any publisher's format is applied: the
generator decides them once and each publisher module renders them its own way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Buyer:
    name: str
    identifier: str
    street: str
    locality: str
    postcode: str
    region: str
    url: str
    ca_type: str
    contact_name: str
    email: str
    telephone: str


@dataclass(frozen=True)
class LotFacts:
    id: str
    title: str | None
    description: str | None
    value: int
    cpv: str
    region: str


@dataclass
class Facts:
    """One procedure as the buyer would describe it, whatever the publisher."""

    ocid: str
    ref: str
    buyer: Buyer
    title: str
    description: str
    category: str
    value: int
    cpvs: list[str]
    regions: list[str]
    lots: list[LotFacts]
    sme: bool
    vcse: bool
    method: str
    method_details: str
    published: datetime
    deadline: datetime
    contract_start: datetime
    contract_end: datetime
    guid: str = ""  # Contracts Finder's notice GUID
    quirks: set[str] = field(default_factory=set)

    @property
    def above_threshold(self) -> bool:
        return self.value >= (5_193_000 if self.category == "works" else 207_720)


@dataclass(frozen=True)
class Event:
    """One publication about a procedure: `kind` is planning, tender, amendment, award or
    cancellation; `deadline` and `value` override the facts (an amendment changes them)."""

    kind: str
    date: datetime
    notice: str
    deadline: datetime
    value: int
    suppliers: tuple[tuple[str, str], ...] = ()
    note: str = ""
