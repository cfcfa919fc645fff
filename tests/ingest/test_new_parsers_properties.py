"""Property tests for the non-OCDS parsers (TED API, SAM.gov, feeds, HTML listings, eForms and
legacy TED XML): arbitrary JSON-like records, arbitrary text fields and mutated real-shaped
records never raise anything but the module's declared error, that error is never the
"internal error" a bug would produce, and a usable record always gives a tender with a title.

The real-shaped records are our committed fixtures (tests/ingest/fixtures), not shared samples.
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.ingest.eforms import EformsFormatError, parse_eforms_notice
from scanner.ingest.feeds import feed_entry_fields, normalise_feed_entry
from scanner.ingest.html_listing import (
    FIELDS,
    ListingRecordError,
    ParseRules,
    normalise_listing_record,
)
from scanner.ingest.normalise import NormalisedTender
from scanner.ingest.sam import SamRecordError, normalise_sam_opportunity
from scanner.ingest.ted_api import (
    TedNoticeError,
    normalise_ted_notice,
    normalise_ted_notice_with_xml,
)
from scanner.ingest.ted_xml import TedXmlFormatError, parse_ted_notice
from scanner.ingest.text import clean_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# About 1 s per test; LOTWISE_HYPOTHESIS_EXAMPLES=5000 for a deeper hunt.
EXAMPLES = int(os.environ.get("LOTWISE_HYPOTHESIS_EXAMPLES", "150"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

tricky_text = st.sampled_from(
    ["", " ", "N/A", "null", "<p>x</p>", "&amp;amp;", "2026-07-13", "2026-06-02+02:00",
     "72200000", "1,234.50", "Infinity", "EUR", "USD", "Yes", "No", "cn-standard",
     "https://x.org/n", "\x00", "Ã©", "31/12/2026 12:00", "Tue, 09 Jun 2026 09:00:00 +0100"]
)  # fmt: skip
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
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


def _json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


TED_NOTICES: list[dict[str, Any]] = [
    *_json("ted_api_search_page_1.json")["notices"],
    *_json("ted_api_search_page_2.json")["notices"],
]
SAM_RECORDS: list[dict[str, Any]] = [
    *_json("sam_search_page_0.json")["opportunitiesData"],
    *_json("sam_search_page_1.json")["opportunitiesData"],
]
EFORMS = [
    (FIXTURES / name).read_bytes()
    for name in ("eforms_cn_3lots.xml", "eforms_can_odd_prefixes_2lots.xml")
]
TED_XML = [
    (FIXTURES / name).read_bytes()
    for name in (
        "ted_f02_3lots.xml",
        "ted_f03_award_2lots.xml",
        "ted_r208_award_2lots.xml",
        "ted_r208_contract_2lots.xml",
    )
]


_FIRST_TITLE = re.compile(r"(<(?:t:)?(?:TITLE_CONTRACT|TITLE)>\s*<(?:t:)?P>)(.*?)(</)", re.S)
#: A title a publisher could write (not an empty marker such as "N/A" or "-").
#: (Accented letters, but no "Ã"/"Â", which with a following letter read as mojibake.)
# A title a publisher could mean: not one of the empty markers ("NA", "N/A", "-") that every
# parser reads as no title.
real_title = st.from_regex(
    r"[A-Za-zéèêàüöäçñłŽ][A-Za-zéèêàüöäçñłŽ0-9 ,.()'&/-]{0,40}", fullmatch=True
).filter(lambda title: clean_text(title) is not None)


def _fields_of(records: list[dict[str, Any]]) -> list[str]:
    return sorted({key for record in records for key in record})


def _mutated(base: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    record = copy.deepcopy(base)
    if value is _DROP:
        record.pop(key, None)
    else:
        record[key] = value
    return record


_DROP = object()
replacement = st.one_of(st.just(_DROP), json_values)


def _declared(error: Exception) -> None:
    """The declared error, naming a problem of the record rather than a bug of the parser."""
    reason = str(getattr(error, "reason", error))
    assert reason and not reason.startswith("internal error"), reason


def _usable(tender: NormalisedTender) -> None:
    assert isinstance(tender, NormalisedTender)
    assert tender.title and tender.title.strip()
    assert tender.source_key


# TED API search notices


@FAST
@given(notice=json_values)
def test_ted_any_json_value_is_a_tender_or_a_ted_notice_error(notice: Any) -> None:
    try:
        _usable(normalise_ted_notice(notice))
    except TedNoticeError as exc:
        _declared(exc)


@FAST
@given(
    base=st.sampled_from(TED_NOTICES),
    changes=st.lists(
        st.tuples(st.sampled_from([*_fields_of(TED_NOTICES), "extra"]), replacement), max_size=4
    ),
)
def test_ted_mutated_real_notices_are_a_tender_or_a_ted_notice_error(
    base: dict[str, Any], changes: list[tuple[str, Any]]
) -> None:
    notice = base
    for key, value in changes:
        notice = _mutated(notice, key, value)
    try:
        tender = normalise_ted_notice(notice)
    except TedNoticeError as exc:
        _declared(exc)
        return
    _usable(tender)


@FAST
@given(
    base=st.sampled_from(TED_NOTICES),
    title=real_title,
    extra=st.dictionaries(st.sampled_from(["deu", "eng", "fra", "xx"]), st.text(max_size=20)),
)
def test_ted_notice_with_a_title_in_any_language_is_always_a_tender(
    base: dict[str, Any], title: str, extra: dict[str, str]
) -> None:
    notice = _mutated(base, "notice-title", {"pol": title, **extra})
    tender = normalise_ted_notice(notice)
    _usable(tender)


@FAST
@given(base=st.sampled_from(TED_NOTICES), xml=st.sampled_from(EFORMS), cut=st.integers(0, 4000))
def test_ted_notice_with_broken_xml_falls_back_to_its_search_fields(
    base: dict[str, Any], xml: bytes, cut: int
) -> None:
    tender = normalise_ted_notice_with_xml((base, xml[:cut]))
    _usable(tender)
    assert tender.source_key == base["publication-number"]


# SAM.gov opportunities


@FAST
@given(record=json_values)
def test_sam_any_json_value_is_a_tender_or_a_sam_record_error(record: Any) -> None:
    try:
        _usable(normalise_sam_opportunity(record))
    except SamRecordError as exc:
        _declared(exc)


@FAST
@given(
    base=st.sampled_from(SAM_RECORDS),
    changes=st.lists(
        st.tuples(st.sampled_from([*_fields_of(SAM_RECORDS), "extra"]), replacement), max_size=4
    ),
)
def test_sam_mutated_real_records_are_a_tender_or_a_sam_record_error(
    base: dict[str, Any], changes: list[tuple[str, Any]]
) -> None:
    record = base
    for key, value in changes:
        record = _mutated(record, key, value)
    try:
        tender = normalise_sam_opportunity(record)
    except SamRecordError as exc:
        _declared(exc)
        return
    _usable(tender)
    assert "pointOfContact" not in tender.raw.get("record", {})


@FAST
@given(
    base=st.sampled_from(SAM_RECORDS),
    title=real_title,
    texts=st.dictionaries(
        st.sampled_from(["postedDate", "responseDeadLine", "naicsCode", "type", "active"]),
        st.one_of(st.text(max_size=25), tricky_text),
    ),
)
def test_sam_record_with_id_and_title_is_always_a_tender(
    base: dict[str, Any], title: str, texts: dict[str, str]
) -> None:
    record = {**copy.deepcopy(base), **texts, "title": title}
    _usable(normalise_sam_opportunity(record))


# HTML listings and feeds

field_text = st.one_of(st.none(), st.text(max_size=40), tricky_text)
listing_records = st.fixed_dictionaries(
    {}, optional={name: field_text for name in (*FIELDS, "url", "_page")}
)
rules_strategy = st.builds(
    ParseRules,
    date_formats=st.sampled_from([(), ("%d/%m/%Y %H:%M", "%d/%m/%Y"), ("%d %B %Y",)]),
    timezone=st.sampled_from(["Europe/London", "UTC", "America/New_York"]),
    currency=st.sampled_from([None, "GBP", "EUR"]),
    require=st.sampled_from([("title",), ("title", "deadline"), ("title", "description", "url")]),
)


@FAST
@given(record=st.one_of(listing_records, json_values), rules=rules_strategy)
def test_listing_any_record_is_a_tender_or_a_listing_record_error(
    record: Any, rules: ParseRules
) -> None:
    try:
        tender = normalise_listing_record(record, source="prop", rules=rules)
    except ListingRecordError as exc:
        _declared(exc)
        return
    _usable(tender)
    for name in rules.require:
        assert (name == "url" and tender.notice_url) or getattr(tender, _ATTR.get(name, name))


_ATTR = {"deadline": "deadline_at", "description": "description", "title": "title"}


@FAST
@given(
    key=st.from_regex(r"[A-Z]{2,4}-20[0-9]{2}-[0-9]{1,6}", fullmatch=True),
    title=real_title,
    others=st.dictionaries(st.sampled_from(["buyer", "cpv", "procedure", "status"]), field_text),
)
def test_listing_record_with_id_and_title_and_no_dates_is_always_a_tender(
    key: str, title: str, others: dict[str, str | None]
) -> None:
    tender = normalise_listing_record(
        {"id": key, "title": title, **others}, source="prop", rules=ParseRules()
    )
    _usable(tender)


feed_entries = st.fixed_dictionaries(
    {},
    optional={
        "id": field_text,
        "link": field_text,
        "title": field_text,
        "summary": field_text,
        "author": field_text,
        "published": field_text,
        "updated": field_text,
        "tags": st.one_of(json_values, st.lists(st.fixed_dictionaries({"term": field_text}))),
    },
)


@FAST
@given(entry=st.one_of(feed_entries, json_values), rules=rules_strategy)
def test_feed_any_entry_is_a_tender_or_a_listing_record_error(
    entry: Any, rules: ParseRules
) -> None:
    try:
        record: Any = feed_entry_fields(entry) if isinstance(entry, dict) else entry
        tender = normalise_feed_entry(record, source="prop", rules=rules)
    except ListingRecordError as exc:
        _declared(exc)
        return
    _usable(tender)


# eForms and legacy TED XML


def _xml_mutations(documents: list[bytes]) -> st.SearchStrategy[bytes]:
    """Truncated, spliced and byte-flipped versions of real-shaped notices."""

    @st.composite
    def mutate(draw: st.DrawFn) -> bytes:
        data = bytearray(draw(st.sampled_from(documents)))
        kind = draw(st.sampled_from(["truncate", "flip", "splice", "drop"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "truncate":
            return bytes(data[:at])
        if kind == "flip":
            data[at] = draw(st.integers(0, 255))
            return bytes(data)
        if kind == "splice":
            return bytes(data[:at]) + draw(st.binary(max_size=30)) + bytes(data[at:])
        end = min(len(data), at + draw(st.integers(1, 200)))
        return bytes(data[:at] + data[end:])

    return mutate()


@FAST
@given(data=st.one_of(st.binary(max_size=200), _xml_mutations(EFORMS)))
def test_eforms_arbitrary_and_mutated_documents_raise_only_eforms_format_error(
    data: bytes,
) -> None:
    try:
        tender = parse_eforms_notice(data)
    except EformsFormatError as exc:
        _declared(exc)
        return
    _usable(tender)


@FAST
@given(data=st.one_of(st.binary(max_size=200), _xml_mutations(TED_XML)))
def test_ted_xml_arbitrary_and_mutated_documents_raise_only_ted_xml_format_error(
    data: bytes,
) -> None:
    try:
        tender = parse_ted_notice(data)
    except TedXmlFormatError as exc:
        _declared(exc)
        return
    _usable(tender)


@pytest.mark.parametrize("document", EFORMS, ids=["cn", "can"])
def test_eforms_fixtures_are_tenders_with_titles(document: bytes) -> None:
    _usable(parse_eforms_notice(document))


@pytest.mark.parametrize("document", TED_XML, ids=["f02", "f03", "r208-award", "r208-contract"])
def test_ted_xml_fixtures_are_tenders_with_titles(document: bytes) -> None:
    _usable(parse_ted_notice(document))


@FAST
@given(
    document=st.sampled_from(TED_XML),
    title=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30),
)
def test_ted_xml_with_arbitrary_title_text_is_a_tender_or_the_declared_error(
    document: bytes, title: str
) -> None:
    """Arbitrary text (escaped) in place of the first title: a tender, or a named error."""
    escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text, found = _FIRST_TITLE.subn(
        lambda m: m.group(1) + escaped + m.group(3), document.decode("utf-8"), count=1
    )
    assert found == 1
    mutated = text.encode("utf-8")
    try:
        tender = parse_ted_notice(mutated)
    except TedXmlFormatError as exc:
        _declared(exc)
        return
    _usable(tender)
