"""One tender becomes up to three kinds of opportunity: the whole tender, each lot the buyer
published, and each micro-contract the splitter proposed. An organisation that cannot bid for a
£2M contract may still fit its £60k research package, so all three are scored."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from decimal import Decimal

from matchers.types import Opportunity
from scanner.ingest.tender import NormalisedTender
from scanner.splitter import Package

Converter = Callable[[Decimal | None, str | None], Decimal | None]
"""Turns (amount, currency) into the reporting currency; None when it cannot."""

CLOSED_STATUSES = frozenset({"complete", "cancelled", "unsuccessful", "withdrawn", "closed"})
_OPEN_SOURCE_RE = re.compile(r"\bopen[- ]source\b|\bopen licen[cs]e\b|\bpublished code\b", re.I)


def opportunities_of(
    tender: NormalisedTender,
    tender_id: int | str,
    packages: Iterable[Package] = (),
    *,
    to_reporting: Converter,
) -> list[Opportunity]:
    """The tender itself, then its lots, then the proposed packages, in that order."""
    key = str(tender_id)
    whole = Opportunity(
        id=f"tender:{key}",
        kind="tender",
        tender_id=key,
        title=tender.title,
        text=tender.description or "",
        cpv=tender.cpv_codes,
        naics=_naics(tender),
        value=to_reporting(tender.value_amount, tender.currency),
        regions=tender.regions,
        countries=tender.countries,
        deadline=tender.deadline_at,
        closed=(tender.status or "").lower() in CLOSED_STATUSES,
        suitable_sme=tender.suitable_sme,
        suitable_vcse=tender.suitable_vcse,
        open_source=bool(_OPEN_SOURCE_RE.search(f"{tender.title} {tender.description or ''}")),
    )
    found = [whole]
    for position, lot in enumerate(tender.lots, start=1):
        lot_cpv = tuple(c.code for c in lot.classifications if c.scheme == "CPV")
        found.append(
            replace(
                whole,
                id=f"lot:{key}:{position}",
                kind="lot",
                title=lot.title or f"Lot {lot.lot_id}",
                text=lot.description or "",
                parent_title=tender.title,
                cpv=lot_cpv or tender.cpv_codes,
                value=to_reporting(lot.value_amount, lot.currency or tender.currency),
                regions=_lot_regions(tender, lot.lot_id) or tender.regions,
            )
        )
    for position, package in enumerate(packages, start=1):
        found.append(
            replace(
                whole,
                id=f"package:{key}:{position}",
                kind="package",
                title=package.title,
                text=package.scope,
                parent_title=tender.title,
                cpv=(package.cpv,) if package.cpv else tender.cpv_codes,
                value=to_reporting(package.estimated_value, tender.currency),
                regions=(package.region,) if package.region else tender.regions,
            )
        )
    return found


def _naics(tender: NormalisedTender) -> tuple[str, ...]:
    return tuple(c.code for c in tender.classifications if c.scheme.upper() == "NAICS")


def _lot_regions(tender: NormalisedTender, lot_id: str) -> tuple[str, ...]:
    regions: dict[str, None] = {}
    for item in tender.items:
        if item.related_lot == lot_id:
            regions.update(dict.fromkeys(item.regions))
    return tuple(regions)
