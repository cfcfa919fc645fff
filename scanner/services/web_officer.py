"""What procurement officers see: tenders flagged for splitting (filtered, sorted, paged), one
tender with its assessment and market depth, and their feedback on suggestions."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from matchers.cpv import cpv_significant
from matchers.types import OrgProfile
from scanner.orgs import RateTable, load_rates
from scanner.splitter import proposed_parts
from scanner.storage.data_generation import DataCache
from scanner.storage.listing_counts import ListingCounts
from scanner.storage.officer_listing import (
    CLOSED_STATUSES,
    PAGE_SIZES,
    SORTS,
    STATUS_CHOICES,
    VALUE_BANDS,
    OfficerFilter,
    add_feedback,
    list_feedback,
    list_flagged,
)
from scanner.storage.organisations import active_org_profiles, listed_slugs

# The list and the feedback are SQL (scanner.storage.officer_listing), served from here.
__all__ = [
    "CLOSED_STATUSES",
    "PAGE_SIZES",
    "SORTS",
    "STATUS_CHOICES",
    "VALUE_BANDS",
    "DataCache",
    "Depth",
    "ListingCounts",
    "OfficerFilter",
    "ProfileCache",
    "add_feedback",
    "list_feedback",
    "list_flagged",
    "market_depth",
]

# --- market depth ------------------------------------------------------------------------


@dataclass(frozen=True)
class Depth:
    """How many registered organisations could bid for one part; `names` holds only those of
    them that agreed to be listed (the count includes everyone)."""

    label: str
    value: Decimal | None
    count: int
    names: tuple[str, ...]


def market_depth(
    tender: dict[str, Any],
    assessment: dict[str, Any] | None,
    orgs: list[OrgProfile],
    rates: RateTable,
    *,
    on: date,
    listed: frozenset[str],
) -> list[Depth]:
    """The whole tender, then each proposed package (two or more: a single package is the
    whole tender again): an active organisation could bid when the
    value (in the reporting currency) lies within its value range and its CPV interests cover
    one of the part's CPV codes (or, without CPV interests, one of its keywords is in the
    title or scope), either CPV code being the broader; an exclusion term in the text rules
    it out. Only organisations in `listed` (their consent, `listed = true`) are named."""
    currency = (assessment or {}).get("currency") or tender.get("currency")
    whole_value = _decimal((assessment or {}).get("aggregated_value") or tender.get("value_amount"))
    whole_text = f"{tender.get('title') or ''} {tender.get('description') or ''}".lower()
    parts = [("Whole tender", whole_value, tuple(tender.get("cpv_codes") or ()), whole_text)]
    packages = proposed_parts((assessment or {}).get("packages") or [])
    for number, package in enumerate(packages, start=1):
        cpv = package.get("cpv")
        codes = tuple(cpv) if isinstance(cpv, list) else ((cpv,) if cpv else parts[0][2])
        text = f"{package.get('title') or ''} {package.get('scope') or ''}".lower()
        parts.append(
            (
                f"Package {number}",
                _decimal(package.get("estimated_value")),
                codes,
                text or whole_text,
            )
        )
    result = []
    for label, value, codes, text in parts:
        reporting = _reporting(value, currency, rates, on)
        # The part's CPV codes to their significant digits once, not once per organisation.
        levels = [level for level in map(cpv_significant, codes) if level]
        fits = [o for o in orgs if _could_bid(o, reporting, levels, text)]
        names = tuple(sorted(o.name for o in fits if o.id in listed))
        result.append(Depth(label, value, len(fits), names))
    return result


def _could_bid(org: OrgProfile, value: Decimal | None, levels: list[str], text: str) -> bool:
    """`levels`: the part's CPV codes to their significant digits (`cpv_significant`)."""
    if any(term.lower() in text for term in org.exclusions):
        return False
    if value is not None:
        if org.value_max is not None and value > org.value_max:
            return False
        if org.value_min is not None and value < org.value_min:
            return False
    if org.cpv:
        # Either side may be the broader one: a tender coded only "72000000" (IT services)
        # fits an organisation interested in "722", and the other way round.
        return any(
            level.startswith(prefix) or prefix.startswith(level)
            for prefix in org.cpv
            for level in levels
        )
    return any(keyword.lower() in text for keyword in org.keywords)


def _reporting(
    value: Decimal | None, currency: str | None, rates: RateTable, on: date
) -> Decimal | None:
    if value is None or not currency:
        return value
    try:
        return rates.convert(value, currency, on=on)
    except KeyError:
        return None


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


class ProfileCache:
    """The active profiles, the ids of those that may be named, and the rates, reread at most
    every `ttl` seconds: market depth needs them on every tender page, and profiles change far
    less often than pages are read."""

    def __init__(self, engine: Engine, rates_file: Path, *, ttl: float = 60.0) -> None:
        self.engine, self.rates_file, self.ttl = engine, rates_file, ttl
        self._lock = threading.Lock()
        self._loaded: tuple[float, date, RateTable, list[OrgProfile], frozenset[str]] | None = None

    def get(self, on: date) -> tuple[RateTable, list[OrgProfile], frozenset[str]]:
        with self._lock:
            loaded = self._loaded
            if loaded is None or loaded[1] != on or time.monotonic() - loaded[0] > self.ttl:
                rates = load_rates(self.rates_file)
                with self.engine.connect() as conn:
                    profiles = active_org_profiles(conn, rates, on=on)
                    listed = listed_slugs(conn)
                loaded = self._loaded = (time.monotonic(), on, rates, profiles, listed)
            return loaded[2], loaded[3], loaded[4]
