"""parse_amount / parse_currency on values real sources have sent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scanner.ingest.money import parse_amount, parse_currency


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (464500, Decimal(464500)),
        (3369570.0, Decimal(3369570)),  # FTS float: same amount as the int
        (1234.5, Decimal("1234.5")),
        (0.1, Decimal("0.1")),  # shortest repr, not binary noise
        (Decimal("24477500.00"), Decimal(24477500)),
        ("1,234.50", Decimal("1234.5")),
        ("1,234,567", Decimal(1234567)),
        (" 000,", Decimal(0)),  # FTS published this
        ("£1,000", Decimal(1000)),
        ("€ 2.500,75", Decimal("2500.75")),
        ("1 000", Decimal(1000)),
        ("1\u00a0000,50", Decimal("1000.50")),
        ("GBP 5000", Decimal(5000)),
        ("5000 GBP", Decimal(5000)),
        ("US$12", Decimal(12)),
        ("12,5", Decimal("12.5")),
        ("1e3", Decimal(1000)),
        ("1000000000000000", Decimal(10) ** 15),
    ],
)
def test_parse_amount(value: object, expected: Decimal) -> None:
    result = parse_amount(value)
    assert result == expected
    assert isinstance(result, Decimal)


@pytest.mark.parametrize(
    "value",
    [
        None, True, False, "", "  ", "abc", "N/A", "-5", -1, -0.5, float("inf"), float("-inf"),
        float("nan"), Decimal("NaN"), Decimal("Infinity"), "Infinity", "NaN", "1e9999", 1e300,
        10**16, "1,2,3", "12.34.56", [1], {"amount": 1}, "1" * 100,
    ],
)  # fmt: skip
def test_parse_amount_rejects(value: object) -> None:
    assert parse_amount(value) is None


def test_integral_amounts_have_one_form() -> None:
    assert str(parse_amount(3369570.0)) == str(parse_amount(3369570)) == "3369570"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("GBP", "GBP"), ("gbp", "GBP"), (" eur ", "EUR"), ("£", "GBP"), ("€", "EUR"),
        ("$", "USD"), ("AED", "AED"), ("GB", None), ("POUNDS", None), ("", None),
        (None, None), (826, None), ("G1P", None),
    ],
)  # fmt: skip
def test_parse_currency(value: object, expected: str | None) -> None:
    assert parse_currency(value) == expected
