"""A tender's page reads its own rows in a few statements built once (issue 16): the facts it
shows are those the API's and the CLI's readers give for the same tender, flags included."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from outcome_fixtures import NOW, award, bid, party, release
from sqlalchemy import Engine, delete, event, select
from sqlalchemy.orm import Session

from scanner.models import Tender
from scanner.services import impact as service
from scanner.services import queries, split_queries
from scanner.services.splitting import refresh_assessments
from scanner.services.tender_page import tender_page_data
from scanner.settings import DEFAULT_CONFIG_DIR
from scanner.splitter import load_thresholds
from scanner.storage import crawls
from scanner.storage.data_generation import DataCache
from scanner.storage.tenders import store_releases

QUAY = party("GB-COH-0101", "Quay Digital", roles=["supplier"], ident="0101", scale="sme")
FLAGS_READ = ("buyer_id IN", "buyer_id in", "data_generation")
HILL = party("hill-ref", "Hill Works", roles=["supplier"], scheme=None)


def _releases() -> list[dict[str, Any]]:
    """Two buyers' tenders, many just under a threshold (split flags), some awarded with
    one or two suppliers (one without a register identifier), some with lots and bids."""
    day = datetime(2026, 3, 2)
    releases = []
    for n in range(1, 41):
        when = (day + timedelta(days=(n * 37) % 250)).strftime("%Y-%m-%dT%H:%M:%SZ")
        found = release(
            n,
            tag="tender",
            buyer=("GB-GOR-1", "Riverside Council") if n % 5 else ("GB-GOR-2", "Hillside"),
            value=(27_000, 28_500, 29_900, 100_000, 120_000)[n % 5 if n % 3 else 2],
            cpv=("72200000", "72500000", "79530000", "45000000")[n % 4],
            date=when,
            lots=n % 4,
        )
        found["tender"]["datePublished"] = when
        if n % 7 == 0:
            found["awards"] = [
                award(f"A{n}", [("GB-COH-0101", "Quay Digital"), ("hill-ref", "Hill Works")]),
                award(f"B{n}", [("hill-ref", "Hill Works")], amount=1_000),
            ]
            found["parties"] += [QUAY, HILL]
            found["bids"] = {"details": [bid("B1", "valid", [("GB-COH-0101", "Quay Digital")])]}
            if n % 14 == 0:
                del found["awards"][0]["date"]
        releases.append(found)
    return releases


def _seed(engine: Engine) -> list[int]:
    with engine.begin() as conn:
        source = crawls.ensure_source(conn, name="import", kind="file", url="file:", now=NOW)
        stored = store_releases(
            conn, source_id=source, source_name="import", releases=_releases(), now=NOW
        )
    assert stored.errors == []
    refresh_assessments(
        engine, thresholds=load_thresholds(DEFAULT_CONFIG_DIR / "thresholds.toml"), now=NOW
    )
    with engine.connect() as conn:
        return list(conn.scalars(select(Tender.id).order_by(Tender.id)))


def _config() -> service.IntegrityConfig:
    return service.load_config(
        DEFAULT_CONFIG_DIR / "integrity.toml", DEFAULT_CONFIG_DIR / "thresholds.toml"
    )


def test_the_page_shows_what_the_shared_readers_give_for_every_tender(engine: Engine) -> None:
    ids = _seed(engine)
    config = _config()
    seen = {"awards": 0, "lots": 0, "flags": 0, "assessed": 0}
    with Session(engine) as session:
        for tender_id in ids:
            for cfg in (config, None):  # None: a broken integrity file
                found = tender_page_data(session, tender_id, cfg)
                assert found is not None
                tender, stored = found
                full = queries.get_tender(session, tender_id)
                assert full is not None
                full.update(service.tender_outcome(session, tender_id, cfg))
                lots = tender.pop("lots")
                assert tender == {key: full[key] for key in tender}
                assert lots == [
                    {key: lot[key] for key in shown}
                    for lot, shown in zip(full["lots"], lots, strict=True)
                ]
                expected = split_queries.get_assessment(session, tender_id)
                if expected is None:
                    assert stored is None
                    continue
                assert stored is not None
                assert stored.entry == expected.entry
                assert stored.tender == {k: v for k, v in expected.tender.items() if k != "items"}
                seen["assessed"] += 1
            seen["awards"] += bool(full["awards"])
            seen["lots"] += bool(lots)
            seen["flags"] += bool(tender_page_data(session, tender_id, config)[0]["red_flags"])  # type: ignore[index]
        assert tender_page_data(session, max(ids) + 1, config) is None
    assert all(seen.values()), seen  # every kind of fact was compared somewhere


def test_the_page_reads_a_tender_in_a_few_statements(engine: Engine) -> None:
    ids = _seed(engine)
    config = _config()
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with Session(engine) as session:
        for tender_id in ids:
            del statements[:]
            tender, _ = tender_page_data(session, tender_id, config)  # type: ignore[misc]
            # The tender with its source, assessment and outcome; its lots; its awards; and
            # their suppliers only when it has awards (its buyer's flags, read under the data
            # generation and kept, are apart).
            own = [s for s in statements if not any(w in s for w in FLAGS_READ)]
            assert len(own) == (4 if tender["awards"] else 3), own


def test_a_kept_page_s_flags_follow_a_change_committed_elsewhere(engine: Engine) -> None:
    """The buyer's flags are stamped with the data generation the page's cache read first:
    a change to the buyer's other tenders, committed on another connection, shows next time."""
    ids = _seed(engine)
    config = _config()
    cache = DataCache(100)

    def flags(tender_id: int) -> list[str]:
        def read(session: Session) -> Any:
            return tender_page_data(session, tender_id, config)

        found = cache.get_in_session(engine, ("page", tender_id), read, now=NOW)
        return [f["code"] for f in found[0]["red_flags"]]

    flagged = [t for t in ids if "split_below_threshold" in flags(t)]
    assert flagged
    assert "split_below_threshold" in flags(flagged[0])  # kept
    with engine.begin() as conn:  # every other tender goes: nothing left to split with
        conn.execute(delete(Tender).where(Tender.id != flagged[0]))
    assert "split_below_threshold" not in flags(flagged[0])
