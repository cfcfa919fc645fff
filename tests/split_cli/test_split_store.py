"""Stored split assessments on SQLite and PostgreSQL: incremental, idempotent, one bad tender
recorded and skipped, and the rebuilt tender assessed exactly like the one normalised."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from split_fixtures import NOW, ingest, thresholds_with_version, write_package
from sqlalchemy import Engine, func, select, text, update

from scanner.ingest.normalise import normalise_release
from scanner.ingest.ocds import compile_releases
from scanner.models import Base, SplitAssessment, Tender
from scanner.services.split_export import assessment_dict
from scanner.services.splitting import refresh_assessments
from scanner.splitter import Thresholds, assess, load_thresholds
from scanner.storage import assessments as store


def rows(engine: Engine) -> dict[int, SplitAssessment]:
    with engine.connect() as conn:
        found = conn.execute(select(SplitAssessment)).all()
    return {row.tender_id: row for row in found}


def tender_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Tender)).scalar_one())


def test_first_refresh_assesses_every_tender_and_the_second_none(
    stored: Engine, thresholds: Thresholds
) -> None:
    total = tender_count(stored)
    first = refresh_assessments(stored, thresholds=thresholds, now=NOW, batch_size=7)
    assert (first.assessed, first.new, first.reassessed, first.errors) == (total, total, 0, 0)
    saved = rows(stored)
    assert len(saved) == total
    assert first.should_split == sum(r.should_split for r in saved.values()) > 0
    again = refresh_assessments(stored, thresholds=thresholds, now=NOW)
    assert again.assessed == 0
    assert {k: (v.id, v.assessed_at, v.data) for k, v in rows(stored).items()} == {
        k: (v.id, v.assessed_at, v.data) for k, v in saved.items()
    }


def test_stored_row_mirrors_its_json_with_the_rules_and_tender_version(
    stored: Engine, thresholds: Thresholds
) -> None:
    refresh_assessments(stored, thresholds=thresholds, now=NOW)
    with stored.connect() as conn:
        versions = dict(conn.execute(select(Tender.id, Tender.version)).all())
    for row in rows(stored).values():
        data = row.data
        assert set(data) >= {"should_split", "score", "status", "insufficient_reason"}
        assert set(data) >= {"signals", "packages", "aggregated_value", "rules_version"}
        assert row.should_split == data["should_split"] and row.score == data["score"]
        assert row.package_count == len(data["packages"])
        assert row.rules_version == data["rules_version"] == thresholds.rules_version
        assert row.tender_version == versions[row.tender_id]
        assert row.assessed_at == NOW
        for signal in data["signals"]:
            assert set(signal) >= {"code", "fired", "reason", "source", "weight"}
            assert signal["reason"] and signal["source"]
        for package in data["packages"]:
            assert isinstance(package["item_ids"], list) and package["reason"]
            assert package["estimated_value"] is None or isinstance(package["estimated_value"], str)
        if data["aggregated_value"] is not None:
            assert str(row.aggregated_value) == f"{float(data['aggregated_value']):.2f}"


def test_a_changed_tender_is_assessed_again_and_only_it(
    stored: Engine, thresholds: Thresholds, releases: list[dict[str, Any]], tmp_path: Path
) -> None:
    refresh_assessments(stored, thresholds=thresholds, now=NOW)
    before = rows(stored)
    amended = copy.deepcopy(next(r for r in releases if r["tender"].get("value")))
    amended["id"] = f"{amended['id']}-amended"
    amended["date"] = "2026-11-26T10:00:00+00:00"
    amended["tender"]["value"]["amount"] = 99_000_000
    ingest(stored, write_package(tmp_path / "amendment.json", [amended]))
    with stored.connect() as conn:
        changed_id, version = conn.execute(
            select(Tender.id, Tender.version).where(Tender.ocid == amended["ocid"])
        ).one()
    assert version == before[changed_id].tender_version + 1
    later = NOW.replace(hour=13)
    counts = refresh_assessments(stored, thresholds=thresholds, now=later)
    assert (counts.assessed, counts.new, counts.reassessed) == (1, 0, 1)
    after = rows(stored)
    assert after[changed_id].tender_version == version
    assert after[changed_id].data["aggregated_value"] == "99000000"
    assert {k for k, v in after.items() if v.assessed_at == later} == {changed_id}


def test_new_rules_version_reassesses_every_tender(
    stored: Engine, thresholds: Thresholds, tmp_path: Path
) -> None:
    refresh_assessments(stored, thresholds=thresholds, now=NOW)
    newer = load_thresholds(thresholds_with_version(tmp_path, "2099-01-01.1"))
    counts = refresh_assessments(stored, thresholds=newer, now=NOW)
    assert counts.assessed == counts.reassessed == tender_count(stored)
    assert {r.rules_version for r in rows(stored).values()} == {"2099-01-01.1"}
    assert refresh_assessments(stored, thresholds=newer, now=NOW).assessed == 0


def test_everything_reassesses_all_without_looping(stored: Engine, thresholds: Thresholds) -> None:
    refresh_assessments(stored, thresholds=thresholds, now=NOW)
    counts = refresh_assessments(
        stored, thresholds=thresholds, now=NOW, everything=True, batch_size=10
    )
    assert counts.assessed == counts.reassessed == tender_count(stored)


def test_a_tender_that_cannot_be_assessed_is_recorded_and_the_rest_go_on(
    stored: Engine, thresholds: Thresholds
) -> None:
    with stored.begin() as conn:
        ids = list(conn.execute(select(Tender.id).order_by(Tender.id)).scalars())
        broken = ids[len(ids) // 2]
        # Items a store bug or manual edit could leave behind: a number, not a list of objects.
        conn.execute(
            update(Tender)
            .where(Tender.id == broken)
            .values(items=[{"id": "1", "classifications": 5}])
        )
    counts = refresh_assessments(stored, thresholds=thresholds, now=NOW, batch_size=5)
    assert counts.assessed == len(ids) and counts.errors == 1
    saved = rows(stored)
    bad = saved[broken]
    assert bad.status == "error" and "TypeError" in (bad.error or "")
    assert bad.data["status"] == "error" and bad.data["signals"] == []
    assert bad.data["insufficient_reason"] == bad.error
    assert set(bad.data) == set(saved[ids[0]].data)  # the same keys as a good assessment
    assert sum(r.status != "error" for r in saved.values()) == len(ids) - 1
    assert refresh_assessments(stored, thresholds=thresholds, now=NOW).assessed == 0


def test_rebuilt_tender_gets_the_assessment_of_the_normalised_one(
    stored: Engine, thresholds: Thresholds, releases: list[dict[str, Any]]
) -> None:
    by_ocid: dict[str, list[dict[str, Any]]] = {}
    for release in releases:
        by_ocid.setdefault(release["ocid"], []).append(release)
    with stored.connect() as conn:
        stale = store.stale_tenders(
            conn, rules_version=thresholds.rules_version, after_id=0, limit=1000
        )
    assert len(stale) == len(by_ocid)
    with_lots = 0
    for item in stale:
        rebuilt = store.rebuild_tender(item)
        group = by_ocid[rebuilt.ocid or ""]
        compiled = group[0] if len(group) == 1 else compile_releases(group)
        original = normalise_release(compiled, source="import")
        original = replace(original, notice_id=rebuilt.notice_id)
        with_lots += bool(rebuilt.lots)
        assert rebuilt.title == original.title and rebuilt.items == original.items
        assert rebuilt.value_amount == original.value_amount
        assert assessment_dict(assess(rebuilt, now=NOW, thresholds=thresholds)) == assessment_dict(
            assess(original, now=NOW, thresholds=thresholds)
        )
    assert with_lots > 0


def test_model_and_migration_agree_on_the_split_table(engine: Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert [d for d in differences if "split_assessments" in repr(d)] == []


def refuse_assessments_of(engine: Engine, tender_id: int) -> None:
    """A real database refusal for one tender's assessment (not for its error record)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(
                text(
                    "CREATE FUNCTION refuse_one() RETURNS trigger AS $$ BEGIN "
                    f"IF NEW.tender_id = {tender_id} AND NEW.status <> 'error' THEN "
                    "RAISE EXCEPTION 'refused by test trigger'; END IF; RETURN NEW; END $$ "
                    "LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_one BEFORE INSERT ON split_assessments "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_one()"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_one BEFORE INSERT ON split_assessments "
                    f"WHEN NEW.tender_id = {tender_id} AND NEW.status != 'error' "
                    "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"
                )
            )


def test_a_row_the_database_refuses_is_recorded_and_the_batch_still_stored(
    stored: Engine, thresholds: Thresholds
) -> None:
    with stored.connect() as conn:
        ids = list(conn.execute(select(Tender.id).order_by(Tender.id)).scalars())
    refused = ids[3]
    refuse_assessments_of(stored, refused)
    counts = refresh_assessments(stored, thresholds=thresholds, now=NOW, batch_size=10)
    assert counts.assessed == len(ids) and counts.errors == 1
    saved = rows(stored)
    assert len(saved) == len(ids)
    assert saved[refused].status == "error"
    assert "refused by test trigger" in (saved[refused].error or "")
    assert all(r.status != "error" for k, r in saved.items() if k != refused)
