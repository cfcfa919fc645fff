"""Outcomes stored through the tender store every crawl and ingest uses: incremental and
idempotent, one supplier per register identifier across sources, partial data kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from outcome_fixtures import FIXTURES, NOW, award, bid, party, release
from sqlalchemy import Engine, func, select

from scanner.ingest.eforms import parse_eforms_notice
from scanner.ingest.normalise import normalise_release
from scanner.models import Award, AwardSupplier, Supplier, Tender, TenderOutcome
from scanner.services.impact import backfill
from scanner.storage import crawls
from scanner.storage.outcomes import store_outcomes_by_id
from scanner.storage.tenders import store_releases, store_tenders

QUAY = party("GB-COH-0101", "Quay Digital", roles=["supplier"], ident="0101", scale="sme")


def _source(engine: Engine, name: str) -> int:
    with engine.begin() as conn:
        return crawls.ensure_source(conn, name=name, kind="file", url="file:", now=NOW)


def _store(engine: Engine, source_id: int, name: str, releases: list[dict]) -> None:  # type: ignore[type-arg]
    with engine.begin() as conn:
        result = store_releases(
            conn, source_id=source_id, source_name=name, releases=releases, now=NOW
        )
    assert result.errors == []


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(model)) or 0)


def test_outcome_is_stored_with_the_tender_and_reingest_changes_nothing(engine: Engine) -> None:
    source = _source(engine, "import")
    tendered = release(1, tag="tender", release_id="r1", date="2026-09-01T00:00:00Z")
    awarded = release(
        1,
        release_id="r2",
        date="2026-10-05T00:00:00Z",
        parties=[QUAY],
        awards=[award("A1", [("GB-COH-0101", "Quay Digital")], amount=95_000)],
        bids=[bid("B1", "valid", [("GB-COH-0101", "Quay Digital")])],
    )
    _store(engine, source, "import", [tendered])
    with engine.connect() as conn:
        first = conn.execute(select(TenderOutcome)).one()
    assert first.bid_count is None and _count(engine, Award) == 0

    _store(engine, source, "import", [awarded])  # a later release updates the outcome
    with engine.connect() as conn:
        stored = conn.execute(select(TenderOutcome)).one()
        won = conn.execute(select(Award)).one()
        link = conn.execute(select(AwardSupplier)).one()
        supplier = conn.execute(select(Supplier)).one()
    assert stored.bid_count == 1 and stored.content_hash != first.content_hash
    assert (won.status, won.value_amount, won.currency) == ("active", 95000, "GBP")
    assert (supplier.scheme, supplier.identifier, supplier.scale) == ("GB-COH", "0101", "sme")
    assert link.supplier_id == supplier.id and link.name == "Quay Digital"

    _store(engine, source, "import", [tendered, awarded])  # the same releases again
    with engine.connect() as conn:
        again = conn.execute(select(TenderOutcome)).one()
    assert (again.content_hash, again.updated_at) == (stored.content_hash, stored.updated_at)
    assert (_count(engine, Award), _count(engine, AwardSupplier), _count(engine, Supplier)) == (
        1,
        1,
        1,
    )


def test_a_supplier_named_by_two_sources_is_one_supplier(engine: Engine) -> None:
    cf, fts = _source(engine, "contracts_finder"), _source(engine, "find_a_tender")
    renamed = party("GB-COH-0101", "QUAY DIGITAL LIMITED", roles=["supplier"], ident="0101")
    _store(engine, cf, "contracts_finder", [
        release(1, parties=[QUAY], awards=[award("A", [("GB-COH-0101", "Quay Digital")])])
    ])  # fmt: skip
    _store(engine, fts, "find_a_tender", [
        release(1, parties=[renamed], awards=[award("A", [("GB-COH-0101", "QUAY")])])
    ])  # fmt: skip
    with engine.connect() as conn:
        suppliers = conn.execute(select(Supplier)).all()
        links = conn.execute(select(AwardSupplier.supplier_id)).scalars().all()
    assert len(suppliers) == 1 and links == [suppliers[0].id, suppliers[0].id]
    assert suppliers[0].scale == "sme"  # a size once published is not forgotten


def test_partial_award_data_is_stored_as_unknown(engine: Engine) -> None:
    source = _source(engine, "import")
    nameless = party("GB-CFS-9", "Westmade Ltd", roles=["supplier"], ident=None)
    _store(engine, source, "import", [
        release(
            1,
            parties=[nameless],
            awards=[award("A1", [], amount=None), award("A2", [("GB-CFS-9", "Westmade Ltd")])],
            bids=[bid("B1", "valid", [], amount=None)],
        )
    ])  # fmt: skip
    with engine.connect() as conn:
        awards = conn.execute(select(Award).order_by(Award.position)).all()
        link = conn.execute(select(AwardSupplier)).one()
        unknowns = conn.execute(select(TenderOutcome.unknowns)).scalar_one()
    assert [a.value_amount for a in awards] == [None, 95000]
    assert (link.supplier_id, link.party_ref, link.name) == (None, "GB-CFS-9", "Westmade Ltd")
    assert _count(engine, Supplier) == 0
    assert "award A1: no supplier" in unknowns and "bid B1: no value" in unknowns


def test_nul_characters_in_outcomes_never_break_a_batch(engine: Engine) -> None:
    """PostgreSQL refuses NUL in text and JSON: the outcome writer removes it (the release
    and tender rows are the tender store's own concern)."""
    source = _source(engine, "import")
    _store(engine, source, "import", [release(1)])
    odd = party("GB-COH-0\u00009", "Nul\u0000 Ltd", roles=["supplier"], ident="0\u00009")
    published = release(
        1,
        parties=[odd],
        awards=[award("A\u00001", [("GB-COH-0\u00009", "N\u0000")])],
        bids=[bid("B\u00001", "valid", [("GB-COH-0\u00009", "N")])],
    )
    with engine.begin() as conn:
        tender_id = conn.execute(select(Tender.id)).scalar_one()
        store_outcomes_by_id(
            conn, [(tender_id, normalise_release(published, source="import"))], now=NOW
        )
    with engine.connect() as conn:
        supplier = conn.execute(select(Supplier)).one()
        award_id = conn.execute(select(Award.award_id)).scalar_one()
        bids = conn.execute(select(TenderOutcome.bids)).scalar_one()
    assert (supplier.identifier, award_id, bids[0]["bid_id"]) == ("09", "A1", "B1")


def test_eforms_result_is_stored_through_the_tender_store(engine: Engine) -> None:
    source = _source(engine, "ted")
    tender = parse_eforms_notice((FIXTURES / "eforms_can_2lots_result.xml").read_bytes())
    with engine.begin() as conn:
        store_tenders(conn, source_id=source, tenders=[tender], now=NOW)
    with engine.begin() as conn:  # the same notice again: nothing is rewritten
        store_tenders(conn, source_id=source, tenders=[tender], now=NOW)
    with engine.connect() as conn:
        outcome = conn.execute(select(TenderOutcome)).one()
        statuses = conn.execute(select(Award.status).order_by(Award.position)).scalars().all()
        supplier = conn.execute(select(Supplier)).one()
    assert outcome.method == "open" and outcome.lot_bid_counts == [["LOT-0001", 2]]
    assert statuses == ["active", "unsuccessful"]
    assert (supplier.scheme, supplier.identifier, supplier.scale) == (
        "EFORMS-IRL",
        "IE634512",
        "small",
    )


def test_backfill_reads_outcomes_of_tenders_stored_before_outcomes(
    engine: Engine, tmp_path: Path
) -> None:
    source = _source(engine, "import")
    _store(engine, source, "import", [
        release(n, parties=[QUAY], awards=[award("A", [("GB-COH-0101", "Quay")])]) for n in range(3)
    ])  # fmt: skip
    with engine.begin() as conn:  # as if stored by a Lotwise without outcomes
        conn.execute(AwardSupplier.__table__.delete())
        conn.execute(Award.__table__.delete())
        conn.execute(TenderOutcome.__table__.delete())
    assert backfill(engine, lambda: NOW, batch=2) == 3
    assert (_count(engine, TenderOutcome), _count(engine, Award)) == (3, 3)
    assert backfill(engine, lambda: NOW) == 0
    assert _count(engine, Tender) == 3


def _split_pattern_releases() -> list[dict[str, Any]]:
    """60 tenders of two buyers, many just under a threshold, some awarded."""
    from datetime import datetime, timedelta

    day = datetime(2026, 3, 2)
    releases = []
    for n in range(1, 61):
        when = (day + timedelta(days=(n * 37) % 250)).strftime("%Y-%m-%dT%H:%M:%SZ")
        found = release(
            n,
            tag="tender",
            buyer=("GB-GOR-1", "Riverside Council") if n % 5 else ("GB-GOR-2", "Hillside"),
            value=(27_000, 28_500, 29_900, 100_000, 120_000)[n % 5 if n % 3 else 2],
            cpv=("72200000", "72500000", "79530000", "45000000")[n % 4],
            date=when,
        )
        found["tender"]["datePublished"] = when
        if n % 11 == 0:  # awarded: dated (the buyer's whole record) or not
            found["awards"] = [award(f"A{n}", [("GB-COH-0101", "Quay Digital")], amount=28_000)]
            found["parties"].append(QUAY)
            if n % 22 == 0:
                del found["awards"][0]["date"]
        releases.append(found)
    return releases


def test_a_tenders_kept_flags_follow_a_change_committed_elsewhere(engine: Engine) -> None:
    """A buyer's flags are kept while the data generation (migration 0028) stands: a change
    to the buyer's other tenders, committed on another connection, shows on the next page."""
    from sqlalchemy import delete, select
    from sqlalchemy.orm import Session

    from scanner.models import Tender
    from scanner.services import impact as service
    from scanner.settings import DEFAULT_CONFIG_DIR

    config = service.load_config(
        DEFAULT_CONFIG_DIR / "integrity.toml", DEFAULT_CONFIG_DIR / "thresholds.toml"
    )
    _store(engine, _source(engine, "import"), "import", _split_pattern_releases())
    with Session(engine) as session:
        ids = list(session.scalars(select(Tender.id).order_by(Tender.id)))
        flagged = [
            t
            for t in ids
            if any(
                f["code"] == "split_below_threshold"
                for f in service.tender_outcome(session, t, config)["red_flags"]
            )
        ]
    assert flagged
    with engine.begin() as conn:  # every other tender goes: nothing left to split with
        conn.execute(delete(Tender).where(Tender.id != flagged[0]))
    with Session(engine) as session:
        flags = service.tender_outcome(session, flagged[0], config)["red_flags"]
    assert not any(f["code"] == "split_below_threshold" for f in flags)


def test_a_tenders_page_reads_only_the_tenders_its_split_pattern_could_group(
    engine: Engine,
) -> None:
    """A tender just under a threshold without a dated award reads only its buyer's tenders
    of its kind of work near its date (or with an award), not the buyer's whole record (issue
    16): its flags are still exactly those of the run over every tender."""
    from sqlalchemy.orm import Session

    from scanner.integrity import detect, flag_json, needs_buyer_context
    from scanner.services import impact as service
    from scanner.settings import DEFAULT_CONFIG_DIR
    from scanner.storage import outcome_reads as reads

    config = service.load_config(
        DEFAULT_CONFIG_DIR / "integrity.toml", DEFAULT_CONFIG_DIR / "thresholds.toml"
    )
    _store(engine, _source(engine, "import"), "import", _split_pattern_releases())
    with Session(engine) as session:
        records = reads.tender_records(session, reads.RecordFilter())
        everywhere = detect(records, config)
        narrowed = 0
        for record in records:
            shown = service.tender_outcome(session, record.tender_id, config)["red_flags"]
            assert shown == [flag_json(f) for f in everywhere.get(record.tender_id, [])]
            key = record.buyer_id or f"name:{record.buyer_name}"
            near = needs_buyer_context(record, config) and not any(
                a.date for a in record.active_awards
            )
            if near and (flt := service._split_neighbours(record, key, config)) is not None:
                mine = reads.tender_records(session, flt)
                assert record.tender_id in {r.tender_id for r in mine}
                narrowed += len(mine) < sum(r.buyer_key == record.buyer_key for r in records)
    assert narrowed > 5
    assert any(f.code == "split_below_threshold" for fs in everywhere.values() for f in fs)


def test_a_kind_of_works_tenders_share_one_reading_of_their_split_candidates(
    engine: Engine,
) -> None:
    """Tenders of one buyer and kind of work just under a threshold (without a dated award)
    read the same candidates, whatever their dates, so their flags are computed once and kept
    (issue 16): the second tender's page reads no tender records of the buyer again."""
    from collections import defaultdict

    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from scanner.integrity import needs_buyer_context
    from scanner.services import impact as service
    from scanner.settings import DEFAULT_CONFIG_DIR
    from scanner.storage import outcome_reads as reads

    config = service.load_config(
        DEFAULT_CONFIG_DIR / "integrity.toml", DEFAULT_CONFIG_DIR / "thresholds.toml"
    )
    _store(engine, _source(engine, "import"), "import", _split_pattern_releases())
    groups: dict[reads.RecordFilter, list[int]] = defaultdict(list)
    with Session(engine) as session:
        for record in reads.tender_records(session, reads.RecordFilter()):
            if not needs_buyer_context(record, config) or any(a.date for a in record.active_awards):
                continue
            flt = service._split_neighbours(record, record.buyer_key, config)
            if flt is not None:
                groups[flt].append(record.tender_id)
    first, second, *_ = max(groups.values(), key=len)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with Session(engine) as session:
        shown = service.tender_outcome(session, first, config)["red_flags"]
        before = len(statements)
        again = service.tender_outcome(session, second, config)["red_flags"]
    by_buyer = [s for s in statements[before:] if "buyer_id IN" in s or "buyer_id in" in s]
    assert sum("buyer_id IN" in s or "buyer_id in" in s for s in statements[:before]) >= 1
    assert by_buyer == []
    assert any(f["code"] == "split_below_threshold" for f in shown + again)
