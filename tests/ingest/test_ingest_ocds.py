"""OCDS shapes, personal-data removal and compilation."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from scanner.ingest.ocds import (
    OCDSFormatError,
    compile_releases,
    release_schema,
    releases_in_package,
    strip_personal_data,
)

RELEASE: dict[str, Any] = {
    "ocid": "ocds-abc-1",
    "id": "r1",
    "date": "2026-01-01T10:00:00Z",
    "tag": ["tender"],
    "parties": [
        {"id": "B1", "name": "Council", "roles": ["buyer"], "contactPoint": {"email": "a@b.c"}},
    ],
    "buyer": {"id": "B1", "name": "Council", "contactPoint": {"name": "Jo Bloggs"}},
    "tender": {
        "title": "Thing",
        "procuringEntity": {"name": "Agency", "contactPoint": {"telephone": "0123"}},
        "items": [{"id": "1", "deliveryAddresses": [{"region": "UKM8"}]}],
    },
}


def _contact_points(obj: object) -> int:
    if isinstance(obj, dict):
        return ("contactPoint" in obj) + sum(_contact_points(v) for v in obj.values())
    if isinstance(obj, list):
        return sum(_contact_points(v) for v in obj)
    return 0


def test_strip_personal_data_everywhere_without_touching_input() -> None:
    original = copy.deepcopy(RELEASE)
    nested = {"a": [{"b": {"contactPoint": {"x": 1}, "keep": [1, 2]}}], "contactPoint": "x"}
    stripped = strip_personal_data({**RELEASE, "extension": nested})
    assert _contact_points(stripped) == 0
    assert stripped["tender"]["procuringEntity"] == {"name": "Agency"}
    assert stripped["extension"] == {"a": [{"b": {"keep": [1, 2]}}]}
    assert original == RELEASE  # the input is never modified
    # unchanged subtrees are shared, not copied
    assert stripped["tender"]["items"] is RELEASE["tender"]["items"]


def test_strip_walks_when_contact_points_are_elsewhere() -> None:
    release = {
        "ocid": "o",
        "contracts": [{"implementation": {"transactions": [{"payer": {"contactPoint": {}}}]}}],
        "awards": [{"suppliers": [{"id": "S", "contactPoint": {"email": "x@y.z"}}]}],
        "tender": {"tenderers": [{"id": "T", "contactPoint": {}}], "note": "contactPoint"},
        "weird": {1: {"contactPoint": "x"}},  # not JSON-serialisable: walked
    }
    stripped = strip_personal_data(release)
    assert _contact_points(stripped) == 0
    assert stripped["tender"]["note"] == "contactPoint"  # a value, not a key: kept
    assert _contact_points(release) == 4  # input untouched


def test_strip_counts_what_the_usual_places_removed() -> None:
    """The usual places are confirmed by counting `"contactPoint"` in the serialisation: a
    string value spelt so, a contact point nested in a removed one, one left elsewhere or a
    shared object each leave the count unequal or are removed with their parent, and the
    result never holds a contact point either way."""
    import orjson

    shared = {"id": "B1", "name": "Council", "contactPoint": {"email": "a@b.c"}}
    cases = [
        {**RELEASE, "description": "contactPoint"},  # a value: counted, never removed
        {**RELEASE, "buyer": {"id": "B1", "contactPoint": {"contactPoint": {"x": 1}}}},
        {**RELEASE, "planning": {"budget": {"contactPoint": {"name": "x"}}}},
        {**RELEASE, "parties": [shared], "buyer": shared},  # one object in two places
        {"ocid": "o", "contactPoint": {"name": "top"}, "awards": [{"suppliers": [shared]}]},
    ]
    for release in cases:
        before = copy.deepcopy(release)
        for encoded in (None, orjson.dumps(release, option=orjson.OPT_SORT_KEYS)):
            stripped = strip_personal_data(release, encoded)
            assert _contact_points(stripped) == 0
            assert release == before  # the input is never modified
    assert strip_personal_data(cases[0])["description"] == "contactPoint"
    assert strip_personal_data(cases[2])["planning"] == {"budget": {}}


def test_strip_returns_input_when_nothing_to_strip() -> None:
    clean = {"ocid": "x", "tender": {"items": [{"id": "1"}]}}
    assert strip_personal_data(clean) is clean
    assert strip_personal_data([1, "a", None]) == [1, "a", None]
    assert strip_personal_data("contactPoint") == "contactPoint"


def test_releases_in_package_shapes() -> None:
    release = dict(RELEASE)
    assert releases_in_package({"uri": "u", "releases": [release, "junk"]}) == [release]
    assert releases_in_package(release) == [release]
    # a record with full releases gives them (to compile with stored ones)...
    record = {"ocid": "ocds-abc-1", "releases": [release], "compiledRelease": {"ocid": "c"}}
    assert releases_in_package(record) == [release]
    # ...with linked releases, its compiled release
    linked = {"ocid": "ocds-abc-1", "releases": [{"url": "u", "date": "d", "tag": ["t"]}]}
    assert releases_in_package({**linked, "compiledRelease": {"ocid": "c"}}) == [{"ocid": "c"}]
    assert releases_in_package(
        {"records": [record, {**linked, "compiledRelease": {"ocid": "c"}}]}
    ) == [
        release,
        {"ocid": "c"},
    ]
    assert releases_in_package([release, {"releases": [release]}]) == [release, release]


@pytest.mark.parametrize(
    ("obj", "found"),
    [
        (
            {"notices": [], "totalNoticeCount": 0},
            "a JSON object with keys notices, totalNoticeCount",
        ),
        ({}, "an empty JSON object"),
        ([], "a JSON array"),
        ("release", "a JSON string"),
        (3, "a JSON number"),
        (None, "a JSON null"),
        ([1, 2], "a JSON array"),
    ],
)
def test_releases_in_package_rejects_non_ocds(obj: object, found: str) -> None:
    with pytest.raises(OCDSFormatError) as caught:
        releases_in_package(obj)
    message = str(caught.value)
    assert message.startswith("expected an OCDS release package, record package or release")
    assert message.endswith(f"found {found}")


def _release(release_id: str, date: str | None, **tender: Any) -> dict[str, Any]:
    release: dict[str, Any] = {"ocid": "ocds-abc-1", "id": release_id, "tag": ["tender"]}
    if date is not None:
        release["date"] = date
    release["tender"] = {"id": "t", **tender}
    return release


def test_compile_merges_in_date_order() -> None:
    first = _release("1", "2026-01-01T10:00:00Z", title="Old", status="planned",
                     items=[{"id": "1", "description": "chairs"}])  # fmt: skip
    second = _release("2", "2026-01-02T10:00:00+01:00", title="New", status="active",
                      items=[{"id": "2", "description": "desks"}])  # fmt: skip
    third = _release("3", "2026-01-03T10:00:00Z", tenderPeriod={"endDate": "2026-02-01T12:00:00Z"})
    compiled = compile_releases([third, first, second])  # given out of order
    assert compiled["tender"]["title"] == "New"
    assert compiled["tender"]["status"] == "active"
    assert compiled["tender"]["tenderPeriod"] == {"endDate": "2026-02-01T12:00:00Z"}
    assert [i["id"] for i in compiled["tender"]["items"]] == ["1", "2"]  # merged by id
    assert compiled["date"] == "2026-01-03T10:00:00Z"
    assert compiled["id"] == "ocds-abc-1-2026-01-03T10:00:00Z"
    assert compiled["tag"] == ["compiled"]


def test_compile_orders_by_instant_not_by_string() -> None:
    # as strings "…T09:30:00Z" < "…T10:00:00+01:00", but the +01:00 one is earlier (09:00Z)
    early = _release("a", "2026-01-01T10:00:00+01:00", title="Early")
    late = _release("b", "2026-01-01T09:30:00Z", title="Late")
    assert compile_releases([late, early])["tender"]["title"] == "Late"


def test_compile_releases_without_dates_first_and_stable() -> None:
    undated_a = _release("a", None, title="A")
    undated_b = _release("b", None, title="B")
    dated = _release("c", "2026-01-01T00:00:00Z", status="active")
    compiled = compile_releases([dated, undated_a, undated_b])
    assert compiled["tender"]["title"] == "B"  # undated merged first, in given order
    assert compiled["tender"]["status"] == "active"
    all_undated = compile_releases([undated_a, undated_b])
    assert all_undated["tender"]["title"] == "B"
    assert all_undated["id"] == "ocds-abc-1"
    assert "date" not in all_undated


def test_compile_single_release_is_returned_as_is() -> None:
    release = _release("1", "2026-01-01T00:00:00Z", title="Only")
    assert compile_releases([release]) is release


def test_compile_errors() -> None:
    with pytest.raises(OCDSFormatError, match="no releases"):
        compile_releases([])
    other = {**_release("2", "2026-01-02T00:00:00Z"), "ocid": "ocds-other"}
    with pytest.raises(OCDSFormatError, match="different ocids"):
        compile_releases([_release("1", "2026-01-01T00:00:00Z"), other])
    as_list = _release("1", "2026-01-01T00:00:00Z", items=[{"id": "1"}])
    as_object = _release("2", "2026-01-02T00:00:00Z", items={"id": "1"})
    with pytest.raises(OCDSFormatError, match="cannot merge the releases of ocds-abc-1"):
        compile_releases([as_list, as_object])


def test_shipped_schema_is_ocds_1_1() -> None:
    schema = release_schema()
    assert schema["id"].endswith("/1__1__5/release-schema.json")
    assert {"Tender", "Item", "Classification", "Organization"} <= schema["definitions"].keys()
