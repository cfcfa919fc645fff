"""Every real OCDS sample in the shared folder loads, normalises, and gives the published facts."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest

from scanner.ingest.normalise import normalise_release
from scanner.ingest.ocds import (
    OCDSFormatError,
    compile_releases,
    iter_file_releases,
    releases_in_package,
)
from scanner.ingest.repair import parse_json_lenient
from scanner.ingest.tender import NormalisedTender


def load(samples_dir: Path, name: str) -> list[dict[str, Any]]:
    return list(iter_file_releases(samples_dir / name))


def by_id(tenders: list[NormalisedTender]) -> dict[str, NormalisedTender]:
    return {t.notice_id or "": t for t in tenders}


def normalise_all(samples_dir: Path, name: str, source: str = "sample") -> list[NormalisedTender]:
    return [normalise_release(r, source=source) for r in load(samples_dir, name)]


def _has_contact_point(obj: object) -> bool:
    if isinstance(obj, dict):
        return "contactPoint" in obj or any(map(_has_contact_point, obj.values()))
    if isinstance(obj, list):
        return any(map(_has_contact_point, obj))
    return False


def test_every_sample_loads_and_normalises(samples_dir: Path, ocds_sample: str) -> None:
    path = samples_dir / ocds_sample
    streamed = list(iter_file_releases(path))
    whole = releases_in_package(parse_json_lenient(path.read_bytes()))
    assert streamed == whole  # the streaming and in-memory readers agree
    assert streamed
    for release in streamed:
        tender = normalise_release(release, source="sample")
        assert tender.title and tender.source_key == release["ocid"]
        assert not _has_contact_point(tender.raw)
        orjson.dumps(tender.raw)  # storable as JSON
        assert tender.content_hash() == normalise_release(release, source="sample").content_hash()
        for moment in (tender.published_at, tender.deadline_at, tender.updated_at):
            assert moment is None or moment.tzinfo is UTC
        assert all(len(code) == 8 and code.isdigit() for code in tender.cpv_codes)
        assert tender.main_cpv is None or tender.main_cpv in tender.cpv_codes


def test_find_a_tender_open_tender(samples_dir: Path) -> None:
    tenders = by_id(
        normalise_all(samples_dir, "find-a-tender/fts_release_package_limit4_2026-10-06.json")
    )
    assert set(tenders) == {"094474-2026", "094475-2026", "094476-2026", "094477-2026"}
    t = tenders["094476-2026"]
    assert t.ocid == "ocds-h6vhtk-078219"
    assert (
        t.title == "Competitive Flexible Procedure (CFP) Aldbanks Supported Living CBC-2074-CFP-SK"
    )
    assert t.deadline_at == datetime(2026, 11, 5, 12, tzinfo=UTC)
    assert (t.buyer_name, t.buyer_id) == ("Central Bedfordshire Council", "GB-PPON-PVNH-1137-QJBX")
    assert (t.main_cpv, t.cpv_codes) == ("85311000", ("85311000",))
    assert (t.value_amount, t.currency) == (Decimal(2772000), "GBP")
    assert t.status == "active" and t.procedure_type == "Competitive flexible procedure"
    assert t.notice_type == "UK4"
    assert t.notice_url == "https://www.find-tender.service.gov.uk/Notice/094476-2026"
    assert t.published_at == datetime(2026, 10, 6, 16, 59, 32, tzinfo=UTC)
    assert (t.regions, t.countries) == (("UKH25",), ("GB",))
    assert [(lot.lot_id, lot.currency, lot.related_items) for lot in t.lots] == [
        ("1", "AED", ("1",))
    ]
    assert t.is_open(datetime(2026, 10, 7, tzinfo=UTC))
    assert not t.is_open(datetime(2026, 11, 5, 12, 0, 1, tzinfo=UTC))
    # the award notices: UK6, complete, not open
    award = tenders["094477-2026"]
    assert (award.notice_type, award.status) == ("UK6", "complete")
    assert award.title == "Unified Communications and Mobile Services - Revised"


def test_contracts_finder_met_office(samples_dir: Path) -> None:
    for name in ("ocds/uk_contracts_finder_release_metoffice_cssp.json",
                 "ocds/uk_contracts_finder_record_metoffice_cssp.json"):  # fmt: skip
        [t] = normalise_all(samples_dir, name)
        assert t.ocid == "ocds-b5fd17-2c330cf9-adc8-11e6-9901-0019b9f3037b"
        assert (
            t.title
            == "Climate Science for Service Partnership (CSSP): Calls for Expressions of Interest"
        )
        assert (t.value_amount, t.currency) == (Decimal(464500), "GBP")
        assert (t.main_cpv, t.cpv_codes) == ("73000000", ("73000000",))
        assert t.buyer_name.lower() == "met office"  # type: ignore[union-attr]
        assert t.deadline_at == datetime(2015, 2, 27, tzinfo=UTC)
        assert t.status == "unsuccessful"
        assert t.suitable_sme is False  # 2014 `xClassifications.isSuitableForSme`
        assert t.countries == ("GB",)


def test_contracts_finder_sglos_framework_two_cpvs(samples_dir: Path) -> None:
    [t] = normalise_all(samples_dir, "ocds/uk_contracts_finder_release_sglos_framework.json")
    assert t.title == "Framework for Provision of Community Based Services"
    assert t.cpv_codes == ("85000000", "98000000")
    assert t.main_cpv == "85000000"  # first item's classification: no tender-level one
    assert [i.id for i in t.items] == ["1", "2"]  # integer ids as strings
    assert t.value_amount == Decimal(24477500)


def test_contracts_finder_compiled_amendment(samples_dir: Path) -> None:
    releases = load(
        samples_dir, "open-tenders-en/contracts_finder_2025_active_tender_releases.json"
    )
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for release in releases:
        groups[release["ocid"]].append(release)
    assert len(releases) == 46 and len(groups) == 43
    lights = groups["ocds-b5fd17-4c20859e-a305-4461-84c9-31ee8b43f2d0"]
    t = normalise_release(compile_releases(lights), source="cf")
    # the tenderAmendment corrected the title's years
    assert t.title.endswith("December 2025 - January 2030")
    assert t.updated_at == datetime(2025, 1, 23, 16, 36, 49, tzinfo=UTC)
    assert t.cpv_codes == ("31500000", "50232000", "51000000", "92000000")  # tender-level extras
    assert (
        t.notice_url
        == "https://www.contractsfinder.service.gov.uk/Notice/8f124d5d-fa11-457c-a0ed-431674a867c1"
    )
    assert (t.suitable_sme, t.suitable_vcse) == (True, False)
    assert t.deadline_at == datetime(2025, 3, 31, 9, tzinfo=UTC)
    assert not _has_contact_point(t.raw)


def test_paraguay_lots_list_their_items(samples_dir: Path) -> None:
    [t] = normalise_all(
        samples_dir, "multi-lot-ocds/paraguay_dncp_ocds-03ad3f-274231_tender_release.json"
    )
    assert t.ocid == "ocds-03ad3f-274231"
    assert len(t.items) == 7
    first, second = t.lots
    assert (first.title, len(first.related_items)) == ("LOTE 1", 4)
    assert (second.title, len(second.related_items)) == ("LOTE 2", 3)
    assert first.related_items[0] == "gjnlKbLKPslg3mM07iELNw%3D%3D"
    assert [c.code for c in second.classifications] == [
        "43221803-003",
        "43221806-001",
        "27113203-9997",
    ]
    assert t.cpv_codes == ()  # the DNCP catalogue is not CPV
    assert (t.value_amount, t.currency) == (Decimal(600000000), "PYG")
    [big] = normalise_all(
        samples_dir, "multi-lot-ocds/paraguay_dncp_ocds-03ad3f-275348_tender_release.json"
    )
    assert sorted(len(lot.related_items) for lot in big.lots) == sorted(
        [
            len(lot["items"])
            for lot in load(
                samples_dir, "multi-lot-ocds/paraguay_dncp_ocds-03ad3f-275348_tender_release.json"
            )[0]["tender"]["lots"]
        ]
    )
    assert sum(len(lot.related_items) for lot in big.lots) == len(big.items) == 119


def test_find_a_tender_multilot_with_infinity(samples_dir: Path) -> None:
    name = "multi-lot-ocds/find_a_tender_2026-09-11_multilot_tender_releases.json"
    assert b"Infinity" in (samples_dir / name).read_bytes()  # not strict JSON: still loads
    releases = load(samples_dir, name)
    assert releases[0]["tender"]["lotDetails"]["maximumLotsBidPerSupplier"] is None
    tenders = [normalise_release(r, source="fts") for r in releases]
    assert [len(t.lots) for t in tenders] == [3, 2, 11, 2, 20, 3, 4, 7, 2]
    assert [t.notice_id for t in tenders][:2] == ["086578-2026", "086546-2026"]
    joinery = tenders[0]
    assert joinery.title == "Joinery Contractors Framework"
    assert (joinery.buyer_name, joinery.main_cpv, joinery.regions) == (
        "NHS Lanarkshire",
        "45421000",
        ("UKM8",),
    )
    assert joinery.lots[0].title == "University Hospital Monklands (works under GBP 5,000)"
    assert all(lot.related_items == (lot.lot_id,) for lot in joinery.lots)  # one item per lot
    transport = tenders[7]
    assert transport.deadline_at == datetime(2029, 2, 23, 23, 59, 59, tzinfo=UTC)  # "2029-02-23"


@pytest.mark.parametrize(
    ("name", "releases", "lots"),
    [
        ("multi-lot-ocds/pcs_scotland_2019_multilot_tender_releases.json", 27, 278),
        ("multi-lot-ocds/sell2wales_2025_multilot_tender_releases.json", 32, 175),
        ("open-tenders-en/pcs_scotland_2019_tender_releases_all90.json", 90, 341),
        ("open-tenders-en/sell2wales_2025_tender_releases_all90.json", 90, 233),
        ("multi-lot-ocds/armenia_pps_2_multilot_releases_cut_from_6.json", 2, 4),
    ],
)
def test_lot_counts(samples_dir: Path, name: str, releases: int, lots: int) -> None:
    tenders = normalise_all(samples_dir, name)
    assert len(tenders) == releases
    assert sum(len(t.lots) for t in tenders) == lots


def test_prozorro_check_digit_and_national_scheme(samples_dir: Path) -> None:
    [t] = normalise_all(samples_dir, "ocds/ukraine_prozorro_release.json")
    assert t.cpv_codes == ("44115000",)  # published as "44115000-9"
    assert [(c.scheme, c.code) for c in t.classifications] == [
        ("CPV", "44115000"),
        ("ДКПП", "24.42.2"),
    ]
    assert (t.value_amount, t.currency, t.status) == (Decimal(3600), "UAH", "unsuccessful")


def test_record_package_and_contract_release(samples_dir: Path) -> None:
    [mexico] = normalise_all(samples_dir, "ocds/mexico_apf_record_package.json")
    assert mexico.ocid == "ocds-07smqs-993235"
    assert mexico.title == "SERVICIO DE ASESORÍA EXTERNA DE SEGUROS PARA EL INAH"
    assert mexico.value_amount is None  # published as 0
    [contract] = normalise_all(samples_dir, "ocds/paraguay_dncp_release_package.json")
    assert contract.title == "ADQUSICION DE GUANTES Y OTROS INSUMOS MEDICOS"  # from contracts[]


@pytest.mark.parametrize(
    "name",
    [
        "sam-gov/sam_opportunities_v2_search_2026-02-02.json",
        "ted/ted_v3_notices_search_response.json",
    ],
)
def test_non_ocds_samples_are_rejected_with_the_file_named(samples_dir: Path, name: str) -> None:
    path = samples_dir / name
    with pytest.raises(OCDSFormatError) as caught:
        list(iter_file_releases(path))
    assert str(path) in str(caught.value)
    assert "expected an OCDS release package" in str(caught.value)


def test_sample_count(samples_dir: Path) -> None:
    names = {path.name for path in samples_dir.glob("*/*.json")}
    assert "find_a_tender_2026-09-11_multilot_tender_releases.json" in names
    assert len(list(samples_dir.glob("multi-lot-ocds/*.json"))) == 6
