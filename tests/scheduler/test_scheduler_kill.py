"""A crawl process killed with SIGKILL mid-run: its run is marked failed with the reason, the
scheduler restarted later retries the source, and nothing is lost or stored twice."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.executors.debug import DebugExecutor
from sched_support import counts, make_settings, runs, source_toml, two_page_routes
from sqlalchemy import Engine, func, select

from scanner.demo.server import RecordedServer
from scanner.models import CrawlRun, SourceLock
from scanner.scheduler.app import LotwiseScheduler
from scanner.scheduler.clock import ManualClock, SteppedScheduler, driven_by
from scanner.sources import load_sources

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _kill_when_held(engine: Engine, server: RecordedServer, killed: list[int]) -> None:
    """SIGKILL the crawl process once it waits for page 2 (page 1 is stored by then)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len(server.requests) >= 2:
            with engine.connect() as conn:
                pid = conn.execute(
                    select(CrawlRun.pid).where(CrawlRun.status == "running")
                ).scalar()
            if pid:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
        time.sleep(0.05)


def _scheduler(settings: object, engine: Engine, clock: ManualClock) -> LotwiseScheduler:
    return LotwiseScheduler(
        settings,  # type: ignore[arg-type]
        engine,
        load_sources(settings.sources_file),  # type: ignore[attr-defined]
        clock=clock,
        scheduler=SteppedScheduler(),
        executor=DebugExecutor(),
    )


def test_killed_crawl_is_failed_then_retried_after_restart_without_loss(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    path = "/k/releases"
    with RecordedServer({"routes": two_page_routes(path, "kil", hold_second=True)}) as server:
        sources_file = tmp_path / "sources.toml"
        sources_file.write_text(
            source_toml("killable", server.base_url + path, 'interval = "1h"'), encoding="utf-8"
        )
        settings = make_settings(database_url, sources_file, store_batch_size=1, http_timeout=60.0)
        clock = ManualClock(START)
        killed: list[int] = []
        with driven_by(clock):
            first = _scheduler(settings, engine, clock)
            first.start()
            killer = threading.Thread(target=_kill_when_held, args=(engine, server, killed))
            killer.start()
            first.scheduler.run_pending()  # the crawl: killed while page 2 hangs
            killer.join()
            (report,) = first.reports
            assert killed and report.status == "failed"
            assert f"(pid {killed[0]}) killed by signal 9" in (report.message or "")
            (run,) = runs(engine, "killable")
            assert run.status == "failed" and run.finished_at == START
            assert counts(engine, "killable") == (5, 5)  # page 1 was stored before the kill
            first.shutdown()

            # The scheduler comes back two minutes later: the source has no success within
            # its interval, so it is crawled at once (its tick also queues a retry, which
            # then finds nothing left to do).
            clock.advance(minutes=2)
            second = _scheduler(settings, engine, clock)
            second.start()
            second.scheduler.run_pending()  # tick (queues retry:killable), then the crawl
            second.scheduler.run_pending()  # the retry: not needed any more
            assert [r.status for r in second.reports] == ["ok"]
            assert [r.status for r in runs(engine, "killable")] == ["failed", "ok"]
            assert counts(engine, "killable") == (10, 10)  # nothing lost, nothing twice
            assert second.reports[0].new == 5 and second.reports[0].updated == 0
            with engine.connect() as conn:
                assert conn.execute(select(func.count()).select_from(SourceLock)).scalar() == 0
            second.shutdown()
    assert START + timedelta(minutes=2) == clock()
