"""Case 4 of issue 19: two ingests writing the same new source and the same tenders at once
both complete, on SQLite and PostgreSQL, and leave no duplicates.

The interleaving that failed is forced: one side writes and holds its transaction open while
the other reads (nothing stored yet), then blocks on the first side's locks (waited for as it
happens: a lock request not granted in pg_locks on PostgreSQL, the first write statement on
SQLite), then carries on after the first commits. Before the fix the second side inserted lots that the first had just
committed (`uq_lots_tender_id_lot_id`) or a source that already existed (`sources.name`)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, event, func, select, text

from scanner.models import Award, Lot, Release, Source, Tender
from scanner.services.ingest import ingest_files
from scanner.storage import crawls
from scanner.storage.tenders import store_releases

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def release(n: int, version: int) -> dict[str, Any]:
    lots = [{"id": f"L{k}", "title": f"Lot {k} v{version}", "status": "active"} for k in range(3)]
    return {
        "ocid": f"ocds-c-{n}",
        "id": f"ocds-c-{n}-{version}",
        "date": f"2026-10-0{version}T09:00:00Z",
        "tag": ["tender", "award"],
        "tender": {
            "id": str(n),
            "title": f"Audit {n} v{version}",
            "status": "active",
            "lots": lots,
        },
        "awards": [{"id": "A1", "status": "active", "suppliers": [{"name": "Acme"}]}],
    }


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        lots = conn.execute(select(Lot.tender_id, Lot.lot_id)).all()
        assert len(lots) == len(set(lots))
        return {
            model.__name__: int(conn.execute(select(func.count()).select_from(model)).scalar())
            for model in (Source, Tender, Release, Lot, Award)
        }


WRITES = ("INSERT", "UPDATE", "DELETE")


class SecondSide:
    """Watches the statements of one thread on `engine`: its first write, and (PostgreSQL) the
    backend that runs it, so the test can wait on the real condition rather than on time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.ident: int | None = None
        self.writing = threading.Event()
        self.backend_pid: int | None = None

    def __enter__(self) -> SecondSide:
        event.listen(self.engine, "before_cursor_execute", self._statement)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)

    def _statement(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.get_ident() != self.ident or self.writing.is_set():
            return
        if statement.lstrip().upper().startswith(WRITES):
            if conn.dialect.name == "postgresql":
                self.backend_pid = conn.connection.dbapi_connection.info.backend_pid
            self.writing.set()

    def blocked(self, monitor: Connection) -> bool:
        """True once the other side has read and now waits on this test's locks: on
        PostgreSQL, its backend has a lock request not granted; on SQLite (one writer at a
        time, the busy handler waits inside the call) it has issued its first write."""
        if not self.writing.is_set():
            return False
        if monitor.dialect.name != "postgresql":
            return True
        query = text("SELECT count(*) FROM pg_locks WHERE pid = :pid AND NOT granted")
        return bool(monitor.execute(query, {"pid": self.backend_pid}).scalar())


def run_while_held(engine: Engine, first: Any, second: Any) -> None:
    """Run `first(conn)` in an open transaction, start `second()` in a thread, wait until it
    has read and blocks on `first`'s writes, then commit `first` and wait for `second` (which
    must not raise)."""
    failure: list[BaseException] = []
    side = SecondSide(engine)
    started = threading.Event()

    def other() -> None:
        side.ident = threading.get_ident()
        started.set()
        try:
            second()
        except BaseException as exc:  # reported by the assert below
            failure.append(exc)

    thread = threading.Thread(target=other)
    with side, engine.connect() as monitor, engine.begin() as conn:
        first(conn)
        thread.start()
        started.wait()
        while thread.is_alive() and not side.blocked(monitor):
            monitor.rollback()  # each look at pg_locks in a fresh snapshot
            thread.join(timeout=0.01)  # between looks: returns early if the other side ends
        assert thread.is_alive(), "the other side finished without waiting on the first"
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert not failure, repr(failure[0])


def test_the_same_tenders_stored_by_two_transactions_at_once(engine: Engine) -> None:
    with engine.begin() as conn:
        source_id = crawls.ensure_source(conn, name="race", kind="file", url="file:", now=NOW)

    def store(conn: Any, version: int) -> None:
        batch = [release(n, version) for n in range(20)]
        store_releases(conn, source_id=source_id, source_name="race", releases=batch, now=NOW)

    def second() -> None:
        with engine.begin() as conn:
            store(conn, 2)

    run_while_held(engine, lambda conn: store(conn, 1), second)
    assert counts(engine) == {"Source": 1, "Tender": 20, "Release": 40, "Lot": 60, "Award": 20}
    with engine.connect() as conn:
        title = conn.execute(select(Tender.title).where(Tender.ocid == "ocds-c-7")).scalar()
    assert title == "Audit 7 v2"


def test_two_first_ingests_of_a_new_source_at_once(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(orjson.dumps({"releases": [release(n, 1) for n in range(5)]}))
    outcomes: list[Any] = []

    def ensure(conn: Any) -> None:
        crawls.ensure_source(conn, name="new", kind="file", url="file:", now=NOW)

    def second() -> None:
        outcomes.extend(ingest_files(engine, [path], source_name="new", now=lambda: NOW))

    run_while_held(engine, ensure, second)
    assert [outcome.error for outcome in outcomes] == [None]
    assert counts(engine)["Source"] == 1 and counts(engine)["Tender"] == 5


def test_two_whole_ingests_at_once_in_threads(engine: Engine, tmp_path: Path) -> None:
    paths = []
    for version in (1, 2):
        paths.append(tmp_path / f"v{version}.json")
        paths[-1].write_bytes(orjson.dumps({"releases": [release(n, version) for n in range(200)]}))
    results: list[Any] = []
    threads = [
        threading.Thread(
            target=lambda p=p: results.extend(
                ingest_files(engine, [p], source_name="both", now=lambda: NOW, batch_size=50)
            )
        )
        for p in paths
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcome.error or "" for outcome in results) == ["", ""]
    assert counts(engine) == {"Source": 1, "Tender": 200, "Release": 400, "Lot": 600, "Award": 200}
