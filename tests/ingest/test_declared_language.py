"""The language each format declares for the text Lotwise keeps (the detector's prior), read
from what the project's own parsers store as `raw`."""

from __future__ import annotations

from pathlib import Path

from scanner.ingest.declared_language import declared_language
from scanner.ingest.eforms import parse_eforms_notice
from scanner.ingest.normalise import normalise_release
from scanner.ingest.ted_xml import parse_ted_notice

FIXTURES = Path(__file__).parent / "fixtures"


def test_ted_xml_declares_the_language_of_the_form_read() -> None:
    tender = parse_ted_notice((FIXTURES / "ted_f02_3lots.xml").read_bytes())
    assert tender.raw["format"] == "ted-xml"
    assert declared_language(tender.raw) == tender.raw["language"].lower()


def test_eforms_declares_english_when_kept_else_the_notice_language() -> None:
    tender = parse_eforms_notice((FIXTURES / "eforms_cn_3lots.xml").read_bytes())
    codes = tender.raw["languages"]
    expected = "en" if "ENG" in codes else {"DEU": "de", "FRA": "fr", "ITA": "it"}.get(codes[0])
    assert expected is not None and declared_language(tender.raw) == expected
    assert declared_language({"format": "eforms", "languages": ["POL", "ENG"]}) == "en"
    assert declared_language({"format": "eforms", "languages": ["SLK"]}) == "sk"
    assert declared_language({"format": "eforms", "languages": []}) is None


def test_an_ocds_release_declares_its_language_field() -> None:
    release = {
        "ocid": "ocds-x-1",
        "id": "1",
        "date": "2026-10-01T00:00:00Z",
        "language": "uk",
        "tender": {"id": "t", "title": "Бензин"},
    }
    tender = normalise_release(release, source="s")
    assert tender is not None and declared_language(tender.raw) == "uk"
    assert declared_language({"language": "en-GB"}) == "en"
    for nonsense in ({"language": "English"}, {"language": 7}, {}):
        assert declared_language(nonsense) is None


def test_sam_declares_english_and_listings_declare_nothing() -> None:
    assert declared_language({"format": "sam-opportunities-v2"}) == "en"
    assert declared_language({"format": "ted-api", "title_language": "fra"}) is None
    assert declared_language({"format": "ted-api", "title_language": "fr"}) == "fr"
    assert declared_language({"format": "rss", "language": "en"}) is None
