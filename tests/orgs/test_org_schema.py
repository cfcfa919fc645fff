"""Profile validation: each kind of bad value is refused with the record, id and field named;
good values are normalised; a profile converts to the matchers' OrgProfile with money in GBP."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from scanner.orgs import (
    ConversionError,
    RatesError,
    RecordError,
    load_rates,
    to_org_profile,
    validate_records,
)
from scanner.orgs.codes import check_region, countries_of_regions, cpv_prefix
from scanner.orgs.rates import parse_rates
from scanner.settings import PROJECT_ROOT

RATES = load_rates(PROJECT_ROOT / "config" / "rates.toml")


def record(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "fieldwork-research-coop",
        "name": "Fieldwork Research Co-op",
        "emails": ["bids@fieldwork.example"],
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


def errors_of(*records: dict[str, Any], currencies: set[str] | None = None) -> list[RecordError]:
    return validate_records(list(records), currencies=currencies).errors


def only_error(**changes: Any) -> RecordError:
    errors = errors_of(record(**changes))
    assert len(errors) == 1, errors
    return errors[0]


def test_minimal_profile_takes_the_documented_defaults() -> None:
    result = validate_records([record()])
    assert result.errors == []
    profile = result.profiles[0]
    assert (profile.currency, profile.digest, profile.open_source) == (
        "GBP",
        "weekly",
        "no preference",
    )
    assert profile.active and profile.remote and not profile.national


@pytest.mark.parametrize(
    ("address", "ok"),
    [
        ("bids@fieldwork.example", True),
        ("first.last+tenders@sub.example.org", True),
        ("o'brien@example.co.uk", True),
        ("bids@", False),
        ("@example.org", False),
        ("two@@example.org", False),
        ("no-domain-dot@localhost", False),
        ("dot.@example.org", False),
        ("spaces in@example.org", False),
        ("x@-bad-.example", False),
    ],
)
def test_email_addresses_are_checked(address: str, ok: bool) -> None:
    errors = errors_of(record(emails=["good@example.org", address]))
    if ok:
        assert errors == []
    else:
        assert [(e.record, e.record_id, e.field) for e in errors] == [
            (1, "fieldwork-research-coop", "emails[2]")
        ]
        assert address in errors[0].message and "e-mail" in errors[0].message


def test_at_least_one_email_is_required() -> None:
    error = only_error(emails=[])
    assert error.field == "emails" and "at least one" in error.message
    assert only_error(emails=None).message == "required"


@pytest.mark.parametrize("code", ["72", "722", "7931", "72200000", "72200000-7", " 03000000 "])
def test_cpv_at_any_level_is_accepted(code: str) -> None:
    assert errors_of(record(cpv=[code])) == []


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("7", "not a CPV code"),
        ("722000001", "not a CPV code"),
        ("72A", "not a CPV code"),
        ("7220-1", "check digit follows all 8 digits"),
        ("72200000-77", "not a CPV code"),
        ("27000000", "27 is not a CPV division"),
        ("00", "00 is not a CPV division"),
    ],
)
def test_malformed_cpv_is_refused_naming_the_code(code: str, fragment: str) -> None:
    error = only_error(cpv=["72", code])
    assert error.field == "cpv[2]" and fragment in error.message and repr(code) in error.message


def test_cpv_written_as_a_number_must_be_quoted() -> None:
    error = only_error(cpv=[3000000])
    assert error.field == "cpv[1]" and "quoted" in error.message


def test_naics_sector_and_length_are_checked() -> None:
    assert errors_of(record(naics=["54", "541511", 5415])) == []
    assert "not a NAICS code" in only_error(naics=["5415111"]).message
    assert "17 is not a NAICS sector" in only_error(naics=["1711"]).message


@pytest.mark.parametrize(
    "region", ["GB", "uk", "EL", "UKI", "UKI3", "TLC", "tln0", "DE21", "FR101", "UA-46", "us-ca"]
)
def test_known_regions_and_countries_are_accepted(region: str) -> None:
    assert errors_of(record(regions=[region])) == []


@pytest.mark.parametrize(
    ("region", "fragment"),
    [
        ("ZZ", "not a known country code"),
        ("XX1", "XX is not a NUTS country"),
        ("US1", "US is not a NUTS country"),
        ("UKA", "UKC to UKN"),
        ("TLZ", "TLC to TLN"),
        ("UKI31X", "not a region code"),
        ("U", "not a region code"),
        ("UK-I", "not a region code"),
        ("ZZ-1", "not a region code"),
    ],
)
def test_unknown_regions_are_refused(region: str, fragment: str) -> None:
    error = only_error(regions=["UKI", region])
    assert error.field == "regions[2]" and fragment in error.message


def test_regions_are_upper_cased_and_countries_derived() -> None:
    assert check_region(" uki3 ") == "UKI3"
    assert countries_of_regions(("UKI3", "TLC", "EL30", "uk".upper(), "EL", "DE3", "PL")) == (
        "GB",
        "GR",
        "DE",
        "PL",
    )


def test_min_above_max_names_value_max() -> None:
    error = only_error(value_min=200000, value_max="150,000")
    assert error.field == "value_max" and "150000 is below value_min 200000" in error.message


@pytest.mark.parametrize(
    ("value", "fragment"),
    [(-5, "negative"), ("lots", "not an amount"), ("10.005", "2 decimal places"), (True, "amount")],
)
def test_money_must_be_a_plain_amount(value: object, fragment: str) -> None:
    error = only_error(turnover=value)
    assert error.field == "turnover" and fragment in error.message


def test_currency_shape_and_rate_availability() -> None:
    assert "ISO 4217" in only_error(currency="pounds").message
    assert validate_records([record(currency="eur")]).profiles[0].currency == "EUR"
    errors = errors_of(record(currency="XOF"), currencies=set(RATES.currencies))
    assert errors[0].field == "currency" and "no reference rate for XOF" in errors[0].message


def test_slug_choices_and_unknown_fields_are_named() -> None:
    error = only_error(id="Fieldwork Co-op")
    assert error.field == "id" and error.record_id == "Fieldwork Co-op" and "slug" in error.message
    assert "'hourly'" in only_error(digest="hourly").message
    assert validate_records([record(open_source="No-Preference")]).profiles[0].open_source == (
        "no preference"
    )
    error = only_error(emials=["x@example.org"])
    assert error.field == "emials" and "unknown field" in error.message
    assert only_error(team_size=0).field == "team_size"


def test_national_needs_a_country() -> None:
    assert "needs a country" in only_error(national=True).message
    assert errors_of(record(national=True, regions=["GB"])) == []


def test_list_items_are_trimmed_deduplicated_and_may_come_as_one_string() -> None:
    profile = validate_records([record(keywords=" open data ; api;;open data", cpv="72;48")])
    assert profile.profiles[0].keywords == ("open data", "api")
    assert profile.profiles[0].cpv == ("72", "48")
    error = only_error(keywords=["ok", "a;b"])
    assert error.field == "keywords[2]" and "contains ';'" in error.message
    assert only_error(keywords=[["not", "text"]]).field == "keywords[1]"


def test_every_problem_of_every_record_is_reported_at_once() -> None:
    records = [
        record(id="good-one"),
        record(id="bad-one", emails=["nope"], cpv=["99999999"], value_min=9, value_max=1),
        record(id="good-one"),
        "not a table",
    ]
    result = validate_records(records)
    assert [p.id for p in result.profiles] == ["good-one"]
    found = [(e.record, e.record_id, e.field) for e in result.errors]
    assert found == [
        (2, "bad-one", "emails[1]"),
        (2, "bad-one", "cpv[1]"),
        (2, "bad-one", "value_max"),
        (3, "good-one", "id"),
        (4, None, "(record)"),
    ]
    assert "repeats the id of record 1" in result.errors[3].message
    assert str(result.errors[0]).startswith("record 2 (bad-one): emails[1]: ")


def test_cpv_prefix_drops_check_digit_and_level_padding() -> None:
    cases = {"72200000-7": "722", "03000000": "03", "30000000": "30", "79311000": "79311"}
    assert {code: cpv_prefix(code) for code in cases} == cases
    assert cpv_prefix("72212100-0") == "722121" and cpv_prefix("7931") == "7931"


def test_conversion_keeps_gbp_and_derives_countries() -> None:
    profile = validate_records(
        [record(cpv=["72200000-7", "722", "79311000"], regions=["UKI", "TLC", "FR1"])]
    ).profiles[0]
    converted = to_org_profile(profile)
    assert converted.cpv == ("722", "79311")
    assert converted.countries == ("GB", "FR")
    assert converted.regions == ("UKI", "TLC", "FR1")


def test_conversion_turns_other_currencies_into_gbp_with_the_dated_table() -> None:
    profile = validate_records(
        [record(currency="EUR", value_min=10000, value_max=100000)]
    ).profiles[0]
    latest = to_org_profile(profile, RATES)
    _, table = RATES.tables[-1]
    assert latest.value_min == (Decimal(10000) / table["EUR"] * table["GBP"]).quantize(
        Decimal("0.01")
    )
    older = to_org_profile(profile, RATES, on=RATES.tables[0][0])
    assert older.value_min != latest.value_min  # the rate differs between the two dates
    assert latest.value_min is not None and Decimal(7000) < latest.value_min < Decimal(9500)
    with pytest.raises(ConversionError, match="EUR"):
        to_org_profile(profile)


def test_rate_table_picks_the_latest_table_on_or_before_the_day() -> None:
    first, last = RATES.tables[0][0], RATES.tables[-1][0]
    assert RATES.table_for(last)[0] == last
    assert RATES.table_for(date(1999, 1, 1))[0] == first
    if len(RATES.tables) > 1:
        second = RATES.tables[1][0]
        assert RATES.table_for(first + (second - first) / 2)[0] == first
    assert {"EUR", "GBP", "USD"} <= RATES.currencies
    assert RATES.convert(Decimal(100), "GBP", on=last, to="GBP") == Decimal(100)


def test_bad_rates_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RatesError, match="no \\[\\[rates\\]\\] tables"):
        parse_rates({"base": "EUR"})
    with pytest.raises(RatesError, match="must be 1"):
        parse_rates({"rates": [{"date": date(2024, 1, 1), "EUR": 2, "GBP": 1}]})
    with pytest.raises(RatesError, match="positive"):
        parse_rates({"rates": [{"date": date(2024, 1, 1), "EUR": 1, "GBP": -1}]})
    with pytest.raises(RatesError, match="reporting currency GBP"):
        parse_rates({"rates": [{"date": date(2024, 1, 1), "EUR": 1, "USD": "1.1"}]})
    with pytest.raises(RatesError, match="'Euro' is not an ISO 4217"):
        parse_rates({"rates": [{"date": date(2024, 1, 1), "EUR": 1, "Euro": 1}]})
    with pytest.raises(RatesError, match="not found"):
        load_rates(tmp_path / "missing.toml")


def test_iso_subdivisions_give_their_country() -> None:
    assert countries_of_regions(("UA-46", "US-CA")) == ("UA", "US")


def test_a_profile_naming_regions_is_told_what_an_unstated_remote_means() -> None:
    result = validate_records(
        [record(regions=["UKI"]), record(id="b-org", regions=["UKI"], remote=False)]
    )
    assert [n.record_id for n in result.notes] == ["fieldwork-research-coop"]
    assert "ranked below work inside them" in result.notes[0].message
    assert validate_records([record()]).notes == []  # no regions: nothing to choose


def test_language_is_stated_or_detected() -> None:
    stated = validate_records([record(language=" IT ")]).profiles[0]
    assert stated.language == "it" and to_org_profile(stated).language == "it"
    italian = record(description="Cooperativa sociale che cura la manutenzione del verde pubblico")
    assert to_org_profile(validate_records([italian]).profiles[0]).language == "it"
    assert to_org_profile(validate_records([record()]).profiles[0]).language == "en"
    assert "language" in only_error(language="italian").field


def test_legacy_euro_currencies_convert_at_their_fixed_rates() -> None:
    """Bulgaria's lev (euro since 2026) and Croatia's kuna (2023) carry irrevocably fixed
    conversion rates: notices published in them are read, not left unconverted."""
    day = RATES.tables[-1][0]
    assert RATES.convert(Decimal("1.95583"), "BGN", on=day, to="EUR") == Decimal("1.00")
    assert RATES.convert(Decimal("753450"), "HRK", on=day, to="EUR") == Decimal("100000.00")
    assert {"BGN", "HRK"} <= set(RATES.currencies)


def test_a_reader_currency_without_a_rate_is_not_claimed() -> None:
    """A profile in a currency the rates cannot reach (no amounts, so validation without the
    rate list lets it through) is shown the reporting currency, never GBP figures labelled XOF."""
    profile = validate_records([record(currency="XOF")]).profiles[0]
    seen = to_org_profile(profile, RATES)
    assert (seen.currency, seen.currency_rate) == (RATES.reporting, 1.0)
    euro = to_org_profile(validate_records([record(currency="EUR")]).profiles[0], RATES)
    assert euro.currency == "EUR" and euro.currency_rate > 1.0
