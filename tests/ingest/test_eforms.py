"""eForms notice XML -> NormalisedTender: hand-written fixtures for every field, and every real
eForms sample in the shared folder (TED and Doffin, many languages, 1-25 lots)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from required import require_or_skip
from xml_samples import fixture, sample_params

from scanner.ingest.eforms import EformsFormatError, parse_eforms_notice
from scanner.ingest.tender import NormalisedTender

EFORMS_SAMPLE_DIRS = ("multi-lot-eforms", "ted", "open-tenders-en/eforms")
LOTS_IN_NAME = re.compile(r"_(\d+)lots\b")
NUTS = re.compile(r"[A-Z]{2}[A-Z0-9]{0,3}")


# -- a hand-written contract notice: every field ----------------------------------------------


@pytest.fixture(scope="module")
def notice() -> NormalisedTender:
    return parse_eforms_notice(fixture("eforms_cn_3lots.xml"), source="ted")


def test_eforms_notice_identity_is_the_procedure_and_the_ted_publication(
    notice: NormalisedTender,
) -> None:
    assert notice.source == "ted"
    assert notice.source_key == "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"  # cbc:ContractFolderID
    assert notice.notice_id == "123456-2026"  # leading zeros of 00123456-2026 dropped
    assert notice.notice_url == "https://ted.europa.eu/en/notice/-/detail/123456-2026"
    assert notice.ocid is None
    assert notice.notice_type == "cn-standard"
    assert notice.status == "active"
    assert notice.procedure_type == "open"
    assert notice.raw["notice_id"] == "11111111-2222-4333-8444-555555555555"
    assert notice.raw["notice_subtype"] == "16"


def test_eforms_texts_prefer_english_over_the_original_language(notice: NormalisedTender) -> None:
    assert notice.title == "Digital services for residents"
    assert notice.description == "Building and running digital services for residents."
    assert notice.buyer_name == "City of Examplehausen"  # ORG-0001, not the review body ORG-0002
    assert notice.buyer_id == "DE-123456789"
    assert [lot.title for lot in notice.lots] == [
        "User research",
        "Residents' portal development",
        "Betrieb und Hosting",  # no English given: the original is kept
    ]


def test_eforms_value_deadline_and_dates(notice: NormalisedTender) -> None:
    assert notice.value_amount == Decimal("1250000.50")
    assert notice.currency == "EUR"
    # The latest lot deadline (LOT-0002, 12:00 at +02:00); the information-request period of
    # LOT-0001 ends later but is not a deadline for tenders.
    assert notice.deadline_at == datetime(2026, 6, 22, 10, 0, tzinfo=UTC)
    assert notice.published_at == datetime(2026, 5, 4, tzinfo=UTC)
    assert notice.updated_at == datetime(2026, 5, 1, 7, 30, tzinfo=UTC)
    assert notice.is_open(datetime(2026, 6, 20, tzinfo=UTC))
    assert not notice.is_open(datetime(2026, 6, 23, tzinfo=UTC))


def test_eforms_lots_are_lots_not_groups_with_their_own_values_and_cpv(
    notice: NormalisedTender,
) -> None:
    assert [lot.lot_id for lot in notice.lots] == ["LOT-0001", "LOT-0002", "LOT-0003"]
    assert [lot.value_amount for lot in notice.lots] == [
        Decimal(90000),
        Decimal("760000.5"),
        Decimal(400000),
    ]
    assert {lot.currency for lot in notice.lots} == {"EUR"}
    # The supplementary vocabulary (`cpvsupplementary` FA01) is not CPV.
    assert [[c.code for c in lot.classifications] for lot in notice.lots] == [
        ["79311000"],
        ["72200000", "72212000"],
        ["72415000"],
    ]
    assert all(c.scheme == "CPV" for lot in notice.lots for c in lot.classifications)
    assert [lot.related_items for lot in notice.lots] == [
        ("LOT-0001",),
        ("LOT-0002",),
        ("LOT-0003",),
    ]


def test_eforms_every_lot_is_also_one_item_linked_to_it(notice: NormalisedTender) -> None:
    assert len(notice.items) == len(notice.lots)
    for item, lot in zip(notice.items, notice.lots, strict=True):
        assert item.id == lot.lot_id
        assert item.related_lot == lot.lot_id
        assert item.classifications == lot.classifications
    first, second, _third = notice.items
    assert first.description == "User research\nInterviews and usability tests with residents."
    assert second.description == "Residents' portal development"
    assert [item.regions for item in notice.items] == [("DE300",), ("DE300", "DE405"), ()]


def test_eforms_procedure_level_cpv_regions_countries_and_sme(notice: NormalisedTender) -> None:
    assert notice.main_cpv == "72000000"
    # Procedure codes first, then each lot's, unique.
    assert notice.cpv_codes == (
        "72000000",
        "79411000",
        "79311000",
        "72200000",
        "72212000",
        "72415000",
    )
    assert notice.regions == ("DE300", "DE405")
    assert notice.countries == ("DE",)  # DEU (alpha-3 in eForms) as ISO alpha-2
    assert notice.suitable_sme is True  # one lot says suitable, another not


# -- prefixes mean nothing, namespace URIs everything -----------------------------------------


def test_eforms_same_notice_with_other_prefixes_parses_identically(
    notice: NormalisedTender,
) -> None:
    text = fixture("eforms_cn_3lots.xml").decode()
    renamed = (
        text.replace("xmlns:cac=", "xmlns:agg=")
        .replace("<cac:", "<agg:")
        .replace("</cac:", "</agg:")
        .replace("xmlns:cbc=", "xmlns:basic=")
        .replace("<cbc:", "<basic:")
        .replace("</cbc:", "</basic:")
        .replace('<ContractNotice xmlns="', '<urn:ContractNotice xmlns:urn="')
        .replace("</ContractNotice>", "</urn:ContractNotice>")
    )
    assert "<cac:" not in renamed and "<cbc:" not in renamed
    assert parse_eforms_notice(renamed.encode()) == notice


def test_eforms_award_notice_with_unusual_prefixes_and_a_decoy() -> None:
    tender = parse_eforms_notice(fixture("eforms_can_odd_prefixes_2lots.xml"), source="ted")
    # The decoy `cac:ProcurementProject` is in another namespace: its name is not the title.
    assert tender.title == "Entretien des espaces verts communaux"
    assert tender.status == "complete"
    assert tender.notice_type == "can-standard"
    assert tender.procedure_type == "neg-w-call"
    assert tender.buyer_name == "Commune de Exempleville"
    assert (tender.value_amount, tender.currency) == (Decimal(84500), "EUR")  # awarded total
    assert tender.deadline_at is None
    assert tender.published_at == datetime(2025, 11, 3, tzinfo=UTC)
    assert [lot.lot_id for lot in tender.lots] == ["LOT-0001", "LOT-0002"]
    assert [lot.title for lot in tender.lots] == ["Parcs du centre", "Désherbage des cimetières"]
    # Awarded: the two winning tenders of LOT-0001 added up; LOT-0002's tender did not win.
    assert [(lot.value_amount, lot.currency) for lot in tender.lots] == [
        (Decimal(84500), "EUR"),
        (None, None),
    ]
    assert [[c.code for c in lot.classifications] for lot in tender.lots] == [
        ["77313000"],
        ["77312000", "77313000"],
    ]
    assert tender.cpv_codes == ("77310000", "77313000", "77312000")
    assert tender.regions == ("BE310",)
    assert tender.countries == ("BE",)
    # The description repeats the title: the item says it once.
    assert tender.items[0].description == "Parcs du centre : tonte et taille."


# -- errors are EformsFormatError naming the problem, never lxml's ----------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"%PDF-1.7 binary", "not XML"),
        (b'{"notices": []}', "not XML"),
        (b"<ContractNotice><unclosed></ContractNotice>", "not well-formed"),
        (b'<?xml version="1.0" encoding="no-such-encoding"?><a/>', "XML"),
        (b'<Invoice xmlns="urn:example"/>', "not an eForms notice"),
        (b'<ContractNotice xmlns="urn:example:wrong"/>', "not an eForms notice"),
        (b"<TED_EXPORT/>", "parse_ted_notice"),
    ],
)
def test_eforms_bad_documents_raise_a_clear_format_error(data: bytes, message: str) -> None:
    with pytest.raises(EformsFormatError) as caught:
        parse_eforms_notice(data)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert not isinstance(caught.value, etree.LxmlError)
    assert caught.value.__cause__ is None  # lxml's exception is not chained into the log


def test_eforms_truncated_download_is_a_format_error() -> None:
    with pytest.raises(EformsFormatError, match="not well-formed XML"):
        parse_eforms_notice(fixture("eforms_malformed_truncated.xml"))


def test_eforms_notice_without_identifiers_or_title_is_refused() -> None:
    ns = 'xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"'
    cbc = 'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"'
    cac = 'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"'
    with pytest.raises(EformsFormatError, match="ProcurementProject"):
        parse_eforms_notice(f"<ContractNotice {ns}/>".encode())
    project = "<cac:ProcurementProject><cbc:Name>Roads</cbc:Name></cac:ProcurementProject>"
    with pytest.raises(EformsFormatError, match="identifier"):
        parse_eforms_notice(f"<ContractNotice {ns} {cbc} {cac}>{project}</ContractNotice>".encode())
    untitled = "<cbc:ID>N-1</cbc:ID><cac:ProcurementProject/>"
    with pytest.raises(EformsFormatError, match="no title"):
        parse_eforms_notice(
            f"<ContractNotice {ns} {cbc} {cac}>{untitled}</ContractNotice>".encode()
        )


def test_eforms_entity_tricks_are_refused_and_never_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    external = (
        f'<?xml version="1.0"?><!DOCTYPE n [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2">'
        "&x;</ContractNotice>"
    ).encode()
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b"<l>&c;</l>"
    )
    for data in (external, laughs):
        with pytest.raises(EformsFormatError, match="DTD") as caught:
            parse_eforms_notice(data)
        assert "TOP-SECRET" not in str(caught.value)


def test_eforms_converter_placeholder_deadline_is_not_a_deadline() -> None:
    text = fixture("eforms_cn_3lots.xml").decode()
    text = text.replace("2026-06-15+02:00", "2099-01-01").replace("2026-06-22+02:00", "2099-01-01")
    tender = parse_eforms_notice(text.encode())
    assert tender.deadline_at is None


def test_eforms_national_notice_without_ted_publication_has_no_ted_url() -> None:
    text = fixture("eforms_cn_3lots.xml").decode().replace("00123456-2026", "n.a.")
    tender = parse_eforms_notice(text.encode(), source="doffin")
    assert tender.source == "doffin"
    assert tender.notice_url is None
    assert tender.notice_id == "11111111-2222-4333-8444-555555555555"


# -- every real eForms sample -----------------------------------------------------------------


@pytest.mark.parametrize(
    "sample",
    sample_params(EFORMS_SAMPLE_DIRS),
)
def test_eforms_real_sample_parses_with_its_lots(shared_samples: Path, sample: str) -> None:
    tender = parse_eforms_notice((shared_samples / sample).read_bytes())
    expected = LOTS_IN_NAME.search(sample)
    if expected:
        assert len(tender.lots) == int(expected.group(1))
    assert tender.lots, "every eForms notice has at least one lot"
    assert tender.title.strip()
    assert tender.source_key
    assert tender.status in {"active", "planning", "complete"}
    assert tender.buyer_name
    assert len({lot.lot_id for lot in tender.lots}) == len(tender.lots)
    for lot in tender.lots:
        assert lot.title and lot.title.strip(), lot.lot_id
        assert lot.classifications, f"{lot.lot_id} has no CPV"
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
    if tender.deadline_at is not None:
        assert tender.published_at is not None
        assert tender.deadline_at > tender.published_at


def test_eforms_english_sample_reads_as_published(shared_samples: Path) -> None:
    path = shared_samples / "multi-lot-eforms/ted_189213-2024_ENG_cn21_4lots.xml"
    if not path.exists():
        require_or_skip(f"{path} absent", "LOTWISE_REQUIRE_SHARED")
    tender = parse_eforms_notice(path.read_bytes())
    assert tender.title == "23/062 - Legal Services Panel"
    assert tender.notice_id == "189213-2024"
    assert tender.buyer_name == "Uisce Éireann"
    assert (tender.value_amount, tender.currency) == (Decimal(40040000), "EUR")
    assert tender.lots[0].title == "All Legal Services"
    assert tender.deadline_at == datetime(2024, 5, 27, 12, 0, tzinfo=UTC)
    assert tender.countries == ("IE",)


def test_eforms_sample_translations_english_first_else_notice_language(
    shared_samples: Path,
) -> None:
    doffin = shared_samples / "multi-lot-eforms/doffin_2024-102327_NOR_cn-social_8lots.xml"
    belgian = shared_samples / "multi-lot-eforms/ted_191534-2024_FRA_can_5lots.xml"
    if not (doffin.exists() and belgian.exists()):
        require_or_skip("multi-lot eForms samples absent", "LOTWISE_REQUIRE_SHARED")
    norwegian = parse_eforms_notice(doffin.read_bytes(), source="doffin")
    assert norwegian.title.startswith("Procurement of follow-up measure for NAV Vest-Viken")
    assert norwegian.lots[0].title == "Follow-up Service area C - Drammen"
    # Dutch is written first, but the notice's language is French: French is kept.
    french = parse_eforms_notice(belgian.read_bytes())
    assert french.title.startswith("PROCEDURE OUVERTE POUR LE NETTOYAGE")
    assert french.buyer_name == "SPF Intérieur"
    assert french.lots[1].title == "2023/DVZOE/CLEANING/FITT/PO - 2"


def test_eforms_sample_lot_groups_are_not_lots(shared_samples: Path) -> None:
    path = shared_samples / "multi-lot-eforms/ted_665175-2023_POL_cn18_4lots.xml"
    if not path.exists():
        require_or_skip(f"{path} absent", "LOTWISE_REQUIRE_SHARED")
    raw = path.read_bytes()
    assert raw.count(b"<cac:ProcurementProjectLot>") == 5  # four lots and group GLO-0008
    tender = parse_eforms_notice(raw)
    assert [lot.lot_id for lot in tender.lots] == ["LOT-0001", "LOT-0002", "LOT-0003", "LOT-0004"]


def test_eforms_sample_award_notice_lot_values_are_the_winning_tenders(
    shared_samples: Path,
) -> None:
    path = shared_samples / "multi-lot-eforms/ted_191534-2024_FRA_can_5lots.xml"
    if not path.exists():
        require_or_skip(f"{path} absent", "LOTWISE_REQUIRE_SHARED")
    tender = parse_eforms_notice(path.read_bytes())
    # LOT-0001 had tenders TEN-0001 (8819.09, settled in CON-0001) and TEN-0006 (11645.77, lost).
    assert (tender.lots[0].value_amount, tender.lots[0].currency) == (Decimal("8819.09"), "EUR")
    # LOT-0002 was won by TEN-0007 (13768.11), not TEN-0002 (12725.09).
    assert tender.lots[1].value_amount == Decimal("13768.11")


def test_eforms_keeps_the_buyer_legal_type() -> None:
    typed = (
        b"<cac:ContractingParty>\n    <cac:ContractingPartyType><cbc:PartyTypeCode "
        b'listName="buyer-legal-type">la</cbc:PartyTypeCode></cac:ContractingPartyType>'
    )
    data = fixture("eforms_cn_3lots.xml").replace(b"<cac:ContractingParty>", typed, 1)
    assert parse_eforms_notice(data, source="ted").raw["buyer_legal_type"] == "la"
    plain = parse_eforms_notice(fixture("eforms_cn_3lots.xml"), source="ted")
    assert plain.raw["buyer_legal_type"] is None
