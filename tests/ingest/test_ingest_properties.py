"""Property tests: no JSON value anywhere makes the ingest functions raise the wrong thing."""

from __future__ import annotations

import contextlib
import copy
import os
from datetime import UTC
from decimal import Decimal
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.ingest.cpv import cpv_codes_of, normalise_cpv
from scanner.ingest.dates import parse_datetime
from scanner.ingest.money import parse_amount, parse_currency
from scanner.ingest.normalise import NormaliseError, normalise_release
from scanner.ingest.ocds import OCDSFormatError, releases_in_package, strip_personal_data
from scanner.ingest.repair import InvalidJSON, parse_json_lenient, repair_json_numbers
from scanner.ingest.text import clean_text

# ~2 s per test by default; LOTWISE_HYPOTHESIS_EXAMPLES=5000 for a deeper hunt.
EXAMPLES = int(os.environ.get("LOTWISE_HYPOTHESIS_EXAMPLES", "200"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any JSON value, including the numbers orjson and ijson produce and the strings sources send.
tricky_text = st.sampled_from(
    ["", " ", "N/A", "null", "<p>x</p>", "&amp;amp;", "2026-07-13", "72200000-7", "1,234.50",
     "Infinity", "GBP", "active", "buyer", "tenderNotice", "https://x.org/n", "\x00", "Ã©"]
)  # fmt: skip
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),  # what orjson and our readers produce
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    tricky_text,
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=8), tricky_text), children, max_size=4),
    ),
    max_leaves=20,
)

BASE: dict[str, Any] = {
    "ocid": "ocds-abc-1",
    "id": "r1",
    "date": "2026-01-01T00:00:00Z",
    "tag": ["tender"],
    "buyer": {"id": "B", "name": "Buyer"},
    "parties": [{"id": "B", "name": "Buyer", "roles": ["buyer"], "address": {"country": "GB"}}],
    "tender": {
        "id": "t1",
        "title": "A title",
        "description": "Text",
        "status": "active",
        "value": {"amount": 100, "currency": "GBP"},
        "tenderPeriod": {"endDate": "2026-02-01T12:00:00Z"},
        "classification": {"scheme": "CPV", "id": "72200000"},
        "suitability": {"sme": True},
        "items": [
            {
                "id": "1",
                "relatedLot": "L1",
                "classification": {"scheme": "CPV", "id": "72200000"},
                "additionalClassifications": [{"scheme": "CPV", "id": "72000000"}],
                "deliveryAddresses": [{"region": "UKM8", "country": "GB"}],
            }
        ],
        "lots": [{"id": "L1", "title": "Lot", "value": {"amount": 5}, "items": ["1"]}],
        "documents": [{"id": "d", "documentType": "tenderNotice", "url": "https://x.org/n"}],
    },
    "awards": [{"id": "a", "items": [{"id": "1", "classification": {"id": "72000000"}}]}],
}

PATHS: list[tuple[str | int, ...]] = [
    (),
    ("ocid",), ("id",), ("date",), ("buyer",), ("buyer", "name"), ("buyer", "id"), ("parties",),
    ("parties", 0), ("parties", 0, "roles"), ("parties", 0, "address"), ("awards",),
    ("awards", 0, "items"), ("tender",), ("tender", "title"), ("tender", "description"),
    ("tender", "status"), ("tender", "value"), ("tender", "value", "amount"),
    ("tender", "value", "currency"), ("tender", "tenderPeriod"), ("tender", "tenderPeriod", "endDate"),
    ("tender", "classification"), ("tender", "classification", "id"), ("tender", "suitability"),
    ("tender", "items"), ("tender", "items", 0), ("tender", "items", 0, "classification"),
    ("tender", "items", 0, "additionalClassifications"), ("tender", "items", 0, "deliveryAddresses"),
    ("tender", "items", 0, "relatedLot"), ("tender", "lots"), ("tender", "lots", 0),
    ("tender", "lots", 0, "value"), ("tender", "lots", 0, "items"), ("tender", "lots", 0, "title"),
    ("tender", "documents"), ("tender", "documents", 0, "url"), ("tender", "datePublished"),
    ("tender", "procuringEntity"), ("tender", "deliveryAddresses"),
]  # fmt: skip


def place(value: Any, path: tuple[str | int, ...]) -> Any:
    if not path:
        return value
    release = copy.deepcopy(BASE)
    node: Any = release
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return release


@FAST
@given(value=json_values, path=st.sampled_from(PATHS))
def test_any_json_anywhere_normalises_or_raises_normalise_error(
    value: Any, path: tuple[str | int, ...]
) -> None:
    release = place(value, path)
    try:
        tender = normalise_release(release, source="prop", default_tz="Europe/London")
    except NormaliseError as exc:
        assert not exc.reason.startswith("internal error"), exc.reason
        return
    assert tender.title
    assert tender.deadline_at is None or tender.deadline_at.tzinfo is UTC
    assert all(len(code) == 8 and code.isdigit() for code in tender.cpv_codes)
    orjson.dumps(tender.raw)
    tender.content_hash()


@FAST
@given(release=st.dictionaries(st.sampled_from(sorted(BASE)), json_values, max_size=6))
def test_random_release_objects(release: dict[str, Any]) -> None:
    try:
        normalise_release(release, source="prop")
    except NormaliseError as exc:
        assert not exc.reason.startswith("internal error"), exc.reason


@FAST
@given(value=json_values)
def test_strip_and_package_shapes(value: Any) -> None:
    stripped = strip_personal_data(value)
    assert b'"contactPoint"' not in orjson.dumps(stripped, option=orjson.OPT_NON_STR_KEYS)
    try:
        releases = releases_in_package(value)
    except OCDSFormatError:
        return
    assert all(isinstance(release, dict) for release in releases)


@FAST
@given(value=st.one_of(json_values, st.binary(max_size=20), st.decimals(), st.datetimes()))
def test_value_parsers_never_raise(value: Any) -> None:
    text = clean_text(value)
    assert text is None or (text and text == text.strip())
    amount = parse_amount(value)
    assert amount is None or (isinstance(amount, Decimal) and 0 <= amount <= Decimal(10) ** 15)
    currency = parse_currency(value)
    assert currency is None or (len(currency) == 3 and currency.isupper())
    moment = parse_datetime(value, tz="America/New_York")
    assert moment is None or moment.tzinfo is UTC
    code = normalise_cpv(value)
    assert code is None or (len(code) == 8 and code.isdigit())
    cpv_codes_of(value)


@FAST
@given(text=st.text(max_size=60))
def test_text_parsers_on_any_string(text: str) -> None:
    clean_text(text)
    parse_amount(text)
    parse_datetime(text, dayfirst=True)
    normalise_cpv(text)


@FAST
@given(data=st.binary(max_size=200))
def test_parse_json_lenient_raises_only_invalid_json(data: bytes) -> None:
    with contextlib.suppress(InvalidJSON):
        parse_json_lenient(data)


@FAST
@given(
    value=json_values, bad=st.sampled_from([b"Infinity", b"-Infinity", b"NaN", b"1e9999", b"007"])
)
def test_repair_keeps_valid_json_and_fixes_bad_numbers(value: Any, bad: bytes) -> None:
    clean = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    assert repair_json_numbers(clean) == clean or orjson.loads(repair_json_numbers(clean)) == value
    dirty = b'{"v": ' + clean + b', "bad": ' + bad + b"}"
    parsed = parse_json_lenient(dirty)
    assert isinstance(parsed, dict)
    assert parsed["v"] == value
    assert parsed["bad"] == (7 if bad == b"007" else None)
