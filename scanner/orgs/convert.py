"""A validated profile as the plain `matchers.types.OrgProfile` the matchers score against:
CPV as significant digits, countries derived from the regions, money in the reporting currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from matchers.types import OrgProfile
from scanner.orgs.codes import countries_of_regions, cpv_prefix
from scanner.orgs.rates import RateTable
from scanner.orgs.schema import OrganisationProfile

__all__ = ["ConversionError", "in_reader_currency", "reader_rate", "to_org_profile", "to_reader"]


class ConversionError(ValueError):
    """Money in a currency the rate table cannot convert."""


def to_org_profile(
    profile: OrganisationProfile, rates: RateTable | None = None, *, on: date | None = None
) -> OrgProfile:
    """The matcher's view of `profile`. Amounts not in the reporting currency are converted with
    `rates` (required then) at the table in force `on` (default: the latest table).

    CPV interests lose their check digit and the zeros that pad a level ("72200000-7" -> "722"),
    so a prefix test matches the whole group; repeats are dropped. The profile's language is
    the one it states, else the one its text is detected to be in; money is shown to it in its
    own currency (`currency_rate` from `rates` on the same day)."""
    money = _money_converter(profile, rates, on)
    currency, rate = _reader_currency(profile.currency, rates, on)
    return OrgProfile(
        language=profile.language or profile_language(profile),
        currency=currency,
        currency_rate=rate,
        id=profile.id,
        name=profile.name,
        description=profile.description,
        capabilities=profile.capabilities,
        keywords=profile.keywords,
        exclusions=profile.exclusions,
        cpv=tuple(dict.fromkeys(cpv_prefix(code) for code in profile.cpv)),
        naics=profile.naics,
        regions=profile.regions,
        countries=countries_of_regions(profile.regions),
        national=profile.national,
        remote=profile.remote,
        value_min=money(profile.value_min),
        value_max=money(profile.value_max),
        turnover=money(profile.turnover),
        team_size=profile.team_size,
        certifications=profile.certifications,
        open_source=profile.open_source,
        reserved_eligible=profile.reserved_eligible,
    )


def profile_language(profile: OrganisationProfile) -> str | None:
    """The language a profile is written in (its description, capabilities and keywords),
    for reading it with the right stemmer; English when the text is too short to tell."""
    text = " ".join((profile.description, profile.capabilities, "; ".join(profile.keywords)))
    return _language_of(text)


@lru_cache(maxsize=4096)
def _language_of(text: str) -> str:
    """Kept per text: every refresh of matches reads every active profile again, and their
    text rarely changes between refreshes (detection was 2.9 s of a 31-profile refresh)."""
    from matchers.detect import detect

    return detect(text) or "en"


def _reader_currency(currency: str, rates: RateTable | None, on: date | None) -> tuple[str, float]:
    """The currency a profile is shown money in, and its units per unit of the reporting
    currency. A currency the rates cannot reach is not claimed: its reader is shown the
    reporting currency (rate 1), never reporting-currency figures labelled as its own."""
    reporting = rates.reporting if rates is not None else "GBP"
    rate = reader_rate(currency, rates, on) if rates is not None else None
    if rate is None:
        return (currency, 1.0) if currency == reporting else (reporting, 1.0)
    return currency, rate


def reader_rate(currency: str, rates: RateTable | None, on: date | None) -> float | None:
    """Units of `currency` per unit of the reporting currency by the table in force `on` (the
    latest table when None); 1 for the reporting currency itself, None when no rate is known."""
    if rates is None or currency == rates.reporting:
        return 1.0
    try:
        one = rates.convert(
            Decimal(1_000_000), rates.reporting, on=on or rates.tables[-1][0], to=currency
        )
    except KeyError:
        return None
    return float(one) / 1_000_000


def in_reader_currency(reporting: Decimal, rate: float) -> Decimal:
    """An amount of the reporting currency in a reader's (`rate` units of it per unit), to the
    cent: how every amount a matched organisation reads is converted."""
    return (reporting * Decimal(repr(rate))).quantize(Decimal("0.01"))


def to_reader(
    amount: Decimal, currency: str, reader: str, rates: RateTable, *, on: date
) -> Decimal | None:
    """`amount` in `currency` as a reader of `reader` currency is shown it: the matcher's rule,
    through the reporting currency with the table in force `on`, then the reader's rate of the
    same day (`lotwise match --json` gives the same figures). None when either has no rate."""
    currency, reader = currency.upper(), reader.upper()
    if currency == reader:
        return amount
    try:
        reporting = rates.convert(amount, currency, on=on)
    except (KeyError, ArithmeticError):
        return None
    rate = reader_rate(reader, rates, on)
    return None if rate is None else in_reader_currency(reporting, rate)


def _money_converter(
    profile: OrganisationProfile, rates: RateTable | None, on: date | None
) -> _Converter:
    if rates is None:
        if profile.currency != "GBP" and _has_money(profile):
            raise ConversionError(
                f"{profile.id}: amounts in {profile.currency} need a rate table to become GBP"
            )
        return _Converter(None, profile.currency, date.max)
    if profile.currency not in rates.currencies and _has_money(profile):
        raise ConversionError(f"{profile.id}: no reference rate for {profile.currency}")
    return _Converter(rates, profile.currency, on or rates.tables[-1][0])


def _has_money(profile: OrganisationProfile) -> bool:
    return any(v is not None for v in (profile.value_min, profile.value_max, profile.turnover))


class _Converter:
    def __init__(self, rates: RateTable | None, currency: str, on: date) -> None:
        self.rates, self.currency, self.on = rates, currency, on

    def __call__(self, amount: Decimal | None) -> Decimal | None:
        if amount is None or self.rates is None:
            return amount
        return self.rates.convert(amount, self.currency, on=self.on)
