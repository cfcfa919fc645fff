"""Procurement thresholds and micro-contract ceilings, loaded from `config/thresholds.toml`.

Thresholds are data that change every two years, so they live in configuration with their
sources; the splitter receives the loaded `Thresholds` as a parameter and never reads files.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from scanner.ingest.tender import NormalisedTender

# CPV divisions whose contracts follow the works or social/light-touch regimes.
WORKS_DIVISIONS = frozenset({"45"})
_SOCIAL_GROUPS = frozenset({"753", "794", "795", "796", "797", "798", "799", "800", "805", "853"})


class ThresholdsError(ValueError):
    """The thresholds file is missing a field or holds a value that is not an amount."""


@dataclass(frozen=True, slots=True)
class Threshold:
    """One threshold: at or above `amount`, `procedure` applies to contracts of `kinds`."""

    key: str
    label: str
    amount: Decimal
    kinds: tuple[str, ...]
    procedure: str
    source: str


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """A procurement regime: its currency, thresholds and the ceiling for a micro-contract."""

    code: str
    name: str
    currency: str
    countries: tuple[str, ...]
    vat: str
    micro_ceiling: Decimal
    ceiling_basis: str
    small_supplier_turnover: Decimal
    below_procedure: str
    thresholds: tuple[Threshold, ...]

    def thresholds_for(self, kind: str) -> tuple[Threshold, ...]:
        """The thresholds that apply to a contract kind, lowest first."""
        return tuple(sorted((t for t in self.thresholds if kind in t.kinds), key=_amount))

    def regulated_threshold(self, kind: str) -> Threshold | None:
        """The lowest threshold above which the full regime (and the lots duty) applies.

        Below-threshold notice bands are skipped: they do not oblige the buyer to consider lots.
        Central government figures come first, the conservative reading when the buyer's type
        is unknown."""
        regulated = [
            t for t in self.thresholds_for(kind) if not t.key.startswith(("below", "micro"))
        ]
        return regulated[0] if regulated else None

    def procedure_for(self, value: Decimal, kind: str) -> tuple[Threshold | None, str]:
        """The highest threshold the aggregated value reaches, and the procedure that applies."""
        reached = [t for t in self.thresholds_for(kind) if value >= t.amount]
        if not reached:
            return None, self.below_procedure
        return reached[-1], reached[-1].procedure


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Every configured jurisdiction, with the rules version stored beside each assessment."""

    rules_version: str
    jurisdictions: tuple[Jurisdiction, ...]

    def jurisdiction_of(self, tender: NormalisedTender) -> Jurisdiction | None:
        """The regime a tender falls under: by currency first, then by country code."""
        currency = (tender.currency or "").upper()
        for jurisdiction in self.jurisdictions:
            if currency and currency == jurisdiction.currency:
                return jurisdiction
        countries = {c.upper() for c in tender.countries if isinstance(c, str)}
        for jurisdiction in self.jurisdictions:
            if countries & set(jurisdiction.countries):
                return jurisdiction
        return None


def contract_kind(cpv_codes: tuple[str, ...] | list[str]) -> str:
    """`works`, `social` or `supplies_services` from the tender's main CPV code."""
    for code in cpv_codes:
        if len(code) >= 3 and code[:3].isdigit():
            if code[:2] in WORKS_DIVISIONS:
                return "works"
            if code[:3] in _SOCIAL_GROUPS or code[:2] == "85":
                return "social"
            return "supplies_services"
    return "supplies_services"


def load_thresholds(path: Path) -> Thresholds:
    """Read the thresholds file; raises `ThresholdsError` naming the field that is wrong."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    version = data.get("rules_version")
    if not isinstance(version, str):
        raise ThresholdsError(f"{path}: rules_version missing")
    raw = data.get("jurisdictions")
    if not isinstance(raw, dict) or not raw:
        raise ThresholdsError(f"{path}: no [jurisdictions] table")
    return Thresholds(
        rules_version=version,
        jurisdictions=tuple(_jurisdiction(code, table, path) for code, table in raw.items()),
    )


def _jurisdiction(code: str, table: dict[str, Any], path: Path) -> Jurisdiction:
    where = f"{path}: jurisdictions.{code}"
    return Jurisdiction(
        code=code,
        name=_text(table, "name", where),
        currency=_text(table, "currency", where).upper(),
        countries=tuple(str(c).upper() for c in table.get("countries", [])),
        vat=str(table.get("vat", "")),
        micro_ceiling=_decimal(table, "micro_ceiling", where),
        ceiling_basis=_text(table, "ceiling_basis", where),
        small_supplier_turnover=_decimal(table, "small_supplier_turnover", where),
        below_procedure=_text(table, "below_procedure", where),
        thresholds=tuple(
            Threshold(
                key=_text(t, "key", where),
                label=_text(t, "label", where),
                amount=_decimal(t, "amount", where),
                kinds=tuple(str(k) for k in t.get("kinds", ["supplies_services"])),
                procedure=_text(t, "procedure", where),
                source=_text(t, "source", where),
            )
            for t in table.get("thresholds", [])
        ),
    )


def _text(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise ThresholdsError(f"{where}: {key} missing or not text")
    return value


def _decimal(table: dict[str, Any], key: str, where: str) -> Decimal:
    try:
        amount = Decimal(str(table[key]))
    except (KeyError, InvalidOperation) as exc:
        raise ThresholdsError(f"{where}: {key} missing or not an amount") from exc
    if not amount.is_finite() or amount <= 0:
        raise ThresholdsError(f"{where}: {key} must be a positive amount")
    return amount


def _amount(threshold: Threshold) -> Decimal:
    return threshold.amount
