"""scanner.money: one formatting function for the web and the digests (Babel, CLDR symbols), and
a notice's amount shown to a reader in the reader's currency by the matcher's own rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from scanner.money import ReaderAmount, for_reader, format_money
from scanner.orgs import load_rates
from scanner.orgs.convert import reader_rate
from scanner.services.matching import CorpusBuilder, RankedMatch

RATES = load_rates(Path(__file__).resolve().parents[1] / "config" / "rates.toml")
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("1162000.4"), "EUR", "€1,162,000"),
        ("40000", "GBP", "£40,000"),
        (120, "USD", "US$120"),
        (5_000_000, "PLN", f"PLN{NBSP}5,000,000"),
        (5_000_000, "pln", f"PLN{NBSP}5,000,000"),
        (3_360_000_000, "HUF", f"HUF{NBSP}3,360,000,000"),
        (1000, None, "1,000"),
        (None, "GBP", "unknown"),
        ("not a number", "GBP", "not a number"),
    ],
)
def test_format_money_uses_cldr_symbols_in_whole_units(
    amount: object, currency: str | None, shown: str
) -> None:
    assert format_money(amount, currency) == shown


def test_reader_amount_is_the_matchers_conversion() -> None:
    """What `lotwise match --json` gives (notice -> reporting by the corpus, reporting ->
    reader by the profile's rate) is what a page or a digest shows."""
    on = date(2026, 11, 27)
    amount = Decimal("5000000")
    reporting = CorpusBuilder(RATES, on=on).to_reporting(amount, "PLN")
    rate = reader_rate("EUR", RATES, on)
    assert reporting is not None and rate is not None
    ranked = RankedMatch.__new__(RankedMatch)
    object.__setattr__(ranked, "currency_rate", rate)
    expected = ranked.reader_amount(reporting)
    shown = for_reader(amount, "PLN", "EUR", RATES, on=on)
    assert shown is not None and shown.reader == expected
    # and it is roughly the ECB cross rate: PLN 4.34 to the euro in the shipped table
    assert Decimal(1_100_000) < expected < Decimal(1_200_000)  # type: ignore[operator]


def test_the_table_in_force_on_the_day_is_used() -> None:
    early = for_reader(1_000_000, "PLN", "EUR", RATES, on=RATES.tables[0][0])
    late = for_reader(1_000_000, "PLN", "EUR", RATES, on=RATES.tables[-1][0])
    assert early is not None and late is not None
    first, last = RATES.tables[0][1]["PLN"], RATES.tables[-1][1]["PLN"]
    assert (early.reader == late.reader) == (first == last)


def test_texts_say_what_was_converted_and_what_was_not() -> None:
    same = ReaderAmount(Decimal(40000), "GBP", Decimal(40000), "GBP")
    converted = ReaderAmount(Decimal(5_000_000), "PLN", Decimal(1_162_000), "EUR")
    missing = ReaderAmount(Decimal(7000), "XAF", None, "EUR")
    estimate = ReaderAmount(Decimal(400_000), "PLN", Decimal(100_000), "EUR", estimate=True)
    assert same.text == "£40,000" and not same.converted
    assert converted.text == f"€1,162,000 (PLN{NBSP}5,000,000 in the notice)"
    assert converted.converted
    assert missing.text == f"FCFA{NBSP}7,000 (not converted to EUR: no rate for XAF)"  # CLDR symbol
    assert estimate.text == f"€100,000 (PLN{NBSP}400,000), Lotwise's estimate"


def test_no_rate_for_the_readers_currency_is_not_a_conversion() -> None:
    shown = for_reader(1000, "GBP", "XAF", RATES, on=date(2026, 11, 27))
    assert shown is not None and shown.reader is None
    assert "not converted to XAF" in shown.text
    assert for_reader(None, "GBP", "EUR", RATES, on=date(2026, 11, 27)) is None
    assert for_reader(1000, "GBP", "EUR", None, on=date(2026, 11, 27)) == ReaderAmount(
        Decimal(1000), "GBP", None, "EUR"
    )
