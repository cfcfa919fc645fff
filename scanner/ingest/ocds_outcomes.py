"""One OCDS compiled release -> its `Outcome`: procedure, bids (bids extension), awards with
their suppliers resolved through `parties`, and contracts.

Every read is type-checked like `scanner.ingest.normalise`: a bad field costs that field, never
the outcome. What is missing is named in `unknowns` (an award without supplier, a supplier
without identifier, a bid without value) and left empty; nothing is filled in by guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.ingest.dates import parse_datetime
from scanner.ingest.money import parse_amount, parse_currency
from scanner.ingest.outcome import METHODS, SCALES, Award, Bid, Contract, Outcome, Party
from scanner.ingest.outcome import compact_identifier as _compact
from scanner.ingest.text import clean_text

__all__ = ["outcome_of_release"]

_EMPTY: Mapping[str, Any] = {}
# Bid statuses of the OCDS bids extension; a pending or invited bid is not yet evaluated.
_BID_STATUSES = frozenset({"invited", "pending", "valid", "disqualified", "withdrawn"})
_FINAL_BID_STATUSES = frozenset({"valid", "disqualified", "withdrawn"})
# `bids.statistics[].measure` values that count bids, most specific first.
_COUNT_MEASURES = ("validBids", "bids")


def outcome_of_release(release: Mapping[str, Any]) -> Outcome:
    """The outcome in an OCDS (compiled) release. Never raises for bad data."""
    unknowns: list[str] = []
    tender = _obj(release.get("tender"))
    parties = {
        ref: party
        for party in _objects(release.get("parties"))
        if (ref := _text_id(party.get("id"))) is not None
    }
    method, method_details, method_field = _method(tender, unknowns)
    period = _obj(tender.get("tenderPeriod"))
    bids_block = _obj(release.get("bids"))
    bids = tuple(_bid(raw, n, parties, unknowns) for n, raw in _numbered(bids_block.get("details")))
    awards = tuple(_award(raw, n, parties, unknowns) for n, raw in _numbered(release.get("awards")))
    contracts = tuple(_contract(raw) for raw in _objects(release.get("contracts")))
    lot_count = len(_objects(tender.get("lots")))
    bid_count, field, lot_counts = _bid_counts(
        bids, tender, _objects(bids_block.get("statistics")), lot_count
    )
    if bid_count is None and method in {"open", "selective"}:
        unknowns.append("bid count not published")
    return Outcome(
        method=method,
        method_details=method_details,
        method_field=method_field,
        period_start=parse_datetime(period.get("startDate")),
        period_end=parse_datetime(period.get("endDate"), end_of_day=True),
        bid_count=bid_count,
        bid_count_field=field,
        lot_bid_counts=lot_counts,
        bids=bids,
        awards=awards,
        contracts=contracts,
        unknowns=tuple(unknowns),
    )


def _method(tender: Mapping[str, Any], unknowns: list[str]) -> tuple[str | None, str | None, str]:
    raw = tender.get("procurementMethod")
    details = clean_text(tender.get("procurementMethodDetails"))
    method = raw.strip().lower() if isinstance(raw, str) and raw.strip() else None
    if method is None:
        unknowns.append("procurement method not published (tender.procurementMethod)")
    elif method not in METHODS:
        unknowns.append(f"procurement method {raw!r} is not in the OCDS codelist")
        method = None
    return method, details, "tender.procurementMethod"


def _bid(
    raw: Mapping[str, Any],
    number: int,
    parties: Mapping[str, Mapping[str, Any]],
    unknowns: list[str],
) -> Bid:
    status = _code(raw.get("status"))
    value = _obj(raw.get("value"))
    amount = _amount(value)
    name = _text_id(raw.get("id")) or f"#{number}"
    if amount is None:
        unknowns.append(f"bid {name}: no value")
    if status not in _BID_STATUSES:
        unknowns.append(f"bid {name}: status {raw.get('status')!r} not readable")
        status = None
    return Bid(
        bid_id=_text_id(raw.get("id")),
        status=status,
        value_amount=amount,
        currency=parse_currency(value.get("currency")) if amount is not None else None,
        tenderers=tuple(_party(ref, parties) for ref in _objects(raw.get("tenderers"))),
        lot_ids=_ids(raw.get("relatedLots")),
    )


def _award(
    raw: Mapping[str, Any],
    number: int,
    parties: Mapping[str, Mapping[str, Any]],
    unknowns: list[str],
) -> Award:
    award_id = _text_id(raw.get("id"))
    name = award_id or f"#{number}"
    value = _obj(raw.get("value"))
    amount = _amount(value)
    suppliers = tuple(_party(ref, parties) for ref in _objects(raw.get("suppliers")))
    status = _code(raw.get("status"))
    if status is None:
        unknowns.append(f"award {name}: no status")
    if not suppliers and status in (None, "active"):
        unknowns.append(f"award {name}: no supplier")
    for supplier in suppliers:
        if supplier.key is None:
            who = supplier.name or supplier.ref or "unnamed"
            unknowns.append(f"award {name}: supplier {who!r} has no identifier")
    if amount is None and status in (None, "active"):
        unknowns.append(f"award {name}: no value")
    lots = _ids(raw.get("relatedLots"))
    return Award(
        award_id=award_id,
        status=status,
        date=parse_datetime(raw.get("date")),
        value_amount=amount,
        currency=parse_currency(value.get("currency")) if amount is not None else None,
        suppliers=suppliers,
        lot_ids=lots,
        related_bid=_text_id(raw.get("relatedBid")),
    )


def _contract(raw: Mapping[str, Any]) -> Contract:
    value = _obj(raw.get("value"))
    amount = _amount(value)
    return Contract(
        contract_id=_text_id(raw.get("id")),
        award_id=_text_id(raw.get("awardID")),
        status=_code(raw.get("status")),
        date_signed=parse_datetime(raw.get("dateSigned")),
        value_amount=amount,
        currency=parse_currency(value.get("currency")) if amount is not None else None,
    )


def _party(ref: Mapping[str, Any], parties: Mapping[str, Mapping[str, Any]]) -> Party:
    """An organisation reference resolved through `parties` (OCDS 1.1); an OCDS 1.0-style
    reference carrying its own identifier is read as it is."""
    ref_id = _text_id(ref.get("id"))
    party = parties.get(ref_id, _EMPTY) if ref_id is not None else _EMPTY
    identifier = _obj(party.get("identifier")) or _obj(ref.get("identifier"))
    scheme = clean_text(identifier.get("scheme"))
    number = _compact(_text_id(identifier.get("id")))
    details = _obj(party.get("details")) or _obj(ref.get("details"))
    return Party(
        ref=ref_id,
        name=clean_text(ref.get("name")) or clean_text(party.get("name")),
        scheme=scheme.upper()[:100] if scheme else None,
        identifier=number[:300] if number else None,
        scale=_scale(details.get("scale")),
    )


def _bid_counts(
    bids: tuple[Bid, ...],
    tender: Mapping[str, Any],
    statistics: list[dict[str, Any]],
    lot_count: int,
) -> tuple[int | None, str | None, tuple[tuple[str, int], ...]]:
    """The tender's bid count (valid bids where the data says which), where it was read, and
    per-lot counts. Bid details count only when every bid has a final status."""
    lot_counts: dict[str, int] = {}
    for measure in reversed(_COUNT_MEASURES):  # the more specific measure overwrites
        for stat in statistics:
            lot = _text_id(stat.get("relatedLot"))
            count = _count(stat.get("value"))
            if stat.get("measure") == measure and lot is not None and count is not None:
                lot_counts[lot] = count
    final = bids and all(bid.status in _FINAL_BID_STATUSES for bid in bids)
    if final:
        by_lot: dict[str, int] = {}
        for bid in bids:
            for lot in bid.lot_ids:
                by_lot[lot] = by_lot.get(lot, 0) + (bid.status == "valid")
        lot_counts.update(by_lot)
    counts = tuple(sorted(lot_counts.items()))
    if final and not any(bid.lot_ids for bid in bids):
        return sum(bid.status == "valid" for bid in bids), "bids.details[].status", counts
    tenderers = _count(tender.get("numberOfTenderers"))
    if tenderers is not None:
        return tenderers, "tender.numberOfTenderers", counts
    for measure in _COUNT_MEASURES:
        for stat in statistics:
            value = _count(stat.get("value"))
            tender_wide = stat.get("measure") == measure and stat.get("relatedLot") is None
            if tender_wide and value is not None:
                return value, f"bids.statistics[{measure}]", counts
    if len(lot_counts) == 1 and lot_count <= 1:
        (only,) = lot_counts.values()
        field = "bids.details[].status" if final else "bids.statistics[relatedLot]"
        return only, field, counts
    return None, None, counts


# -- safe access -------------------------------------------------------------------------------


def _obj(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else _EMPTY


def _objects(value: object) -> list[dict[str, Any]]:
    if isinstance(value, list):
        return [entry for entry in value if isinstance(entry, dict)]
    if isinstance(value, dict):
        return [value]
    return []


def _numbered(value: object) -> list[tuple[int, dict[str, Any]]]:
    return list(enumerate(_objects(value), start=1))


def _text_id(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip()[:300] or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _ids(value: object) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value] if value is not None else []
    return tuple(dict.fromkeys(i for v in values if (i := _text_id(v)) is not None))


def _code(value: object) -> str | None:
    text = value.strip() if isinstance(value, str) else ""
    return text.lower() if text and len(text) <= 40 else None


def _scale(value: object) -> str | None:
    code = _code(value)
    return code if code in SCALES else None


def _amount(value: Mapping[str, Any]) -> Any:
    """`amount`, else `amountGross` (FTS); 0 means "not published" (Contracts Finder)."""
    return parse_amount(value.get("amount")) or parse_amount(value.get("amountGross")) or None


def _count(value: object) -> int | None:
    """A count of bids: a whole number, never a boolean or an absurd one."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1_000_000:
        return value
    return None
