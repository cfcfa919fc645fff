"""The law that applies to one tender: regime, buyer type, threshold, and comparable values.

Put together once per assessment from the buyer's place and type (never from the currency
alone), so every signal cites the same regime and every amount is compared in one currency.
A country without configured rules still gets a structural proposal, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from scanner.ingest.tender import NormalisedTender
from scanner.splitter.buyers import Buyer, buyer_of
from scanner.splitter.facts import sane_value
from scanner.splitter.place import Place, place_of
from scanner.splitter.thresholds import (
    BuyerRules,
    Jurisdiction,
    Member,
    Threshold,
    Thresholds,
    by_analogy,
    contract_kind,
)
from scanner.splitter.types import Regime

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Law:
    """What the rules need: the regime (None: no rules for this country), the member state, the
    buyer type used for thresholds (stated, read or assumed), and the rate from the tender's
    currency to the regime's (`rate` None: values cannot be compared)."""

    jurisdiction: Jurisdiction | None
    member: Member | None
    place: Place
    buyer: Buyer
    buyer_type: str | None
    assumed: bool
    kind: str
    rate: Decimal | None
    rate_note: str | None
    no_rules: str | None
    regulated: Threshold | None = None

    def cite(self, key: str) -> str:
        """The provision behind a rule here, or the closest one elsewhere "by analogy"."""
        if self.jurisdiction is None:
            return f"{self.no_rules}; {by_analogy(key)}" if self.no_rules else by_analogy(key)
        return self.jurisdiction.cite(key, self.member, self.place.name, self.buyer_type)

    @property
    def reasons(self) -> str:
        """Whether this buyer must give reasons for not dividing into lots: "required" (the
        regime's general duty), "not required", or "check" (not established here)."""
        rules = self._buyer_rules()
        return rules.reasons if rules is not None else "required"

    @property
    def reasons_note(self) -> str | None:
        """Why, for a buyer type with a lots rule of its own (a utility), in one sentence."""
        rules = self._buyer_rules()
        return rules.note if rules is not None else None

    @property
    def law_name(self) -> str | None:
        """The statute this buyer buys under: a utility's own where the file has it."""
        if self.jurisdiction is None:
            return None
        rules = self._buyer_rules()
        return rules.law if rules is not None and rules.law else self.jurisdiction.law

    def _buyer_rules(self) -> BuyerRules | None:
        if self.jurisdiction is None:
            return None
        return self.jurisdiction.buyer_rules(self.buyer_type, self.member)

    @property
    def code(self) -> str | None:
        """The regime code, a nation's own where it has provisions of its own (`UK-WLS`)."""
        return self.jurisdiction.code_for(self.place.name) if self.jurisdiction else None

    def in_regime_currency(self, amount: Decimal | None) -> Decimal | None:
        """An amount in the tender's currency expressed in the regime's, when comparable."""
        if amount is None or self.rate is None:
            return None
        return amount if self.rate == 1 else (amount / self.rate).quantize(CENT)

    def in_tender_currency(self, amount: Decimal) -> Decimal | None:
        """A regime amount (a threshold, the ceiling) in the tender's currency."""
        if self.rate is None:
            return None
        return amount if self.rate == 1 else (amount * self.rate).quantize(Decimal(1))

    @property
    def ceiling_amount(self) -> Decimal | None:
        """The micro-contract ceiling in the regime's currency: for goods and services the
        threshold of this buyer type where the regime says so (a council's band runs to the
        sub-central threshold), else the configured ceiling."""
        if self.jurisdiction is None:
            return None
        threshold = self.threshold()
        if (
            self.jurisdiction.ceiling_follows_threshold
            and threshold is not None
            and self.kind == "supplies_services"
        ):
            return threshold.amount
        return self.jurisdiction.micro_ceiling

    @property
    def ceiling_basis(self) -> str:
        if self.jurisdiction is None:
            return ""
        threshold = self.threshold()
        if self.ceiling_amount != self.jurisdiction.micro_ceiling and threshold is not None:
            return f"the size below the {threshold.label}"
        return self.jurisdiction.ceiling_basis

    @property
    def ceiling(self) -> Decimal | None:
        """The micro-contract ceiling in the tender's currency (None: not comparable)."""
        amount = self.ceiling_amount
        return None if amount is None else self.in_tender_currency(amount)

    def threshold(self) -> Threshold | None:
        """The one threshold above which the full regime (and the lots duty) applies to this
        buyer type and contract kind."""
        return self.regulated

    def named(self, threshold: Threshold | None) -> Threshold | None:
        """A threshold under the name it has for this buyer: in an EEA state the EU
        thresholds apply through the EEA Agreement, as the EEA thresholds."""
        if threshold is None or self.member is None or not self.member.eea:
            return threshold
        label = threshold.label.removeprefix("EU ").removesuffix(" threshold")
        label = label.replace("sub-central", "sub-central authorities").replace(
            "central government", "central government authorities"
        )
        return replace(threshold, label=f"EEA threshold for {label}")


def law_of(
    tender: NormalisedTender,
    text: str,
    codes: list[str],
    thresholds: Thresholds,
    on: date,
) -> Law:
    """Regime, buyer type and currency rate for one tender."""
    buyer_hint = tender.buyer_name
    place = place_of(tender, text, buyer_hint)
    buyer = buyer_of(tender, text, place.country)
    if place.nation is None and buyer.name and buyer.name != buyer_hint:
        place = place_of(tender, text, buyer.name)  # a buyer named in the text may show the nation
    jurisdiction, no_rules = _jurisdiction(place, buyer, tender.currency, thresholds)
    member = jurisdiction.members.get(place.country or "") if jurisdiction else None
    buyer_type, assumed = buyer.type, False
    if jurisdiction is not None and (buyer_type is None or buyer_type == "state or local"):
        buyer_type, assumed = jurisdiction.default_buyer, True
    value, _ = sane_value(tender.value_amount)
    rate, note = _rate(tender.currency, jurisdiction, member, thresholds, on, value)
    kind = contract_kind(codes, text)
    law = Law(
        jurisdiction=jurisdiction,
        member=member,
        place=place,
        buyer=buyer,
        buyer_type=buyer_type,
        assumed=assumed,
        kind=kind,
        rate=rate,
        rate_note=note,
        no_rules=no_rules,
    )
    if jurisdiction is None:
        return law
    # Every signal asks for it: found once.
    return replace(law, regulated=law.named(jurisdiction.regulated_threshold(kind, buyer_type)))


def _jurisdiction(
    place: Place, buyer: Buyer, currency: str | None, thresholds: Thresholds
) -> tuple[Jurisdiction | None, str | None]:
    if place.country is not None:
        found = thresholds.for_country(place.nation) if place.nation else None
        found = found or thresholds.for_country(place.country)
        if found is None:
            why = thresholds.unconfigured.get(place.country.upper())
            return None, f"no threshold rules for {place.name}" + (f": {why}" if why else "")
    else:
        found = thresholds.for_currency(currency)
        if found is None:
            return None, "no threshold rules for this country (the buyer's country is not known)"
    if found.buyer_types and buyer.type == "state or local":
        return None, (
            f"no threshold rules for this buyer: {found.name} rules cover "
            f"{', '.join(found.buyer_types)} buyers only, and state and local governments "
            "have their own procurement codes"
        )
    return found, None


def _rate(
    currency: str | None,
    jurisdiction: Jurisdiction | None,
    member: Member | None,
    thresholds: Thresholds,
    on: date,
    value: Decimal | None = None,
) -> tuple[Decimal | None, str | None]:
    """Units of the tender's currency per unit of the regime's, and how it was found."""
    currency = (currency or "").upper() or None
    if jurisdiction is None:
        if currency is None:
            return None, None
        rates = thresholds.rates
        if rates is None or currency not in rates.currencies or "EUR" not in rates.currencies:
            return None, f"value not comparable: no exchange rate for {currency} on file"
        if value is None or currency == "EUR":
            return None, None
        # No thresholds to compare with, but a sense of size for a reader elsewhere.
        table_date, table = rates.table_for(on)
        euros = (value / table[currency] * table["EUR"]).quantize(Decimal(1))
        return None, (
            f"about EUR {euros:,.0f} at the reference rate of {table_date.isoformat()} "
            "(config/rates.toml), for a sense of size only"
        )
    target = jurisdiction.currency
    if currency is None or currency == target:
        return Decimal(1), None
    if member is not None and member.currency == currency and member.rate is not None:
        return member.rate, f"converted at the published rate: {member.rate_source}"
    rates = thresholds.rates
    if rates is not None and {currency, target} <= rates.currencies:
        table_date, table = rates.table_for(on)
        rate = table[currency] / table[target]
        return rate, (
            f"converted approximately at the reference rate of {table_date.isoformat()} "
            f"(config/rates.toml, {rate:.4g} {currency} per {target}); the published "
            "national-currency thresholds are what count"
        )
    return None, (
        f"value not comparable: no exchange rate from {currency} to {target} on file, so the "
        f"{jurisdiction.name} thresholds were not applied"
    )


def regime_of(law: Law, value: Decimal | None) -> Regime:
    """The output record of the law that applied, for the note, storage and the web page."""
    threshold = law.threshold()
    converted = law.in_regime_currency(value)
    above = None if threshold is None or converted is None else converted >= threshold.amount
    if law.jurisdiction is None:
        basis = law.buyer.basis or "not shown in the notice"
    elif law.assumed:
        shown = law.buyer.basis and law.buyer.type == "state or local"
        basis = (
            f"not shown in the notice: {law.buyer_type} assumed (the lowest threshold, the "
            "conservative reading)"
            if not shown
            else f"{law.buyer.basis}; {law.buyer_type} assumed"
        )
    else:
        basis = law.buyer.basis or ""
    value_note = law.rate_note
    if value is None:
        value_note = "no estimated value: thresholds not compared"
    return Regime(
        country=law.place.nation or law.place.country,
        place=law.place.name,
        place_basis=law.place.basis,
        law=law.law_name,
        buyer_name=law.buyer.name,
        buyer_type=law.buyer_type if law.jurisdiction else law.buyer.type,
        buyer_type_basis=basis,
        threshold=threshold.label if threshold else None,
        threshold_amount=threshold.amount if threshold else None,
        threshold_currency=law.jurisdiction.currency if law.jurisdiction else None,
        threshold_source=threshold.source if threshold else None,
        above_threshold=above,
        value_in_threshold_currency=converted if converted != value else None,
        value_note=value_note,
        lots_duty=law.cite("lots_duty"),
        lots_reasons=law.reasons_note,
        no_rules=law.no_rules,
        code=law.code,
        threshold_in_tender_currency=(
            law.in_tender_currency(threshold.amount)
            if threshold is not None and law.rate not in (None, Decimal(1))
            else None
        ),
    )
