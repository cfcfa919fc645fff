"""CPV codes: 8 digits without check digit, whatever the publisher wrote."""

from __future__ import annotations

import pytest

from scanner.ingest.cpv import cpv_codes_of, normalise_cpv


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("72200000", "72200000"),
        ("72200000-7", "72200000"),
        ("722000007", "72200000"),  # check digit glued on
        (" 72200000 ", "72200000"),
        ("CPV: 72200000", "72200000"),
        ("cpv 72200000-7", "72200000"),
        ("72200000-7 Software programming and consultancy services", "72200000"),
        ("44115000-9", "44115000"),  # ProZorro
        (72200000, "72200000"),
        (3000000, "03000000"),  # a JSON number that lost its leading zero
    ],
)
def test_normalise_cpv(value: object, expected: str) -> None:
    assert normalise_cpv(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "72", "722", "7220000", "7220000000", "72200000-77", "43221806-002", "24.42.2",
        "00000000", "", None, True, 7.22e7, "CPV", "72200000x", ["72200000"],
    ],
)  # fmt: skip
def test_not_a_code(value: object) -> None:
    assert normalise_cpv(value) is None


def test_cpv_codes_of() -> None:
    classifications = [
        {"scheme": "CPV", "id": "45421000", "description": "Joinery work"},
        {"scheme": "cpv", "id": "45421000-4"},  # duplicate after normalising
        {"scheme": "CPVS", "id": "PA01-7"},  # supplementary vocabulary: not CPV
        {"scheme": "CPV-AM", "id": "32341100"},  # a national variant: not CPV
        {"scheme": "UNSPSC", "id": "43221806"},
        {"id": "72200000-7"},  # no scheme, CPV-shaped
        {"scheme": None, "id": "98000000"},
        {"scheme": "CPV", "id": "garbage"},
        "72200000",
        None,
    ]
    assert cpv_codes_of(classifications) == ["45421000", "72200000", "98000000"]
    assert cpv_codes_of({"scheme": "CPV", "id": "85311000"}) == ["85311000"]
    assert cpv_codes_of(None) == []
    assert cpv_codes_of("72200000") == []
