"""Legacy TED XML (TED_EXPORT, R2.0.9 forms) -> NormalisedTender: hand-written fixtures for
every field, and every real TED XML sample in the shared folder (2 to 652 lots)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from required import require_or_skip
from xml_samples import fixture, sample_params

from scanner.ingest.ted_xml import TedXmlFormatError, parse_ted_notice
from scanner.ingest.tender import NormalisedTender

TED_XML_SAMPLE_DIRS = ("multi-lot-ted-xml", "open-tenders-en/ted-xml")
LOTS_IN_NAME = re.compile(r"_(\d+)lots?\b")
NUTS = re.compile(r"[A-Z]{2}[A-Z0-9]{0,3}")


# -- a hand-written contract notice (German original, English translation) --------------------


@pytest.fixture(scope="module")
def notice() -> NormalisedTender:
    return parse_ted_notice(fixture("ted_f02_3lots.xml"), source="ted")


def test_ted_xml_reads_the_english_form_among_translations(notice: NormalisedTender) -> None:
    assert notice.title == "Digital participation platform"
    assert notice.description == (
        "Building a platform for residents to take part in local decisions.\n"
        "Three lots: research, development, hosting."
    )
    assert notice.raw["language"] == "EN"
    # The German original has one lot only; the English form has all three.
    assert [lot.title for lot in notice.lots] == [
        "User research",
        "Platform development",
        "Hosting",
    ]


def test_ted_xml_identity_status_and_procedure(notice: NormalisedTender) -> None:
    assert notice.source == "ted"
    assert notice.source_key == notice.notice_id == "654321-2022"
    assert notice.notice_url == "https://ted.europa.eu/en/notice/-/detail/654321-2022"
    assert notice.notice_type == "F02"
    assert notice.raw["document_type"] == "Contract notice"
    assert notice.status == "active"
    assert notice.procedure_type == "open"
    assert notice.buyer_name == "Bezirksamt Beispiel"
    assert notice.buyer_id == "DE-BE-0042"


def test_ted_xml_value_dates_and_local_deadline(notice: NormalisedTender) -> None:
    assert (notice.value_amount, notice.currency) == (Decimal(980000), "EUR")
    assert notice.published_at == datetime(2022, 11, 29, tzinfo=UTC)
    # 12:00 in Berlin in January (UTC+1): the buyer's local time.
    assert notice.deadline_at == datetime(2023, 1, 10, 11, 0, tzinfo=UTC)
    assert notice.is_open(datetime(2023, 1, 10, 10, 59, tzinfo=UTC))
    assert not notice.is_open(datetime(2023, 1, 10, 11, 1, tzinfo=UTC))


def test_ted_xml_lots_values_cpv_and_nuts(notice: NormalisedTender) -> None:
    assert [lot.lot_id for lot in notice.lots] == ["1", "2", "3"]
    assert [lot.value_amount for lot in notice.lots] == [
        Decimal(80000),
        Decimal(650000),
        Decimal(250000),
    ]
    assert [[c.code for c in lot.classifications] for lot in notice.lots] == [
        ["79311000"],
        ["72200000", "72212000"],
        ["72000000"],  # no CPV of its own: the procedure's main CPV
    ]
    assert notice.main_cpv == "72000000"
    assert notice.cpv_codes == ("72000000", "79311000", "72200000", "72212000")
    # NUTS in the 2021 namespace under an unusual prefix.
    assert notice.regions == ("DE300", "DE405")
    assert notice.countries == ("DE",)


def test_ted_xml_every_lot_is_also_one_item(notice: NormalisedTender) -> None:
    assert [(i.id, i.related_lot) for i in notice.items] == [("1", "1"), ("2", "2"), ("3", "3")]
    assert [lot.related_items for lot in notice.lots] == [("1",), ("2",), ("3",)]
    assert notice.items[1].description == (
        "Platform development\nOpen-source development in increments."
    )
    assert notice.items[1].regions == ("DE300", "DE405")
    assert all(
        i.classifications == lot.classifications
        for i, lot in zip(notice.items, notice.lots, strict=True)
    )


def test_ted_xml_prefixes_do_not_matter(notice: NormalisedTender) -> None:
    text = fixture("ted_f02_3lots.xml").decode()
    default_ns = (
        text.replace("xmlns:t=", "xmlns=")
        .replace("<t:", "<")
        .replace("</t:", "</")
        .replace("xmlns:geo=", "xmlns:n2021=")
        .replace("<geo:", "<n2021:")
        .replace("</geo:", "</n2021:")
    )
    assert "<t:" not in default_ns
    assert parse_ted_notice(default_ns.encode()) == notice


# -- an award notice --------------------------------------------------------------------------


def test_ted_xml_award_notice_takes_lot_values_from_the_awards() -> None:
    tender = parse_ted_notice(fixture("ted_f03_award_2lots.xml"))
    assert tender.status == "complete"
    assert tender.notice_type == "F03"
    assert tender.procedure_type == "award-contract-without-call"
    assert tender.title == "Nettoyage des bâtiments communaux"
    assert (tender.value_amount, tender.currency) == (Decimal("123456.78"), "EUR")
    assert tender.deadline_at is None
    # The awarded total, not the award's estimate.
    assert [lot.value_amount for lot in tender.lots] == [Decimal("78000.50"), Decimal("45456.28")]
    # Lot 2 has no title: its description's first line stands in.
    assert tender.lots[1].title == "Bureaux de la mairie : nettoyage hebdomadaire."
    assert tender.regions == ("FRJ12",)
    assert tender.countries == ("FR",)


def test_ted_xml_undivided_procedure_is_one_lot_titled_like_the_procedure() -> None:
    text = fixture("ted_f03_award_2lots.xml").decode()
    start = text.index('<OBJECT_DESCR ITEM="2">')
    end = text.index("</OBJECT_DESCR>", start) + len("</OBJECT_DESCR>")
    text = text[:start] + text[end:]
    text = text.replace("<LOT_NO>1</LOT_NO>", "").replace("<TITLE><P>Écoles</P></TITLE>", "")
    tender = parse_ted_notice(text.encode())
    assert [lot.lot_id for lot in tender.lots] == ["1"]  # from OBJECT_DESCR/@ITEM
    assert tender.lots[0].title == "Nettoyage des bâtiments communaux"


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"PK\x03\x04 zip archive", "not XML"),
        (b"<TED_EXPORT><FORM_SECTION></TED_EXPORT>", "not well-formed"),
        (b'<Something xmlns="urn:example"/>', "not TED_EXPORT"),
        (
            b'<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"/>',
            "parse_eforms_notice",
        ),
        (b'<TED_EXPORT DOC_ID="1-2020"><FORM_SECTION/></TED_EXPORT>', "no form"),
        (
            b'<TED_EXPORT><FORM_SECTION><F02_2014 LG="EN"><OBJECT_CONTRACT>'
            b"<TITLE><P>x</P></TITLE></OBJECT_CONTRACT></F02_2014></FORM_SECTION></TED_EXPORT>",
            "DOC_ID",
        ),
        (
            b'<TED_EXPORT DOC_ID="1-2020"><FORM_SECTION><F02_2014 LG="EN"><OBJECT_CONTRACT/>'
            b"</F02_2014></FORM_SECTION></TED_EXPORT>",
            "no title",
        ),
    ],
)
def test_ted_xml_bad_documents_raise_a_clear_format_error(data: bytes, message: str) -> None:
    with pytest.raises(TedXmlFormatError) as caught:
        parse_ted_notice(data)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert not isinstance(caught.value, etree.LxmlError)


def test_ted_xml_malformed_fixture_is_a_format_error() -> None:
    with pytest.raises(TedXmlFormatError, match=r"not well-formed XML.*OBJECT_DESC"):
        parse_ted_notice(fixture("ted_malformed_mismatched.xml"))


def test_ted_xml_external_entities_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE TED_EXPORT [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<TED_EXPORT DOC_ID="1-2020">&x;</TED_EXPORT>'
    ).encode()
    with pytest.raises(TedXmlFormatError, match="DTD") as caught:
        parse_ted_notice(data)
    assert "TOP-SECRET" not in str(caught.value)


# -- every real TED XML sample ----------------------------------------------------------------


@pytest.mark.parametrize(
    "sample",
    sample_params(TED_XML_SAMPLE_DIRS),
)
def test_ted_xml_real_sample_parses_with_its_lots(shared_samples: Path, sample: str) -> None:
    tender = parse_ted_notice((shared_samples / sample).read_bytes())
    expected = LOTS_IN_NAME.search(sample)
    assert expected, f"{sample}: the file name should say how many lots"
    assert len(tender.lots) == int(expected.group(1))
    assert tender.title.strip()
    assert tender.source_key == tender.notice_id
    assert tender.status in {"active", "planning", "complete"}
    assert tender.buyer_name
    assert len({lot.lot_id for lot in tender.lots}) == len(tender.lots)
    for lot in tender.lots:
        assert lot.title and lot.title.strip(), lot.lot_id
        assert lot.classifications, f"lot {lot.lot_id} has no CPV"
        assert all(re.fullmatch(r"\d{8}", c.code) for c in lot.classifications)
        if lot.value_amount is not None:
            assert Decimal(0) < lot.value_amount < Decimal(10) ** 11
            assert lot.currency is not None and re.fullmatch(r"[A-Z]{3}", lot.currency)
    if tender.value_amount is not None:
        assert Decimal(0) < tender.value_amount < Decimal(10) ** 11
        assert tender.currency is not None and re.fullmatch(r"[A-Z]{3}", tender.currency)
    assert tender.main_cpv in tender.cpv_codes
    assert [item.related_lot for item in tender.items] == [lot.lot_id for lot in tender.lots]
    assert all(NUTS.fullmatch(region) for region in tender.regions)
    assert tender.countries and all(re.fullmatch(r"[A-Z]{2}", c) for c in tender.countries)
    assert tender.published_at is not None
    if tender.deadline_at is not None:
        assert tender.deadline_at > tender.published_at


def test_ted_xml_sample_english_notice_reads_as_published(shared_samples: Path) -> None:
    path = shared_samples / "multi-lot-ted-xml/ted_20-213571_EN_F02_2lots.xml"
    if not path.exists():
        require_or_skip(f"{path} absent", "LOTWISE_REQUIRE_SHARED")
    tender = parse_ted_notice(path.read_bytes())
    assert tender.title == "Information and Communications Technology Services"
    assert tender.buyer_name == "English Institute of Sport Ltd"
    assert (tender.value_amount, tender.currency) == (Decimal(1530376), "GBP")
    assert [(lot.lot_id, lot.title, lot.value_amount) for lot in tender.lots] == [
        ("1", "Managed Services", Decimal(1295520)),
        ("2", "Wide Area Network", Decimal(234856)),
    ]
    assert [lot.classifications[0].code for lot in tender.lots] == ["72500000", "64200000"]
    assert tender.procedure_type == "restricted"
    # 12:00 London time in June (BST, UTC+1).
    assert tender.deadline_at == datetime(2020, 6, 5, 11, 0, tzinfo=UTC)
    assert tender.countries == ("GB",)  # TED writes the UK as "UK"


def test_ted_xml_sample_prefers_english_over_original_and_translations(
    shared_samples: Path,
) -> None:
    multilingual = shared_samples / "multi-lot-ted-xml/ted_22-109282_IT_F03_3lots.xml"
    if not multilingual.exists():
        require_or_skip(f"{multilingual} absent", "LOTWISE_REQUIRE_SHARED")
    raw = multilingual.read_bytes()
    assert raw.count(b"<F03_2014 ") == 24  # the notice in 24 languages
    tender = parse_ted_notice(raw)
    assert tender.raw["language"] == "EN"
    assert tender.title.startswith("Emergency medicine services")
    assert len(tender.lots) == 3  # one form's lots, not 72


# -- the older R2.0.8 grammar (2011-2016 exports, defence notices until 2024) -----------------


def test_ted_xml_r208_contract_notice_lots_from_annexes() -> None:
    tender = parse_ted_notice(fixture("ted_r208_contract_2lots.xml"))
    assert tender.raw["grammar"] == "R2.0.8"
    assert tender.notice_type == "F02"  # FORM="2"
    assert tender.status == "active"
    assert tender.title == "Library digital services"
    assert tender.description == "Catalogue software and digitisation of archives."
    assert (tender.buyer_name, tender.buyer_id) == ("Example County Council", "IE-0099")
    # The machine value (FMTVAL), not the display text "180 000,50".
    assert (tender.value_amount, tender.currency) == (Decimal("180000.50"), "EUR")
    # DAY/MONTH/YEAR/TIME, 12:00 in Ireland in October (UTC+1).
    assert tender.deadline_at == datetime(2015, 10, 12, 11, 0, tzinfo=UTC)
    assert tender.procedure_type == "open"
    assert [(lot.lot_id, lot.title, lot.value_amount) for lot in tender.lots] == [
        ("1", "Catalogue software", Decimal(120000)),
        ("2", "Digitisation", Decimal("60000.50")),
    ]
    assert [[c.code for c in lot.classifications] for lot in tender.lots] == [
        ["48160000"],
        ["79999100", "79131000"],
    ]
    assert tender.main_cpv == "72000000"  # the procedure's, not the first lot's
    # The annexes name no place: the lots are where the procedure is.
    assert tender.regions == ("IE021",)
    assert [item.regions for item in tender.items] == [("IE021",), ("IE021",)]
    assert [item.related_lot for item in tender.items] == ["1", "2"]


def test_ted_xml_r208_award_notice_lots_from_award_blocks() -> None:
    tender = parse_ted_notice(fixture("ted_r208_award_2lots.xml"))
    assert tender.status == "complete"
    assert tender.notice_type == "F03"
    assert (tender.value_amount, tender.currency) == (Decimal(250000), "EUR")
    assert [(lot.lot_id, lot.title, lot.value_amount) for lot in tender.lots] == [
        ("1", "Colegios", Decimal(150000)),
        ("2", "Oficinas", Decimal(100000)),
    ]
    assert all(lot.classifications[0].code == "90911200" for lot in tender.lots)
    assert tender.regions == ("ES511",)  # from the coded section (ORIGINAL_NUTS)
    assert tender.countries == ("ES",)


def test_ted_xml_r208_undivided_procedure_is_one_lot() -> None:
    text = fixture("ted_r208_contract_2lots.xml").decode()
    start = text.index("<F02_DIVISION_INTO_LOTS>")
    end = text.index("</F02_DIVISION_INTO_LOTS>") + len("</F02_DIVISION_INTO_LOTS>")
    tender = parse_ted_notice((text[:start] + text[end:]).encode())
    (lot,) = tender.lots
    assert lot.lot_id == "1"
    assert lot.title == "Library digital services"
    assert lot.value_amount == Decimal("180000.50")
    assert [c.code for c in lot.classifications] == ["72000000"]
    assert tender.items[0].regions == ("IE021",)


def test_ted_xml_keeps_the_coded_type_of_buyer() -> None:
    coded = b'<t:AA_AUTHORITY_TYPE CODE="3">Regional or local authority</t:AA_AUTHORITY_TYPE>'
    data = fixture("ted_f02_3lots.xml").replace(
        b"<t:PR_PROC CODE=", coded + b"\n      <t:PR_PROC CODE=", 1
    )
    tender = parse_ted_notice(data, source="ted")
    assert tender.raw["authority_type"] == "3"
    assert tender.raw["authority_type_name"] == "Regional or local authority"
    assert (
        parse_ted_notice(fixture("ted_f02_3lots.xml"), source="ted").raw["authority_type"] is None
    )
