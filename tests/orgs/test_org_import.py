"""Reading profile files in each format, writing them back, and storing them on SQLite and
PostgreSQL: all or nothing unless invalid records are skipped, versions bump on change."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy import text as sql

from scanner.orgs import (
    FORMATS,
    Format,
    OrganisationProfile,
    OrgFileError,
    dump_profiles,
    load_file,
    load_rates,
    parse_text,
    validate_records,
)
from scanner.services import organisations as service
from scanner.settings import PROJECT_ROOT
from scanner.storage.organisations import upsert_organisations

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
EXAMPLE = PROJECT_ROOT / "docs" / "examples" / "organisations.toml"
DEMO = PROJECT_ROOT / "scanner" / "demo" / "organisations.toml"
RATES = load_rates(PROJECT_ROOT / "config" / "rates.toml")

TOML_TWO = """
[[organisation]]
id = "alpha-coop"
name = "Alpha Co-op"
emails = ["a@alpha.example"]
cpv = ["72", "79311000-7"]
regions = ["UKI"]
value_min = 1000
value_max = 20000.50

[[organisation]]
id = "beta-cic"
name = "Beta CIC"
emails = ["b@beta.example"]
currency = "EUR"
turnover = 250000
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_example_file_imports_cleanly() -> None:
    result = load_file(EXAMPLE, currencies=RATES.currencies)
    assert result.errors == [] and len(result.profiles) == 3


def test_bundled_demo_profiles_import_cleanly() -> None:
    result = load_file(DEMO, currencies=RATES.currencies)
    assert [str(e) for e in result.errors] == []
    assert len(result.profiles) >= 25
    assert len({p.id for p in result.profiles}) == len(result.profiles)


def test_json_as_object_or_bare_list_and_csv_read_the_same_profiles(tmp_path: Path) -> None:
    expected = parse_text(TOML_TWO, "toml").profiles
    records = [p.export_dict() for p in expected]
    as_text = json.loads(json.dumps(records, default=str))
    bare = parse_text(json.dumps(as_text), "json").profiles
    wrapped = parse_text(json.dumps({"organisations": as_text}), "json").profiles
    csv_text = (
        "\ufeffid,name,emails,cpv,regions,value_min,value_max,currency,turnover\n"
        "alpha-coop,Alpha Co-op,a@alpha.example,72;79311000-7,UKI,1000,20000.50,,\n"
        "\n"
        'beta-cic,Beta CIC,b@beta.example,,,,,EUR,"250,000"\n'
    )
    from_csv = load_file(write(tmp_path, "orgs.csv", csv_text)).profiles
    assert bare == wrapped == from_csv == expected
    assert expected[0].value_max == Decimal("20000.5")


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("a.toml", "[[organisation]\nid = 1", "not valid TOML"),
        ("a.toml", '[[organization]]\nid = "x"', "unknown top-level key(s) organization"),
        ("a.toml", "# nothing here\n", "contains no organisations"),
        ("a.json", '{"organisations": [', "not valid JSON"),
        ("a.json", '"just text"', "expected a list"),
        ("a.json", '{"organisations": {"id": "x"}}', "must be a list"),
        ("a.csv", "name,emails\nX,x@example.org\n", "no `id` column"),
        ("a.csv", "", "no header row"),
        ("a.csv", "id,name,emials\nx-1,X,\n", "unknown CSV column(s) emials"),
        ("a.yaml", "id: x", "unknown format '.yaml'"),
    ],
)
def test_unreadable_files_fail_whole_naming_the_file(
    tmp_path: Path, name: str, text: str, fragment: str
) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(OrgFileError) as caught:
        load_file(path)
    assert str(path) in str(caught.value) and fragment in str(caught.value)


def test_missing_file_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(OrgFileError, match="file not found"):
        load_file(tmp_path / "absent.toml")


def test_csv_row_with_more_cells_than_columns_is_a_record_error(tmp_path: Path) -> None:
    text = "id,name,emails\nok-one,Ok,o@example.org\ntoo-many,X,x@example.org,surplus\n"
    result = load_file(write(tmp_path, "a.csv", text))
    assert [p.id for p in result.profiles] == ["ok-one"]
    assert [(e.record, e.record_id) for e in result.errors] == [(2, "too-many")]
    assert "unknown field" in result.errors[0].message


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_round_trips(fmt: Format) -> None:
    profiles = load_file(EXAMPLE).profiles + parse_text(TOML_TWO, "toml").profiles
    text = dump_profiles(profiles, fmt)
    again = parse_text(text, fmt)
    assert again.errors == [] and again.profiles == profiles
    assert dump_profiles(again.profiles, fmt) == text


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=";\x00"), max_size=40
)
_no_nul = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")  # refused
_amount = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)


@st.composite
def profiles(draw: st.DrawFn) -> OrganisationProfile:
    low, high = sorted(draw(st.lists(_amount, min_size=2, max_size=2)))
    record: dict[str, Any] = {
        "id": draw(st.from_regex(r"[a-z0-9-]{2,20}", fullmatch=True)),
        "name": draw(_text).strip() or "x",
        "emails": draw(st.lists(st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.org", fullmatch=True))),
        "description": draw(st.text(_no_nul, max_size=80)).strip(),
        "keywords": draw(st.lists(_text, max_size=4)),
        "cpv": draw(st.lists(st.sampled_from(["72", "722", "48000000", "79311000-2"]))),
        "regions": draw(st.lists(st.sampled_from(["GB", "UKI", "TLC3", "DE21", "EL"]))),
        "value_min": draw(st.sampled_from([low, None])),
        "value_max": draw(st.sampled_from([high, None])),
        "turnover": draw(st.one_of(st.none(), _amount)),
        "team_size": draw(st.one_of(st.none(), st.integers(1, 5000))),
        "remote": draw(st.booleans()),
        "digest": draw(st.sampled_from(["daily", "weekly", "never"])),
        "reserved_eligible": draw(
            st.lists(st.sampled_from(["sheltered_workshop", "social_enterprise"]), unique=True)
        ),
    }
    record["emails"] = record["emails"] or ["x@example.org"]
    return OrganisationProfile.model_validate(record)


@settings(max_examples=60, deadline=None)
@given(st.lists(profiles(), min_size=1, max_size=4, unique_by=lambda p: p.id))
def test_any_valid_profiles_round_trip_in_every_format(items: list[OrganisationProfile]) -> None:
    for fmt in FORMATS:
        again = parse_text(dump_profiles(items, fmt), fmt)
        assert again.errors == [], (fmt, again.errors)
        assert again.profiles == items, fmt


def test_import_stores_profiles_and_reimport_bumps_only_changed_ones(
    engine: Engine, tmp_path: Path
) -> None:
    path = write(tmp_path, "orgs.toml", TOML_TWO)
    first = service.import_organisations(engine, path, now=NOW, rates=RATES)
    assert first.stored and first.result.created == ["alpha-coop", "beta-cic"]
    changed = TOML_TWO.replace('name = "Beta CIC"', 'name = "Beta Community CIC"')
    later = NOW + timedelta(hours=1)
    second = service.import_organisations(
        engine, write(tmp_path, "orgs.toml", changed), now=later, rates=RATES
    )
    assert (second.result.updated, second.result.unchanged) == (["beta-cic"], ["alpha-coop"])
    rows = {row["id"]: row for row in service.list_organisations(engine)}
    assert rows["beta-cic"]["name"] == "Beta Community CIC"
    assert (rows["beta-cic"]["version"], rows["alpha-coop"]["version"]) == (2, 1)
    assert rows["beta-cic"]["updated_at"] == later.isoformat()
    assert rows["beta-cic"]["created_at"] == rows["alpha-coop"]["updated_at"] == NOW.isoformat()
    assert rows["alpha-coop"]["value_max"] == "20000.5"
    assert rows["alpha-coop"]["countries"] == ["GB"]


def test_any_invalid_record_stores_nothing_unless_skipped(engine: Engine, tmp_path: Path) -> None:
    bad = TOML_TWO + '\n[[organisation]]\nid = "gamma"\nname = "G"\nemails = ["g@"]\n'
    bad += '\n[[organisation]]\nid = "delta"\nname = "D"\nemails = ["d@d.example"]\n'
    bad += 'regions = ["UKQ"]\ncurrency = "XOF"\n'
    path = write(tmp_path, "bad.toml", bad)
    report = service.import_organisations(engine, path, now=NOW, rates=RATES)
    assert not report.stored and service.list_organisations(engine) == []
    assert [(e.record, e.field) for e in report.errors] == [
        (3, "emails[1]"),
        (4, "regions[1]"),
        (4, "currency"),
    ]
    assert (report.records, report.valid, report.invalid) == (4, 2, 2)
    skipped = service.import_organisations(engine, path, now=NOW, rates=RATES, skip_invalid=True)
    assert skipped.stored and len(skipped.errors) == 3
    assert [row["id"] for row in service.list_organisations(engine)] == ["alpha-coop", "beta-cic"]


def test_dry_run_checks_without_storing(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "orgs.toml", TOML_TWO)
    report = service.import_organisations(engine, path, now=NOW, dry_run=True)
    assert report.valid == 2 and not report.stored
    assert service.list_organisations(engine) == []


def test_export_from_the_database_imports_back_identically(engine: Engine, tmp_path: Path) -> None:
    service.import_organisations(engine, EXAMPLE, now=NOW, rates=RATES)
    service.import_organisations(engine, write(tmp_path, "two.toml", TOML_TWO), now=NOW)
    stored = service.stored_profiles(engine)
    for fmt in FORMATS:
        text = service.export_organisations(engine, fmt)
        assert parse_text(text, fmt).profiles == stored, fmt
    assert [p.id for p in stored] == sorted(p.id for p in stored)
    again = service.import_organisations(
        engine, write(tmp_path, "again.csv", service.export_organisations(engine, "csv")), now=NOW
    )
    assert len(again.result.unchanged) == len(stored) and again.result.updated == []


def test_active_profiles_for_matching_are_in_gbp(engine: Engine) -> None:
    service.import_organisations(engine, EXAMPLE, now=NOW, rates=RATES)
    profiles = service.active_profiles(engine, RATES)
    assert sorted(p.id for p in profiles) == ["fieldwork-research-coop", "open-data-works"]
    inactive = [p for p in load_file(EXAMPLE).profiles if not p.active]
    assert [p.id for p in inactive] == ["stadtlabor-berlin"]
    eur = validate_records(
        [{**inactive[0].export_dict(), "id": "eur-one", "active": True}]
    ).profiles
    with engine.begin() as conn:
        upsert_organisations(conn, eur, now=NOW)
    converted = {p.id: p for p in service.active_profiles(engine, RATES)}["eur-one"]
    assert converted.value_max is not None and converted.value_max < Decimal(300000)
    assert converted.countries == ("DE", "PL")


def test_reserved_eligibility_is_stored_in_its_own_column_and_read_back(
    engine: Engine, tmp_path: Path
) -> None:
    text = TOML_TWO.replace(
        "value_max = 20000.50",
        'value_max = 20000.50\ncertifications = ["ISO 9001"]\nreserved_eligible = ["social enterprise"]',
    )
    path = write(tmp_path, "orgs.toml", text)
    assert service.import_organisations(engine, path, now=NOW, rates=RATES).stored
    rows = {row["id"]: row for row in service.list_organisations(engine)}
    assert rows["alpha-coop"]["certifications"] == ["ISO 9001"]
    assert rows["alpha-coop"]["reserved_eligible"] == ["social_enterprise"]
    assert rows["beta-cic"]["reserved_eligible"] == []
    with engine.connect() as conn:  # its own column (migration 0029), not in certifications
        stored = dict(conn.execute(sql("SELECT slug, reserved_eligible FROM organisations")).all())
    assert {k: json.loads(v) if isinstance(v, str) else v for k, v in stored.items()} == {
        "alpha-coop": ["social_enterprise"],
        "beta-cic": [],
    }
    again = service.import_organisations(engine, path, now=NOW, rates=RATES)
    assert again.result.unchanged == ["alpha-coop", "beta-cic"]
