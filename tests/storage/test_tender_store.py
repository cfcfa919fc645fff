"""The store is idempotent, versioned and never loses data; on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from scanner.models import Lot, Release, Source, Tender
from scanner.storage.crawls import ensure_source
from scanner.storage.tenders import store_releases

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def tender_release(ocid: str, release_id: str, date: str, **tender: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "T-1",
        "title": "Digital inclusion support &amp; training",
        "description": "<p>Help residents get online.</p><ul><li>Training</li></ul>",
        "status": "active",
        "value": {"amount": 250000, "currency": "GBP"},
        "tenderPeriod": {"endDate": "2027-03-01T12:00:00+00:00"},
        "items": [
            {
                "id": "1",
                "relatedLot": "LOT-1",
                "additionalClassifications": [{"scheme": "CPV", "id": "80500000"}],
                "deliveryAddresses": [{"region": "UKL22", "country": "GB"}],
            },
            {
                "id": "2",
                "relatedLot": "LOT-2",
                "additionalClassifications": [{"scheme": "CPV", "id": "72000000"}],
            },
        ],
        "lots": [
            {"id": "LOT-1", "title": "Training", "value": {"amount": 100000, "currency": "GBP"}},
            {"id": "LOT-2", "title": "Website", "value": {"amount": 150000, "currency": "GBP"}},
        ],
    }
    body.update(tender)
    return {
        "ocid": ocid,
        "id": release_id,
        "date": date,
        "tag": ["tender"],
        "buyer": {"id": "GB-CC-1", "name": "Cardiff Council"},
        "parties": [
            {
                "id": "GB-CC-1",
                "name": "Cardiff Council",
                "roles": ["buyer"],
                "contactPoint": {"name": "Jane Doe", "email": "jane@example.org"},
            }
        ],
        "tender": body,
    }


def store(engine: Engine, releases: list[dict[str, Any]], now: datetime = T0) -> Any:
    with engine.begin() as conn:
        source_id = ensure_source(conn, name="test", kind="ocds", url="http://x", now=now)
        return store_releases(
            conn, source_id=source_id, source_name="test", releases=releases, now=now
        )


def count(engine: Engine, model: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def one_tender(engine: Engine) -> Tender:
    with Session(engine) as session:
        return session.execute(select(Tender)).scalars().one()


def test_same_release_twice_is_one_row_and_counted_unchanged(engine: Engine) -> None:
    release = tender_release("ocds-a-1", "r1", "2026-10-01T10:00:00Z")
    first = store(engine, [release])
    second = store(engine, [copy.deepcopy(release)], now=T0 + timedelta(hours=1))
    assert (first.new, first.updated, first.unchanged) == (1, 0, 0)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 1)
    assert count(engine, Tender) == 1 and count(engine, Release) == 1
    tender = one_tender(engine)
    assert tender.version == 1
    assert tender.first_seen == T0 and tender.last_seen == T0 + timedelta(hours=1)


def test_stored_tender_has_normalised_fields_and_lots(engine: Engine) -> None:
    store(engine, [tender_release("ocds-a-1", "r1", "2026-10-01T10:00:00+01:00")])
    tender = one_tender(engine)
    assert tender.title == "Digital inclusion support & training"
    assert "<p>" not in (tender.description or "") and "Help residents" in (
        tender.description or ""
    )
    assert tender.value_amount == Decimal("250000") and tender.currency == "GBP"
    assert tender.deadline_at == datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    assert tender.updated_at == datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    assert set(tender.cpv_codes) == {"80500000", "72000000"}
    assert tender.regions == ["UKL22"] and tender.countries == ["GB"]
    assert tender.buyer_name == "Cardiff Council"
    with Session(engine) as session:
        lots = session.execute(select(Lot).order_by(Lot.position)).scalars().all()
    assert [(lot.lot_id, lot.value_amount) for lot in lots] == [
        ("LOT-1", Decimal("100000")),
        ("LOT-2", Decimal("150000")),
    ]
    assert lots[0].related_items == ["1"] and lots[0].cpv_codes == ["80500000"]


def test_amendment_updates_row_bumps_version_and_replaces_lots(engine: Engine) -> None:
    store(engine, [tender_release("ocds-a-1", "r1", "2026-10-01T10:00:00Z")])
    amendment = tender_release(
        "ocds-a-1",
        "r2",
        "2026-10-05T10:00:00Z",
        tenderPeriod={"endDate": "2027-04-01T12:00:00Z"},
        lots=[{"id": "LOT-1", "title": "Training only"}],
    )
    result = store(engine, [amendment], now=T0 + timedelta(days=1))
    assert (result.new, result.updated) == (0, 1)
    tender = one_tender(engine)
    assert tender.version == 2
    assert tender.deadline_at == datetime(2027, 4, 1, 12, 0, tzinfo=UTC)
    assert tender.first_seen == T0
    with engine.connect() as conn:
        titles = dict(conn.execute(select(Lot.lot_id, Lot.title)).all())
    # OCDS merge: lots are merged by id, so LOT-2 from the first release survives.
    assert titles == {"LOT-1": "Training only", "LOT-2": "Website"}
    assert count(engine, Release) == 2


def test_release_arriving_out_of_order_does_not_overwrite_newer_state(engine: Engine) -> None:
    newer = tender_release(
        "ocds-a-1", "r2", "2026-10-05T10:00:00Z", tenderPeriod={"endDate": "2027-04-01T12:00:00Z"}
    )
    older = tender_release("ocds-a-1", "r1", "2026-10-01T10:00:00Z")
    store(engine, [newer])
    store(engine, [older])
    assert one_tender(engine).deadline_at == datetime(2027, 4, 1, 12, 0, tzinfo=UTC)


def test_personal_contact_data_is_never_stored(engine: Engine) -> None:
    store(engine, [tender_release("ocds-a-1", "r1", "2026-10-01T10:00:00Z")])
    with engine.connect() as conn:
        raw = conn.execute(select(Tender.raw)).scalar_one()
        payloads = conn.execute(select(Release.payload)).scalars().all()
    for document in [raw, *payloads]:
        assert "contactPoint" not in str(document)
        assert "jane@example.org" not in str(document)


def test_contact_points_outside_the_usual_places_are_never_stored(engine: Engine) -> None:
    """A release with contact points where the store strips them directly and elsewhere too,
    and a text that only reads "contactPoint", stored alone and compiled with a later one."""
    first = tender_release("ocds-a-1", "r1", "2026-10-01T10:00:00Z")
    first["planning"] = {"budget": {"contactPoint": {"email": "budget@example.org"}}}
    first["tender"]["description"] = "contactPoint"
    later = tender_release("ocds-a-1", "r2", "2026-10-02T10:00:00Z")
    later["buyer"]["contactPoint"] = {"contactPoint": {"email": "nested@example.org"}}
    store(engine, [first])
    store(engine, [later])
    with engine.connect() as conn:
        raw = conn.execute(select(Tender.raw)).scalar_one()
        payloads = conn.execute(select(Release.payload)).scalars().all()
    assert len(payloads) == 2
    for document in [raw, *payloads]:
        assert "'contactPoint':" not in str(document)
        assert "@example.org" not in str(document)
    assert payloads[0]["tender"]["description"] == "contactPoint"  # a text, kept


def test_bad_record_is_reported_and_the_rest_of_the_batch_stored(engine: Engine) -> None:
    good = tender_release("ocds-a-1", "r1", "2026-10-01T10:00:00Z")
    no_ocid = tender_release("", "r2", "2026-10-01T10:00:00Z")
    no_title = tender_release("ocds-a-3", "r3", "2026-10-01T10:00:00Z", title=None, lots=[])
    no_title["tender"]["description"] = None
    wrong_types = tender_release("ocds-a-4", "r4", "2026-10-01T10:00:00Z")
    wrong_types["tender"]["items"] = "not a list"
    wrong_types["tender"]["value"] = ["1e9999"]
    result = store(engine, [good, no_ocid, no_title, wrong_types])
    assert result.seen == 4
    assert result.new == 2  # the good one and the one with wrong types (still has a title)
    reasons = [reason for _key, reason, _excerpt in result.errors]
    assert len(reasons) == 2
    assert any("ocid" in reason for reason in reasons)
    assert count(engine, Tender) == 2


def test_same_ocid_in_two_sources_is_two_tenders(engine: Engine) -> None:
    release = tender_release("ocds-a-1", "r1", "2026-10-01T10:00:00Z")
    store(engine, [release])
    with engine.begin() as conn:
        other = ensure_source(conn, name="other", kind="ocds", url="http://y", now=T0)
        store_releases(conn, source_id=other, source_name="other", releases=[release], now=T0)
    assert count(engine, Tender) == 2
    assert count(engine, Source) == 2


def test_many_ocids_in_one_batch_are_all_stored(engine: Engine) -> None:
    releases = [
        tender_release(f"ocds-a-{n}", "r1", "2026-10-01T10:00:00Z", title=f"Tender {n}")
        for n in range(1200)  # more than one IN-clause chunk
    ]
    result = store(engine, releases)
    assert result.new == 1200
    again = store(engine, releases)
    assert again.unchanged == 1200 and again.new == 0
    assert count(engine, Lot) == 2400


def test_unusable_ocid_is_reported_again_and_recovers_with_a_corrective_release(
    engine: Engine,
) -> None:
    broken = tender_release("ocds-a-9", "r1", "2026-10-01T10:00:00Z", title=None, lots=[])
    broken["tender"]["description"] = None
    first = store(engine, [broken])
    again = store(engine, [copy.deepcopy(broken)])
    assert len(first.errors) == 1 and len(again.errors) == 1  # still visible, not "unchanged"
    assert again.unchanged == 0 and count(engine, Tender) == 0
    corrective = tender_release("ocds-a-9", "r2", "2026-10-02T10:00:00Z", title="Website rebuild")
    fixed = store(engine, [corrective])
    assert fixed.new == 1 and not fixed.errors
    assert one_tender(engine).title == "Website rebuild"
    assert count(engine, Release) == 2  # nothing received was thrown away


def test_compiled_tender_keeps_the_latest_notice_id(engine: Engine) -> None:
    store(engine, [tender_release("ocds-a-1", "094476-2026", "2026-10-01T10:00:00Z")])
    store(engine, [tender_release("ocds-a-1", "095001-2026", "2026-10-09T10:00:00Z")])
    store(engine, [tender_release("ocds-a-1", "093000-2026", "2026-09-01T10:00:00Z")])  # late
    assert one_tender(engine).notice_id == "095001-2026"


def test_updates_and_inserts_in_one_batch_keep_each_tenders_own_lots(engine: Engine) -> None:
    first = [tender_release(f"ocds-b-{n}", "r1", "2026-10-01T10:00:00Z") for n in range(0, 40, 2)]
    store(engine, first)
    mixed = [
        tender_release(
            f"ocds-b-{n}",
            "r2",
            "2026-10-03T10:00:00Z",
            lots=[{"id": "LOT-1", "title": f"Lot of {n}"}],
        )
        for n in range(40)  # even ones are updates (older ids), odd ones new
    ]
    result = store(engine, mixed)
    assert (result.new, result.updated) == (20, 20)
    with Session(engine) as session:
        rows = session.execute(select(Tender.source_key, Lot.lot_id, Lot.title).join(Lot)).all()
    for key, lot_id, title in rows:
        if lot_id == "LOT-1":
            assert title == f"Lot of {key.rsplit('-', 1)[1]}"
