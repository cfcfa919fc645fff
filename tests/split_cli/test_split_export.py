"""`lotwise split export`: JSON is the stored assessment, CSV a row per package, OCDS a
release (or package) whose lots and items validate against the shipped OCDS 1.1.5 schema
with the lots extension's fields."""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from split_fixtures import write_package

from scanner.ingest.ocds import release_schema
from scanner.services.split_export import (
    CSV_LEAD,
    assessment_dict,
    csv_table,
    ocds_release,
    ocds_release_package,
    plain,
)
from scanner.splitter import Assessment, Package, Signal

jsonschema = pytest.importorskip("jsonschema")
Cli = Callable[..., Any]
DATE = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def validator() -> Any:
    """The shipped OCDS 1.1.5 release schema plus the lots extension's fields we write
    (`tender.lots`, `Item.relatedLot`), strict about what a lot may hold."""
    schema = copy.deepcopy(release_schema())
    definitions = schema["definitions"]
    definitions["Lot"] = {
        "type": "object",
        "required": ["id"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "title": {"type": ["string", "null"]},
            "description": {"type": ["string", "null"]},
            "value": {"$ref": "#/definitions/Value"},
            "contractPeriod": {"$ref": "#/definitions/Period"},
        },
    }
    definitions["Tender"]["properties"]["lots"] = {
        "type": "array",
        "items": {"$ref": "#/definitions/Lot"},
    }
    definitions["Item"]["properties"]["relatedLot"] = {"type": ["string", "null"]}
    return jsonschema.Draft4Validator(schema)


def assert_valid_release(release: dict[str, Any]) -> None:
    errors = sorted(validator().iter_errors(release), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    tender = release["tender"]
    lot_ids = [lot["id"] for lot in tender.get("lots", [])]
    assert len(lot_ids) == len(set(lot_ids))
    item_ids = [item["id"] for item in tender.get("items", [])]
    assert len(item_ids) == len(set(item_ids)), item_ids
    assert all(item["relatedLot"] in lot_ids for item in tender.get("items", []))
    assert set(lot_ids) <= {item["relatedLot"] for item in tender.get("items", [])}


@pytest.fixture
def assessed(cli: Cli, releases: list[dict[str, Any]], tmp_path: Path) -> list[dict[str, Any]]:
    result = cli("ingest", str(write_package(tmp_path / "p.json", releases)))
    assert result.exit_code == 0, result.output
    listed = cli("split", "list", "--all", "--json")
    return list(json.loads(listed.stdout))


def test_json_export_is_what_show_prints(cli: Cli, assessed: list[dict[str, Any]]) -> None:
    tender_id = str(assessed[0]["tender_id"])
    exported = cli("split", "export", tender_id, "--format", "json")
    shown = cli("split", "show", tender_id, "--json")
    assert exported.exit_code == 0 and json.loads(exported.stdout) == json.loads(shown.stdout)
    everything = json.loads(cli("split", "export", "--all").stdout)
    assert [e["tender"]["id"] for e in everything] == [r["tender_id"] for r in assessed]


def test_csv_has_one_row_per_package(
    cli: Cli, assessed: list[dict[str, Any]], tmp_path: Path
) -> None:
    target = tmp_path / "packages.csv"
    result = cli("split", "export", "--all", "--should-split", "--format", "csv", "-o", str(target))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    suggested = [r for r in assessed if r["should_split"]]
    assert len(rows) == sum(r["package_count"] for r in suggested)
    assert {int(r["tender_id"]) for r in rows} == {r["tender_id"] for r in suggested}
    assert list(rows[0])[: len(CSV_LEAD)] == list(CSV_LEAD)
    assert {"title", "item_ids", "estimated_value", "strategy", "reason"} <= set(rows[0])
    assert all(r["reason"] and r["should_split"] == "true" for r in rows)


def test_ocds_export_of_one_tender_is_a_valid_release_with_lots(
    cli: Cli, assessed: list[dict[str, Any]]
) -> None:
    best = next(r for r in assessed if r["should_split"])
    result = cli("split", "export", str(best["tender_id"]), "--format", "ocds")
    assert result.exit_code == 0, result.output
    release = json.loads(result.stdout)
    assert_valid_release(release)
    assert release["ocid"] == best["ocid"]
    assert len(release["tender"]["lots"]) == best["package_count"]
    assert release["tender"]["value"]["amount"] == float(best["aggregated_value"])


def test_ocds_export_of_all_is_a_release_package_of_valid_releases(
    cli: Cli, assessed: list[dict[str, Any]]
) -> None:
    package = json.loads(cli("split", "export", "--all", "--format", "ocds").stdout)
    assert {"uri", "version", "publishedDate", "publisher", "releases"} <= set(package)
    assert len(package["releases"]) == len(assessed)
    for release in package["releases"]:
        assert_valid_release(release)
    assert any(r["tender"].get("lots") for r in package["releases"])


def test_export_needs_an_id_or_all_and_says_so(cli: Cli, assessed: list[dict[str, Any]]) -> None:
    neither = cli("split", "export")
    assert neither.exit_code == 2 and "tender ID or --all" in neither.stderr
    unknown = cli("split", "export", "999999", "--format", "ocds")
    assert unknown.exit_code == 1 and "No tender with id 999999" in unknown.stderr


# -- the pure serialisers ------------------------------------------------------------------


def package(**changes: Any) -> Package:
    base = Package(
        title="Discovery",
        scope="User research and service design",
        item_ids=("1",),
        cpv="72220000",
        estimated_value=Decimal("80000.50"),
        value_method="share of the published value",
        duration_months=3,
        region="UKI4",
        depends_on=(),
        strategy="by phase",
        reason="Discovery is a phase that can be contracted alone.",
    )
    return Package(**{**plain_fields(base), **changes})


def plain_fields(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


def assessment(packages: tuple[Package, ...]) -> Assessment:
    return Assessment(
        should_split=True,
        score=0.8,
        status="assessed",
        insufficient_reason=None,
        signals=(
            Signal("no_lots", True, "Above the threshold, not in lots.", "PA 2023 s.18", 0.3),
        ),
        packages=packages,
        aggregated_value=Decimal("240000"),
        currency="GBP",
        jurisdiction="UK",
        procedure="open procedure",
        aggregation_note="The packages add up to the whole.",
        civic_friendliness=0.25,
        rules_version="test-1",
    )


TENDER = {
    "id": 7,
    "ocid": "ocds-test-7",
    "title": "Website rebuild",
    "description": "Rebuild the council website.",
    "buyer_name": "Test Council",
    "buyer_id": "GB-TEST",
    "currency": "GBP",
    "items": [
        {
            "id": "1",
            "description": "Research",
            "classifications": [
                {"scheme": "CPV", "code": "72220000", "description": "IT consultancy"}
            ],
        },
        {"id": "2", "description": "Build", "classifications": []},
    ],
}


def test_assessment_dict_keeps_field_order_money_as_strings_and_lists() -> None:
    data = assessment_dict(assessment((package(),)))
    assert list(data) == [f.name for f in fields(Assessment)]
    assert data["aggregated_value"] == "240000"
    assert data["packages"][0]["estimated_value"] == "80000.50"
    assert data["packages"][0]["item_ids"] == ["1"] and data["packages"][0]["depends_on"] == []
    assert json.loads(json.dumps(data)) == data


def test_a_field_the_splitter_adds_flows_into_json_and_csv() -> None:
    @dataclass(frozen=True)
    class RicherPackage:
        title: str
        item_ids: tuple[str, ...]
        confidence: float = 0.9

    data = plain({"packages": [RicherPackage("A", ("1",))], "should_split": True})
    assert data["packages"][0]["confidence"] == 0.9
    header, rows = csv_table([(TENDER, data)])
    assert "confidence" in header and rows[0][header.index("confidence")] == "0.9"


def test_ocds_release_links_shared_and_itemless_packages_to_lots() -> None:
    packages = (
        package(),
        package(title="Build", item_ids=("1", "2"), duration_months=None, estimated_value=None),
        package(title="Training", item_ids=(), cpv="80533100", duration_months=12),
    )
    release = ocds_release(TENDER, assessment_dict(assessment(packages)), date=DATE)
    assert_valid_release(release)
    lots = release["tender"]["lots"]
    assert [lot["id"] for lot in lots] == ["1", "2", "3"]
    assert lots[0]["value"] == {"amount": 80000.5, "currency": "GBP"}
    assert lots[0]["contractPeriod"] == {"durationInDays": 91}
    assert "value" not in lots[1] and "contractPeriod" not in lots[1]
    assert "Discovery is a phase" in lots[0]["description"]
    items = {item["id"]: item for item in release["tender"]["items"]}
    assert items["1"]["relatedLot"] == "1" and items["1-lot-2"]["relatedLot"] == "2"
    assert items["1"]["classification"]["id"] == "72220000"
    assert items["2"]["relatedLot"] == "2"
    assert items["lot-3-scope"]["classification"] == {"scheme": "CPV", "id": "80533100"}
    assert release["buyer"] == {"id": "GB-TEST", "name": "Test Council"}
    wrapped = ocds_release_package([release], date=DATE)
    assert wrapped["releases"] == [release] and wrapped["version"] == "1.1"
    assert any("ocds_lots_extension" in url for url in wrapped["extensions"])


def test_lotwise_notes_stay_out_of_csv_and_ocds() -> None:
    internal = "Still above the micro-contract ceiling of GBP 135,018."
    data = assessment_dict(assessment((package(notes=(internal,)),)))
    header, rows = csv_table([(TENDER, data)])
    assert "notes" not in header and internal not in " ".join(rows[0])
    release = ocds_release(TENDER, data, date=DATE)
    assert internal not in json.dumps(release)
