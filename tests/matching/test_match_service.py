"""Matching stored tenders, lots and packages against stored profiles, on SQLite and
PostgreSQL: the stored lists equal the ranking, `found_at` stays put, changes recompute."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from seed_template import copy_seeded
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from scanner.demo.generate import generate_releases
from scanner.models import Match, Organisation, Tender
from scanner.orgs import load_rates
from scanner.services.ingest import ingest_files
from scanner.services.matching import MatchingConfig, refresh_matches
from scanner.services.organisations import import_organisations
from scanner.services.splitting import refresh_assessments
from scanner.settings import DEFAULT_CONFIG_DIR, PROJECT_ROOT
from scanner.splitter import load_thresholds

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ORGS = PROJECT_ROOT / "scanner" / "demo" / "organisations.toml"


@pytest.fixture(scope="module")
def config() -> MatchingConfig:
    return MatchingConfig.load(
        DEFAULT_CONFIG_DIR / "matching.toml", DEFAULT_CONFIG_DIR / "rates.toml", top=10
    )


@pytest.fixture
def matched_db(engine: Engine) -> Engine:
    """A copy of `_ingested`, seeded once per test process and backend (`seed_template`)."""
    copy_seeded(engine, "match_service", _ingested)
    return engine


def _ingested(engine: Engine, tmp_path: Path) -> None:
    """Generated Find a Tender style releases ingested and assessed; the demo profiles."""
    package = tmp_path / "package.json"
    package.write_text(json.dumps({"uri": "x", "releases": generate_releases(150)}))
    outcomes = ingest_files(engine, [package], source_name="import", now=lambda: NOW)
    assert all(o.ok for o in outcomes)
    refresh_assessments(
        engine, thresholds=load_thresholds(DEFAULT_CONFIG_DIR / "thresholds.toml"), now=NOW
    )
    rates = load_rates(DEFAULT_CONFIG_DIR / "rates.toml")
    assert import_organisations(engine, ORGS, now=NOW, rates=rates).stored


def stored(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with Session(engine) as session:
        rows = session.execute(
            select(Match, Organisation.slug)
            .join(Organisation)
            .order_by(Match.score.desc(), Match.opportunity_id)
        ).all()
    found: dict[str, list[dict[str, Any]]] = {}
    for match, slug in rows:
        found.setdefault(slug, []).append(
            {
                "opportunity_id": match.opportunity_id,
                "tender_id": match.tender_id,
                "score": match.score,
                "found_at": match.found_at,
                "explanation": match.explanation,
                "breakdown": match.breakdown,
                "organisation_version": match.organisation_version,
            }
        )
    return found


def test_stored_matches_are_each_organisations_ranked_list(
    matched_db: Engine, config: MatchingConfig
) -> None:
    run = refresh_matches(matched_db, config, now=NOW)
    assert run.organisations == 31 and run.tenders > 0
    assert run.opportunities > run.tenders  # lots and proposed packages are scored too
    saved = stored(matched_db)
    assert run.stored == sum(len(v) for v in saved.values()) > 0
    assert run.new == run.stored
    for slug, ranked in run.ranked.items():
        assert len(ranked) <= config.top
        assert {r.opportunity.id for r in ranked} == {
            m["opportunity_id"] for m in saved.get(slug, [])
        }
        scores = [r.match.score for r in ranked]
        assert scores == sorted(scores, reverse=True)
        tenders = [r.tender.tender_id for r in ranked]
        assert len(tenders) == len(set(tenders)), "a tender is listed once, by its best part"
    kinds = {r.opportunity.kind for ranked in run.ranked.values() for r in ranked}
    assert "tender" in kinds and kinds & {"buyer_lot", "suggested_package"}
    for rows in saved.values():
        for row in rows:
            assert row["explanation"]
            names = {entry["criterion"] for entry in row["breakdown"]}
            assert {"text", "keywords", "classification", "value", "geography"} <= names
            assert all(entry["detail"] for entry in row["breakdown"])


def test_a_second_refresh_keeps_found_at_and_finds_nothing_new(
    matched_db: Engine, config: MatchingConfig
) -> None:
    with matched_db.connect() as conn:  # languages are detected by the first matching run
        assert set(conn.execute(select(Tender.language)).scalars()) == {None}
    refresh_matches(matched_db, config, now=NOW)
    first = stored(matched_db)
    with matched_db.connect() as conn:
        languages = dict(conn.execute(select(Tender.id, Tender.language)).all())
    assert languages and "en" in languages.values()  # open tenders' languages stored
    again = refresh_matches(matched_db, config, now=NOW)
    assert again.new == 0 and again.stored == sum(len(v) for v in first.values())
    assert stored(matched_db) == first


def test_closed_tenders_leave_the_lists(matched_db: Engine, config: MatchingConfig) -> None:
    run = refresh_matches(matched_db, config, now=NOW)
    matched = {r.tender.tender_id for ranked in run.ranked.values() for r in ranked}
    closing = sorted(matched)[:3]
    with matched_db.begin() as conn:
        conn.execute(update(Tender).where(Tender.id.in_(closing)).values(status="cancelled"))
    refresh_matches(matched_db, config, now=NOW)
    left = {m["tender_id"] for rows in stored(matched_db).values() for m in rows}
    assert left and not left & set(closing)


def test_a_changed_profile_is_ranked_again(
    matched_db: Engine, config: MatchingConfig, tmp_path: Path
) -> None:
    refresh_matches(matched_db, config, now=NOW)
    before = stored(matched_db)["fieldwork-research-coop"]
    data = tomllib.loads(ORGS.read_text(encoding="utf-8"))
    profile = next(o for o in data["organisation"] if o["id"] == "fieldwork-research-coop")
    changed = tmp_path / "changed.toml"
    changed.write_text(
        "[[organisation]]\n"
        + "\n".join(
            f"{key} = {json.dumps(value)}"
            for key, value in {
                **profile,
                "keywords": ["school transport"],
                "capabilities": "Home to school transport routes",
                "cpv": ["60100000"],
            }.items()
        ),
        encoding="utf-8",
    )
    rates = load_rates(DEFAULT_CONFIG_DIR / "rates.toml")
    assert import_organisations(matched_db, changed, now=NOW, rates=rates).stored
    refresh_matches(matched_db, config, now=NOW)
    after = stored(matched_db).get("fieldwork-research-coop", [])
    assert {m["opportunity_id"] for m in after} != {m["opportunity_id"] for m in before}
    assert all(m["organisation_version"] == 2 for m in after)


def test_a_what_if_run_stores_nothing(matched_db: Engine, config: MatchingConfig) -> None:
    run = refresh_matches(matched_db, config, now=NOW, store_results=False)
    assert run.stored == 0 and any(run.ranked.values())
    assert stored(matched_db) == {}


def test_only_named_organisations_are_ranked(matched_db: Engine, config: MatchingConfig) -> None:
    run = refresh_matches(matched_db, config, now=NOW, only=["code-for-good-cic"])
    assert set(run.ranked) == {"code-for-good-cic"}
    assert set(stored(matched_db)) <= {"code-for-good-cic"}


def test_a_tender_matched_through_another_part_keeps_its_first_found_time(
    matched_db: Engine, config: MatchingConfig
) -> None:
    from datetime import timedelta

    from scanner.storage.matches import replace_matches

    run = refresh_matches(matched_db, config, now=NOW)
    first = next(r for r in run.ranked.values() if r)[0]
    with Session(matched_db) as session:
        row = session.scalars(
            select(Match)
            .join(Organisation)
            .where(
                Match.opportunity_id == first.opportunity.id,
                Organisation.slug == first.organisation,
            )
        ).one()
        organisation_id, found_at = row.organisation_id, row.found_at
        moved = {
            column: getattr(row, column)
            for column in [c.key for c in Match.__table__.columns]
            if column != "id"
        }
    later = found_at + timedelta(days=3)
    moved.update(opportunity_id=f"package:{first.tender.tender_id}:9", found_at=later)
    with matched_db.begin() as conn:
        replace_matches(conn, organisation_id, [moved])
    with Session(matched_db) as session:
        (kept,) = session.scalars(select(Match).where(Match.organisation_id == organisation_id))
    assert kept.opportunity_id.endswith(":9") and kept.found_at == found_at


def test_an_opportunity_published_twice_is_matched_once(
    matched_db: Engine, config: MatchingConfig
) -> None:
    from scanner.models import CanonicalMember

    run = refresh_matches(matched_db, config, now=NOW)
    matched = sorted({r.tender.tender_id for ranked in run.ranked.values() for r in ranked})
    keeper, copy = matched[0], matched[1]
    with matched_db.begin() as conn:
        for tender_id in (keeper, copy):
            conn.execute(
                CanonicalMember.__table__.insert().values(
                    tender_id=tender_id,
                    canonical_id=keeper,
                    tender_version=1,
                    method="fuzzy" if tender_id == copy else "single",
                    reasons=[],
                    identifiers={},
                    linked_at=NOW,
                )
            )
    again = refresh_matches(matched_db, config, now=NOW)
    listed = {r.tender.tender_id for ranked in again.ranked.values() for r in ranked}
    assert copy not in listed and again.tenders == run.tenders - 1
