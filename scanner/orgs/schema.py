"""One organisation profile as a person writes it (TOML, JSON or CSV), validated.

The agreed format is /docs/organisations.md. Unknown fields are errors (a misspelt `emials`
must not pass silently). List fields also accept one string of items separated by ";" (how
CSV writes them). Lists are kept in order without blanks or repeats.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from scanner.orgs.amounts import parse_typed_amount
from scanner.orgs.codes import check_email, check_naics
from scanner.orgs.words import cpv_entry, region_entry

__all__ = ["FIELD_ORDER", "LIST_FIELDS", "MONEY_FIELDS", "OrganisationProfile"]

OpenSource = Literal["always", "preferred", "no preference"]
Digest = Literal["daily", "weekly", "never"]
ReservedKind = Literal["sheltered_workshop", "social_enterprise", "public_service_mission"]

LIST_SEPARATOR = ";"
_SLUG_RE = r"^[a-z0-9-]{2,64}$"
_CURRENCY_RE = re.compile(r"[A-Z]{3}")


def _split_list(value: Any) -> Any:
    """A ";"-separated string becomes a list; lists lose blank items and repeated text."""
    if isinstance(value, str):
        value = value.split(LIST_SEPARATOR)
    if not isinstance(value, list | tuple):
        return value
    items: list[Any] = []
    for item in value:
        if isinstance(item, str):
            item = item.strip()
            if not item or item in items:
                continue
        items.append(item)
    return items


def _text_item(value: str) -> str:
    if LIST_SEPARATOR in value:
        raise ValueError(f"{value!r} contains ';', which separates list items")
    if len(value) > 200:
        raise ValueError(f"{value[:40]!r}... is longer than 200 characters")
    return value


def _code_text(value: Any) -> Any:
    """CPV codes must be written as text: a number has lost its leading zero ("03...")."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(f"{value} must be quoted: as a number a CPV code loses leading zeros")
    return value


def _naics_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class _CurrencyConflict(str):
    """An amount typed in another currency than the profile's; `_money` refuses it."""


def _money(value: Any) -> Any:
    """Amounts as people type them ("150000", "150,000", "£5k", "€1.2m"; see
    `scanner.orgs.amounts`); exact decimals to the cent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, _CurrencyConflict):
        raise ValueError(str(value))
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool) and value < 0:
        raise ValueError(f"{value} is negative")
    amount = parse_typed_amount(value).amount
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{value} has more than 2 decimal places")
    return amount


def _kind(value: Any) -> Any:
    """ "Sheltered workshop", "sheltered-workshop" -> "sheltered_workshop"."""
    if isinstance(value, str):
        return "_".join(value.strip().lower().replace("-", " ").replace("_", " ").split())
    return value


def _choice(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.strip().lower().replace("-", " ").replace("_", " ").split())
    return value


TextItem = Annotated[str, AfterValidator(_text_item)]
TextList = Annotated[tuple[TextItem, ...], BeforeValidator(_split_list)]
EmailList = Annotated[
    tuple[Annotated[str, AfterValidator(check_email)], ...],
    BeforeValidator(_split_list),
    Field(min_length=1),
]
CpvList = Annotated[
    tuple[Annotated[str, BeforeValidator(_code_text), AfterValidator(cpv_entry)], ...],
    BeforeValidator(_split_list),
]
NaicsList = Annotated[
    tuple[Annotated[str, BeforeValidator(_naics_text), AfterValidator(check_naics)], ...],
    BeforeValidator(_split_list),
]
RegionList = Annotated[
    tuple[Annotated[str, AfterValidator(region_entry)], ...], BeforeValidator(_split_list)
]
Money = Annotated[Decimal | None, BeforeValidator(_money)]

FIELD_ORDER = (
    "id", "name", "emails", "description", "capabilities", "keywords", "exclusions", "cpv",
    "naics", "regions", "national", "remote", "value_min", "value_max", "currency", "turnover",
    "team_size", "certifications", "open_source", "digest", "active", "listed", "language",
    "reserved_eligible",
)  # fmt: skip
LIST_FIELDS = frozenset(
    {
        "emails", "keywords", "exclusions", "cpv", "naics", "regions", "certifications",
        "reserved_eligible",
    }
)  # fmt: skip
MONEY_FIELDS = frozenset({"value_min", "value_max", "turnover"})


class OrganisationProfile(BaseModel):
    """A validated profile. Pass `context={"currencies": {...}}` to `model_validate` to refuse
    currencies without a reference rate."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str = Field(pattern=_SLUG_RE, description="Slug: 2-64 of a-z, 0-9 and '-'.")
    name: str = Field(min_length=1, max_length=200)
    emails: EmailList
    description: str = Field(default="", max_length=10_000)
    capabilities: str = Field(default="", max_length=10_000)
    keywords: TextList = ()
    exclusions: TextList = ()
    cpv: CpvList = ()
    naics: NaicsList = ()
    regions: RegionList = ()
    national: bool = False
    remote: bool = True
    value_min: Money = None
    value_max: Money = None
    currency: str = "GBP"
    turnover: Money = None
    team_size: int | None = Field(default=None, ge=1, le=1_000_000)
    certifications: TextList = ()
    open_source: Annotated[OpenSource, BeforeValidator(_choice)] = "no preference"
    digest: Annotated[Digest, BeforeValidator(_choice)] = "weekly"
    active: bool = True
    # Consent to be named to procurement officers in market depth; anonymous visitors and
    # organisations only ever see counts.
    listed: bool = False
    language: str | None = Field(
        default=None,
        pattern=r"^[a-z]{2}$",
        description="ISO 639-1 code of the language the profile is written in; detected "
        "from its text when absent.",
    )
    # What a reserved contract (Directive 2014/24/EU Art. 20 and 77) may be reserved to that
    # the organisation is; without it, reserved notices rank lower with the reason said.
    reserved_eligible: Annotated[
        tuple[Annotated[ReservedKind, BeforeValidator(_kind)], ...], BeforeValidator(_split_list)
    ] = ()

    @model_validator(mode="before")
    @classmethod
    def _currency_from_amounts(cls, data: Any) -> Any:
        """An amount typed with its currency ("€1.2m") sets the currency when none is given;
        one that disagrees with the given currency is refused on its own field."""
        if not isinstance(data, dict):
            return data
        typed: dict[str, str] = {}
        for name in MONEY_FIELDS:
            value = data.get(name)
            if isinstance(value, str) and value.strip():
                try:
                    found = parse_typed_amount(value).currency
                except ValueError:
                    continue  # refused with its reason by `_money`
                if found:
                    typed[name] = found
        if not typed:
            return data
        given = data.get("currency")
        wanted = given.strip().upper() if isinstance(given, str) and given.strip() else None
        data = dict(data)
        if wanted is None:
            if len(set(typed.values())) == 1:
                data["currency"] = next(iter(typed.values()))
                return data
            wanted = typed.get("value_min") or next(iter(typed.values()))
        for name, currency in typed.items():
            if currency != wanted:
                data[name] = _CurrencyConflict(
                    f"{data[name]!r} is in {currency} but the currency is {wanted}; "
                    "write every amount in one currency"
                )
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL cannot store NUL in text (SQLite can): refuse it on both, as this record's
        # error rather than the import's failure.
        texts = value if isinstance(value, list | tuple) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise ValueError("text contains a NUL character (\\u0000)")
        return value

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("national")
    @classmethod
    def _national_needs_a_country(cls, value: bool, info: ValidationInfo) -> bool:
        if value and "regions" in info.data and not info.data["regions"]:
            raise ValueError("national = true needs a country (or region) in `regions`")
        return value

    @field_validator("value_max")
    @classmethod
    def _max_not_below_min(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        low = info.data.get("value_min")
        if value is not None and low is not None and value < low:
            raise ValueError(f"{value} is below value_min {low}")
        return value

    @field_validator("language", mode="before")
    @classmethod
    def _language_lower(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip().lower() or None
        return value

    @field_validator("currency", mode="before")
    @classmethod
    def _currency_upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("currency")
    @classmethod
    def _currency_known(cls, value: str, info: ValidationInfo) -> str:
        if _CURRENCY_RE.fullmatch(value) is None:
            raise ValueError(f"{value!r} is not an ISO 4217 currency code such as GBP or EUR")
        known = (info.context or {}).get("currencies")
        if known is not None and value not in known:
            raise ValueError(
                f"no reference rate for {value} in the rates file (known: {', '.join(sorted(known))})"
            )
        return value

    def export_dict(self) -> dict[str, Any]:
        """Every field in the documented order, lists as lists, money as Decimal or None."""
        data = self.model_dump()
        return {name: _plain(data[name]) for name in FIELD_ORDER}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
