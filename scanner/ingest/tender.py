"""The normalised tender: one plain-data shape every source is turned into.

Plain dataclasses (no ORM, no I/O) so that the splitter and matchers can consume them as pure
data, and so storage has one contract to persist whatever the source.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson

from scanner.tender_state import is_open as open_at


@dataclass(frozen=True, slots=True)
class Classification:
    """A classification code such as CPV `72200000` (stored without check digit)."""

    scheme: str
    code: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """A line of what is bought, as OCDS `tender.items[]` carries it."""

    id: str
    description: str | None = None
    classifications: tuple[Classification, ...] = ()
    related_lot: str | None = None
    regions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Lot:
    """A lot the buyer already defined."""

    lot_id: str
    title: str | None = None
    description: str | None = None
    value_amount: Decimal | None = None
    currency: str | None = None
    status: str | None = None
    classifications: tuple[Classification, ...] = ()
    related_items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NormalisedTender:
    """The current state of one procurement procedure from one source.

    `source_key` is the procedure's identity within its source (the ocid for OCDS), the key
    that makes re-ingesting the same notice an update instead of a duplicate.
    `updated_at` is the date of the latest release/notice the state was built from: the
    source's own clock, used for high-water marks.
    """

    source: str
    source_key: str
    title: str
    ocid: str | None = None
    notice_id: str | None = None
    notice_url: str | None = None
    description: str | None = None
    buyer_name: str | None = None
    buyer_id: str | None = None
    value_amount: Decimal | None = None
    currency: str | None = None
    published_at: datetime | None = None
    deadline_at: datetime | None = None
    updated_at: datetime | None = None
    status: str | None = None
    procedure_type: str | None = None
    main_cpv: str | None = None
    cpv_codes: tuple[str, ...] = ()
    classifications: tuple[Classification, ...] = ()
    regions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    items: tuple[Item, ...] = ()
    lots: tuple[Lot, ...] = ()
    suitable_sme: bool | None = None
    suitable_vcse: bool | None = None
    notice_type: str | None = None
    place_names: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    def is_open(self, now: datetime) -> bool:
        """Open at `now` (`scanner.tender_state`: status not closed, deadline ahead or none)."""
        return open_at(self.status, self.deadline_at, now)

    def content_hash(self) -> str:
        """A stable digest of the normalised content (not the raw payload, not timestamps
        of observation), so the same notice seen twice is recognised as unchanged.

        Built from the fields directly: `dataclasses.asdict` would deep-copy the whole raw
        release only to drop it, which once cost half the ingest time."""
        data = _field_values(self)
        del data["raw"]
        for name in _HASHED_WHEN_SET:  # fields added later: absent, the hash is as it was
            if not data[name]:
                del data[name]
        options = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
        return hashlib.sha256(orjson.dumps(data, default=_hash_default, option=options)).hexdigest()


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_HASHED_WHEN_SET = ("place_names",)


def _field_values(obj: Any) -> dict[str, Any]:
    names = _FIELD_NAMES.get(type(obj))
    if names is None:
        names = _FIELD_NAMES[type(obj)] = tuple(f.name for f in fields(obj))
    return {name: getattr(obj, name) for name in names}


def _hash_default(value: object) -> object:
    names = _FIELD_NAMES.get(type(value))  # nested Item, Lot, Classification: known at once
    if names is not None:
        return {name: getattr(value, name) for name in names}
    if is_dataclass(value) and not isinstance(value, type):
        return _field_values(value)  # as asdict makes them
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not serialisable: {type(value).__name__}")


for _nested in (Classification, Item, Lot):  # looked up by type, not by `is_dataclass`
    _FIELD_NAMES[_nested] = tuple(f.name for f in fields(_nested))
