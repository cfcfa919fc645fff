"""Whether a tender or one of its lots is reserved to some kind of operator, so matching can
tell an organisation that cannot take part (issue 12, second reading of the Slovak group).

Directive 2014/24/EU Art. 20 lets a buyer reserve a contract or lot to sheltered workshops and
economic operators whose main aim is the social and professional integration of disabled or
disadvantaged persons, or have it performed in sheltered employment programmes
("sheltered_workshop"); Art. 77 reserves some health, social and cultural services to
organisations with a public service mission ("public_service_mission"). Read from:

- the facts the TED XML and eForms parsers keep in `raw` (`reserved` for the whole notice,
  `reserved_lots` per eForms lot id: BT-71 `res-ws` / `res-pub-ser`, BT-736);
- OCDS `tender.otherRequirements.reservedParticipation` (and the same on `tender.lots[]`),
  codes `shelteredWorkshop` and `publicServiceMissionOrganization` (OCDS for eForms).

Pure: no clock, storage, settings.
"""

from __future__ import annotations

from typing import Any

from scanner.ingest.tender import Lot, NormalisedTender

__all__ = ["KINDS", "reserved_of"]

KINDS = ("sheltered_workshop", "public_service_mission")
_OCDS_CODES = {
    "shelteredWorkshop": "sheltered_workshop",
    "publicServiceMissionOrganization": "public_service_mission",
}


def reserved_of(tender: NormalisedTender, lot: Lot | None = None) -> tuple[str, ...]:
    """The kinds of operator the tender (or `lot` of it) is reserved to; () when open to all.
    A lot inherits a reservation of the whole notice."""
    raw = tender.raw if isinstance(tender.raw, dict) else {}
    found: dict[str, None] = dict.fromkeys(_kinds(raw.get("reserved")))
    ocds = raw.get("tender")
    if isinstance(ocds, dict):
        found.update(dict.fromkeys(_ocds(ocds)))
    if lot is not None:
        by_lot = raw.get("reserved_lots")
        if isinstance(by_lot, dict):
            found.update(dict.fromkeys(_kinds(by_lot.get(lot.lot_id))))
        lots = ocds.get("lots") if isinstance(ocds, dict) else None
        for entry in lots if isinstance(lots, list) else ():
            if isinstance(entry, dict) and str(entry.get("id")) == lot.lot_id:
                found.update(dict.fromkeys(_ocds(entry)))
    return tuple(kind for kind in KINDS if kind in found)


def _kinds(value: Any) -> list[str]:
    return [v for v in value if v in KINDS] if isinstance(value, list) else []


def _ocds(holder: dict[str, Any]) -> list[str]:
    other = holder.get("otherRequirements")
    codes = other.get("reservedParticipation") if isinstance(other, dict) else None
    if not isinstance(codes, list):
        return []
    return [_OCDS_CODES[c] for c in codes if isinstance(c, str) and c in _OCDS_CODES]
