"""Procurement regimes: thresholds, micro-contract ceilings and the provisions the splitter cites,
loaded from `config/thresholds.toml`.

Thresholds are data that change every two years, so they live in configuration with their
sources; the splitter receives the loaded `Thresholds` as a parameter and never reads files.
Each regime carries its own citations, so a rule is cited from the buyer's law, or said to be
cited "by analogy" from another.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from scanner.ingest.tender import NormalisedTender
from scanner.orgs.rates import RateTable

# CPV divisions whose contracts follow the works or social/light-touch regimes.
WORKS_DIVISIONS = frozenset({"45"})
_SOCIAL_GROUPS = frozenset({"753", "794", "795", "796", "797", "798", "799", "800", "805", "853"})
BUYER_TYPES = (
    "central government",
    "sub-central",
    "NHS",
    "devolved government",
    "utility",
    "federal agency",
)
CITATION_KEYS = (
    "lots_duty",
    "aggregation",
    "time_limits",
    "participation",
    "market_engagement",
    "small_business",
    "subjects",
    "regions",
    "phases",
    "increments",
    "long_delivery",
    "consolidation",
    "openness",
)
# Where a regime has no provision of its own for a rule: the closest one elsewhere, always
# shown as "by analogy" so an officer never reads it as the law that binds them.
BY_ANALOGY = {
    "lots_duty": "Directive 2014/24/EU Art. 46",
    "aggregation": "Directive 2014/24/EU Art. 5",
    "time_limits": "Directive 2014/24/EU Arts. 27-28",
    "participation": "Directive 2014/24/EU Art. 58(3)",
    "market_engagement": "Directive 2014/24/EU Art. 40",
    "small_business": "Directive 2014/24/EU recital 78",
    "subjects": "Directive 2014/24/EU Art. 46",
    "regions": "Directive 2014/24/EU Art. 46",
    "phases": "GOV.UK Service Manual phases (UK)",
    "increments": "FAR 39.103 modular contracting (US)",
    "long_delivery": "FAR 39.103 modular contracting (US)",
    "consolidation": "FAR 7.107 (US)",
    "openness": "GOV.UK Service Standard point 12 (UK) and OMB M-16-21 (US)",
}


class ThresholdsError(ValueError):
    """The thresholds file is missing a field or holds a value that is not an amount."""


@dataclass(frozen=True, slots=True)
class Threshold:
    """One threshold: at or above `amount`, `procedure` applies to contracts of `kinds`
    awarded by buyers of `buyers` (every type when empty)."""

    key: str
    label: str
    amount: Decimal
    kinds: tuple[str, ...]
    procedure: str
    source: str
    buyers: tuple[str, ...] = ()

    def applies_to(self, kind: str, buyer: str | None) -> bool:
        return kind in self.kinds and (not self.buyers or buyer is None or buyer in self.buyers)


@dataclass(frozen=True, slots=True)
class Nation:
    """A nation within a regime with provisions of its own (Wales's digital standards)."""

    name: str
    code: str
    citations: dict[str, str]


# What a buyer type's own law says about giving reasons for not dividing into lots: "required"
# (the regime's duty applies), "not required", or "check" (not established: said so).
REASONS = ("required", "not required", "check")


@dataclass(frozen=True, slots=True)
class BuyerRules:
    """Provisions of a regime (or a member state) for one buyer type that differ from the
    general ones: a utility's lots rule is Directive 2014/25/EU Art. 65, not 2014/24/EU Art. 46.
    `reasons` says whether that buyer must give reasons for not dividing, `note` why, in a
    sentence shown to the officer."""

    citations: dict[str, str]
    reasons: str = "required"
    note: str | None = None
    law: str | None = None  # the statute this buyer buys under, where not the regime's


@dataclass(frozen=True, slots=True)
class Member:
    """An EU member state: its transposition of the lots duty, its currency and, where the
    file has one, the published rate to compare national-currency values with EUR thresholds."""

    code: str
    name: str
    lots_duty: str | None = None
    currency: str | None = None
    rate: Decimal | None = None
    rate_source: str | None = None
    eea: bool = False
    lots_always: str | None = None
    buyers: dict[str, BuyerRules] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """A procurement regime: its currency, thresholds, the ceiling for a micro-contract and the
    provisions it cites."""

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
    law: str = ""
    nation_names: tuple[str, ...] = ()
    default_buyer: str | None = None
    buyer_types: tuple[str, ...] = ()
    citations: dict[str, str] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    nations: dict[str, Nation] = field(default_factory=dict)
    ceiling_follows_threshold: bool = False
    buyers: dict[str, BuyerRules] = field(default_factory=dict)

    def thresholds_for(self, kind: str, buyer: str | None = None) -> tuple[Threshold, ...]:
        """The thresholds that apply to a contract kind and buyer type, lowest first."""
        return tuple(sorted((t for t in self.thresholds if t.applies_to(kind, buyer)), key=_amount))

    def regulated_threshold(self, kind: str, buyer: str | None = None) -> Threshold | None:
        """The lowest threshold above which the full regime (and the lots duty) applies.

        Below-threshold and regulated-procurement bands are skipped: they do not oblige the
        buyer to consider lots. With the buyer type unknown this is the lowest of all types,
        the conservative reading (the caller says which type it assumed)."""
        regulated = [
            t
            for t in self.thresholds_for(kind, buyer)
            if not t.key.startswith(("below", "micro", "regulated"))
        ]
        return regulated[0] if regulated else None

    def procedure_for(
        self, value: Decimal, kind: str, buyer: str | None = None
    ) -> tuple[Threshold | None, str]:
        """The highest threshold the aggregated value reaches, and the procedure that applies."""
        reached = [t for t in self.thresholds_for(kind, buyer) if value >= t.amount]
        if not reached:
            return None, self.below_procedure
        return reached[-1], reached[-1].procedure

    def buyer_rules(self, buyer: str | None, member: Member | None = None) -> BuyerRules | None:
        """The provisions of a buyer type that differ from the general ones: the member
        state's own where it has them, else the regime's."""
        if buyer is None:
            return None
        own = member.buyers.get(buyer) if member is not None else None
        general = self.buyers.get(buyer)
        if own is None or general is None:
            return own or general
        # The member state's citations first, the regime's for the rest.
        return replace(
            own, citations={**general.citations, **own.citations}, law=own.law or general.law
        )

    def cite(
        self,
        key: str,
        member: Member | None = None,
        nation: str | None = None,
        buyer: str | None = None,
    ) -> str:
        """The provision behind a rule in this regime for this buyer type (a member state's or
        a nation's own where it has one), else the closest one "by analogy"."""
        rules = self.buyer_rules(buyer, member)
        if rules is not None and key in rules.citations:
            return rules.citations[key]
        if key == "lots_duty" and member is not None and member.lots_duty:
            return member.lots_duty
        override = self.nations.get(nation or "")
        if override is not None and key in override.citations:
            return override.citations[key]
        own = self.citations.get(key)
        return own if own else by_analogy(key)

    def code_for(self, nation: str | None) -> str:
        """The regime code clauses are sourced by: the nation's own (`UK-WLS`) or this one's."""
        override = self.nations.get(nation or "")
        return override.code if override is not None else self.code


def by_analogy(key: str) -> str:
    """A provision from another regime, marked so that it is never read as binding here."""
    return f"by analogy: {BY_ANALOGY.get(key, BY_ANALOGY['lots_duty'])}, not law here"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Every configured regime, with the rules version stored beside each assessment, and the
    dated reference rates (when given) for comparing values in other currencies."""

    rules_version: str
    jurisdictions: tuple[Jurisdiction, ...]
    rates: RateTable | None = None
    # Countries deliberately left without rules, with the reason shown to the officer.
    unconfigured: dict[str, str] = field(default_factory=dict)

    def by_code(self, code: str) -> Jurisdiction | None:
        return next((j for j in self.jurisdictions if j.code == code), None)

    def for_country(self, country: str | None) -> Jurisdiction | None:
        """The regime of an ISO country code (`GB-SCT` for Scotland before `GB`)."""
        if not country:
            return None
        country = country.upper()
        for jurisdiction in self.jurisdictions:
            if country in jurisdiction.countries:
                return jurisdiction
        return None

    def for_currency(self, currency: str | None) -> Jurisdiction | None:
        if not currency:
            return None
        currency = currency.upper()
        return next((j for j in self.jurisdictions if j.currency == currency), None)

    def jurisdiction_of(self, tender: NormalisedTender) -> Jurisdiction | None:
        """The regime by the tender's own country codes first, then by its currency."""
        for country in tender.countries:
            if isinstance(country, str) and (found := self.for_country(country)):
                return found
        return self.for_currency(tender.currency)


def contract_kind(cpv_codes: tuple[str, ...] | list[str], text: str = "") -> str:
    """`works`, `social` or `supplies_services` from the tender's main CPV code; without a
    code, from what the text says it buys (building works, youth work, social care...)."""
    for code in cpv_codes:
        if len(code) >= 3 and code[:3].isdigit():
            if code[:2] in WORKS_DIVISIONS:
                return "works"
            if code[:3] in _SOCIAL_GROUPS or code[:2] == "85":
                return "social"
            return "supplies_services"
    head = text[:3000]
    low = head.lower()
    if any(n in low for n in _WORKS_NEEDLES) and _WORKS_WORDS.search(head):
        return "works"
    if any(n in low for n in _SOCIAL_NEEDLES) and _SOCIAL_WORDS.search(head):
        return "social"
    return "supplies_services"


_WORKS_NEEDLES = ("works", "travaux", "bau", "lavori", "roboty", "obras", "bygge", "будівельн")
_SOCIAL_NEEDLES = ("youth", "care", "social", "foster", "safeguard", "day centre", "misuse")


# What a draft without codes says it buys. Works: construction trades and their names in the
# languages of the drafts; social (light-touch) services: care, youth and community work.
_WORKS_WORDS = re.compile(
    r"\b(?:construction works|building works|works contract|refurbishment works|"
    r"renovation works|travaux|Bauleistungen|Bauarbeiten|lavori(?: edili)?|roboty budowlane|"
    r"obras|byggearbeid\w*|будівельн\w* робіт)\b",
    re.IGNORECASE,
)
_SOCIAL_WORDS = re.compile(
    r"\b(?:youth work|youth services?|youth provision|social care|social work|domiciliary care|"
    r"residential care|supported living|supported housing|foster(?:ing)?|safeguarding|"
    r"care homes?|home care|day centres?|substance misuse|health ?care services?)\b",
    re.IGNORECASE,
)


def load_thresholds(path: Path, rates: RateTable | None = None) -> Thresholds:
    """Read the thresholds file; raises `ThresholdsError` naming the field that is wrong."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    version = data.get("rules_version")
    if not isinstance(version, str):
        raise ThresholdsError(f"{path}: rules_version missing")
    raw = data.get("jurisdictions")
    if not isinstance(raw, dict) or not raw:
        raise ThresholdsError(f"{path}: no [jurisdictions] table")
    unconfigured = data.get("unconfigured", {})
    if not isinstance(unconfigured, dict) or any(
        not isinstance(v, dict) or not isinstance(v.get("reason"), str) or not v["reason"]
        for v in unconfigured.values()
    ):
        raise ThresholdsError(f"{path}: every [unconfigured.XX] table needs a reason")
    return Thresholds(
        rules_version=version,
        jurisdictions=tuple(_jurisdiction(code, table, path) for code, table in raw.items()),
        rates=rates,
        unconfigured={str(k).upper(): str(v["reason"]) for k, v in unconfigured.items()},
    )


def _jurisdiction(code: str, table: dict[str, Any], path: Path) -> Jurisdiction:
    where = f"{path}: jurisdictions.{code}"
    citations = table.get("citations", {})
    if not isinstance(citations, dict) or any(
        k not in CITATION_KEYS or not isinstance(v, str) for k, v in citations.items()
    ):
        raise ThresholdsError(
            f"{where}.citations: keys must be among {', '.join(CITATION_KEYS)}, values text"
        )
    default_buyer = table.get("default_buyer")
    for buyer in (default_buyer, *table.get("buyer_types", [])):
        if buyer is not None and buyer not in BUYER_TYPES:
            raise ThresholdsError(f"{where}: unknown buyer type {buyer!r}")
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
        thresholds=tuple(_threshold(t, where) for t in table.get("thresholds", [])),
        law=str(table.get("law", "")),
        nation_names=tuple(str(n) for n in table.get("nation_names", [])),
        ceiling_follows_threshold=bool(table.get("ceiling_follows_threshold", False)),
        nations={
            name: _nation(name, entry, f"{where}.nations.{name}")
            for name, entry in (table.get("nations") or {}).items()
        },
        default_buyer=default_buyer,
        buyer_types=tuple(str(b) for b in table.get("buyer_types", [])),
        citations=dict(citations),
        members={
            key.upper(): _member(key.upper(), member, f"{where}.members.{key}")
            for key, member in table.get("members", {}).items()
        },
        buyers=_buyers(table, where),
    )


def _buyers(table: dict[str, Any], where: str) -> dict[str, BuyerRules]:
    """`[...buyers.utility]` tables: a buyer type's own citations, reasons duty and note."""
    found: dict[str, BuyerRules] = {}
    for buyer, entry in (table.get("buyers") or {}).items():
        here = f"{where}.buyers.{buyer}"
        if buyer not in BUYER_TYPES or not isinstance(entry, dict):
            raise ThresholdsError(f"{here}: unknown buyer type {buyer!r}")
        citations = entry.get("citations", {})
        if not isinstance(citations, dict) or any(
            k not in CITATION_KEYS or not isinstance(v, str) for k, v in citations.items()
        ):
            raise ThresholdsError(
                f"{here}.citations: keys must be among {', '.join(CITATION_KEYS)}, values text"
            )
        reasons = entry.get("reasons", "required")
        if reasons not in REASONS:
            raise ThresholdsError(f"{here}: reasons must be one of {', '.join(REASONS)}")
        note = entry.get("note")
        if reasons != "required" and not isinstance(note, str):
            raise ThresholdsError(f"{here}: reasons = {reasons!r} needs a note saying why")
        law = entry.get("law")
        found[buyer] = BuyerRules(
            citations=dict(citations),
            reasons=reasons,
            note=note,
            law=str(law) if law else None,
        )
    return found


def _threshold(table: dict[str, Any], where: str) -> Threshold:
    buyers = tuple(str(b) for b in table.get("buyers", []))
    unknown = [b for b in buyers if b not in BUYER_TYPES]
    if unknown:
        raise ThresholdsError(f"{where}: unknown buyer type {unknown[0]!r}")
    return Threshold(
        key=_text(table, "key", where),
        label=_text(table, "label", where),
        amount=_decimal(table, "amount", where),
        kinds=tuple(str(k) for k in table.get("kinds", ["supplies_services"])),
        procedure=_text(table, "procedure", where),
        source=_text(table, "source", where),
        buyers=buyers,
    )


def _nation(name: str, table: dict[str, Any], where: str) -> Nation:
    citations = table.get("citations", {})
    if not isinstance(citations, dict) or any(
        k not in CITATION_KEYS or not isinstance(v, str) for k, v in citations.items()
    ):
        raise ThresholdsError(f"{where}.citations: keys must be among {', '.join(CITATION_KEYS)}")
    return Nation(name=name, code=_text(table, "code", where), citations=dict(citations))


def _member(code: str, table: dict[str, Any], where: str) -> Member:
    rate = _decimal(table, "rate", where) if "rate" in table else None
    if rate is not None and not table.get("rate_source"):
        raise ThresholdsError(f"{where}: a rate needs its rate_source")
    return Member(
        code=code,
        name=_text(table, "name", where),
        lots_duty=table.get("lots_duty"),
        currency=str(table["currency"]).upper() if table.get("currency") else None,
        rate=rate,
        rate_source=table.get("rate_source"),
        eea=bool(table.get("eea", False)),
        lots_always=table.get("lots_always"),
        buyers=_buyers(table, where),
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
