"""What happened after the notice, as plain data: the procedure used, bids or bid counts,
awards with their suppliers, and contracts.

Read from an OCDS compiled release (`scanner.ingest.ocds_outcomes`) or an eForms result notice
(`scanner.ingest.xml_eforms_outcomes`, kept in the tender's `raw["result"]` at parse time), so
that every source that publishes outcomes gives the same shape. Partial data is kept as it is
and named in `unknowns`; nothing is filled in by guess.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson

from scanner.ingest.dates import parse_datetime

__all__ = [
    "COMPETITIVE_METHODS",
    "NON_COMPETITIVE_METHODS",
    "SMALL_SCALES",
    "Award",
    "Bid",
    "Contract",
    "Outcome",
    "Party",
]

# OCDS `tender.procurementMethod` codelist (closed): open, selective, limited, direct.
METHODS = frozenset({"open", "selective", "limited", "direct"})
COMPETITIVE_METHODS = frozenset({"open", "selective"})
NON_COMPETITIVE_METHODS = frozenset({"limited", "direct"})
# Published supplier sizes: OCDS `parties[].details.scale` (micro, sme, large, selfEmployed)
# and eForms `efbc:CompanySizeCode` (micro, small, medium, large).
SCALES = frozenset({"micro", "small", "medium", "sme", "large", "selfemployed"})
SMALL_SCALES = frozenset({"micro", "small", "medium", "sme", "selfemployed"})


@dataclass(frozen=True, slots=True)
class Party:
    """A supplier or tenderer as the notice names it.

    `scheme` + `identifier` is the organisation's identity in a register (`GB-COH`, `UA-EDR`):
    the same pair from any source is one supplier. Without it the party is kept by name and
    reference only, and counted as unidentified."""

    ref: str | None = None
    name: str | None = None
    scheme: str | None = None
    identifier: str | None = None
    scale: str | None = None

    @property
    def key(self) -> str | None:
        """`scheme:identifier`, or None when the notice gives no identifier."""
        if self.scheme and self.identifier:
            return f"{self.scheme}:{self.identifier}"
        return None


@dataclass(frozen=True, slots=True)
class Award:
    award_id: str | None = None
    status: str | None = None
    date: datetime | None = None
    value_amount: Decimal | None = None
    currency: str | None = None
    suppliers: tuple[Party, ...] = ()
    lot_ids: tuple[str, ...] = ()
    related_bid: str | None = None


@dataclass(frozen=True, slots=True)
class Bid:
    bid_id: str | None = None
    status: str | None = None
    value_amount: Decimal | None = None
    currency: str | None = None
    tenderers: tuple[Party, ...] = ()
    lot_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Contract:
    contract_id: str | None = None
    award_id: str | None = None
    status: str | None = None
    date_signed: datetime | None = None
    value_amount: Decimal | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """The outcome of one procedure.

    `bid_count` is the number of bids, valid ones where the data says which; `bid_count_field`
    names where it was read (`bids.details[].status`, `tender.numberOfTenderers`,
    `bids.statistics[bids]`, `efac:ReceivedSubmissionsStatistics[tenders]`). Per-lot counts are
    in `lot_bid_counts`; a procedure of several lots has a tender-level count only when the
    source gives one. `unknowns` says, in words, what is missing or could not be read."""

    method: str | None = None
    method_details: str | None = None
    method_field: str | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    bid_count: int | None = None
    bid_count_field: str | None = None
    lot_bid_counts: tuple[tuple[str, int], ...] = ()
    bids: tuple[Bid, ...] = ()
    awards: tuple[Award, ...] = ()
    contracts: tuple[Contract, ...] = ()
    unknowns: tuple[str, ...] = ()

    def content_hash(self) -> str:
        """Digest of the whole outcome: an unchanged outcome is not written again."""
        return hashlib.sha256(orjson.dumps(self.to_json(), option=orjson.OPT_SORT_KEYS)).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (dates ISO 8601, money as strings)."""
        return {
            "method": self.method,
            "method_details": self.method_details,
            "method_field": self.method_field,
            "period_start": _iso(self.period_start),
            "period_end": _iso(self.period_end),
            "bid_count": self.bid_count,
            "bid_count_field": self.bid_count_field,
            "lot_bid_counts": [[lot, count] for lot, count in self.lot_bid_counts],
            "bids": [bid_json(b) for b in self.bids],
            "awards": [award_json(a) for a in self.awards],
            "contracts": [contract_json(c) for c in self.contracts],
            "unknowns": list(self.unknowns),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Outcome:
        """The inverse of `to_json`; unreadable parts become empty, never an exception."""
        counts = [
            (str(pair[0]), pair[1])
            for pair in _list(data.get("lot_bid_counts"))
            if isinstance(pair, list) and len(pair) == 2 and _is_count(pair[1])
        ]
        return cls(
            method=_str(data.get("method")),
            method_details=_str(data.get("method_details")),
            method_field=_str(data.get("method_field")),
            period_start=parse_datetime(data.get("period_start")),
            period_end=parse_datetime(data.get("period_end")),
            bid_count=data["bid_count"] if _is_count(data.get("bid_count")) else None,
            bid_count_field=_str(data.get("bid_count_field")),
            lot_bid_counts=tuple(counts),
            bids=tuple(bid_from_json(b) for b in _list(data.get("bids")) if isinstance(b, dict)),
            awards=tuple(
                award_from_json(a) for a in _list(data.get("awards")) if isinstance(a, dict)
            ),
            contracts=tuple(
                contract_from_json(c) for c in _list(data.get("contracts")) if isinstance(c, dict)
            ),
            unknowns=tuple(str(u) for u in _list(data.get("unknowns"))),
        )


# -- JSON helpers ------------------------------------------------------------------------------


def party_json(party: Party) -> dict[str, Any]:
    return {
        "ref": party.ref,
        "name": party.name,
        "scheme": party.scheme,
        "identifier": party.identifier,
        "scale": party.scale,
    }


def party_from_json(data: Mapping[str, Any]) -> Party:
    return Party(
        ref=_str(data.get("ref")),
        name=_str(data.get("name")),
        scheme=_str(data.get("scheme")),
        identifier=_str(data.get("identifier")),
        scale=_str(data.get("scale")),
    )


def award_json(award: Award) -> dict[str, Any]:
    return {
        "award_id": award.award_id,
        "status": award.status,
        "date": _iso(award.date),
        "value_amount": _money(award.value_amount),
        "currency": award.currency,
        "suppliers": [party_json(p) for p in award.suppliers],
        "lot_ids": list(award.lot_ids),
        "related_bid": award.related_bid,
    }


def award_from_json(data: Mapping[str, Any]) -> Award:
    return Award(
        award_id=_str(data.get("award_id")),
        status=_str(data.get("status")),
        date=parse_datetime(data.get("date")),
        value_amount=_decimal(data.get("value_amount")),
        currency=_str(data.get("currency")),
        suppliers=_parties(data.get("suppliers")),
        lot_ids=tuple(str(x) for x in _list(data.get("lot_ids"))),
        related_bid=_str(data.get("related_bid")),
    )


def bid_json(bid: Bid) -> dict[str, Any]:
    return {
        "bid_id": bid.bid_id,
        "status": bid.status,
        "value_amount": _money(bid.value_amount),
        "currency": bid.currency,
        "tenderers": [party_json(p) for p in bid.tenderers],
        "lot_ids": list(bid.lot_ids),
    }


def bid_from_json(data: Mapping[str, Any]) -> Bid:
    return Bid(
        bid_id=_str(data.get("bid_id")),
        status=_str(data.get("status")),
        value_amount=_decimal(data.get("value_amount")),
        currency=_str(data.get("currency")),
        tenderers=_parties(data.get("tenderers")),
        lot_ids=tuple(str(x) for x in _list(data.get("lot_ids"))),
    )


def contract_json(contract: Contract) -> dict[str, Any]:
    return {
        "contract_id": contract.contract_id,
        "award_id": contract.award_id,
        "status": contract.status,
        "date_signed": _iso(contract.date_signed),
        "value_amount": _money(contract.value_amount),
        "currency": contract.currency,
    }


def contract_from_json(data: Mapping[str, Any]) -> Contract:
    return Contract(
        contract_id=_str(data.get("contract_id")),
        award_id=_str(data.get("award_id")),
        status=_str(data.get("status")),
        date_signed=parse_datetime(data.get("date_signed")),
        value_amount=_decimal(data.get("value_amount")),
        currency=_str(data.get("currency")),
    )


def _parties(value: object) -> tuple[Party, ...]:
    return tuple(party_from_json(p) for p in _list(value) if isinstance(p, dict))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def _decimal(value: object) -> Decimal | None:
    if not isinstance(value, str):
        return None
    try:
        return Decimal(value)
    except ArithmeticError:
        return None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def compact_identifier(value: str | None) -> str | None:
    """A register number without its spaces (`920 144 950` is `920144950`): whitespace is
    never significant in one, and publishers differ in how they group the digits."""
    if value is None:
        return None
    compact = "".join(value.split())
    return compact[:300] or None
