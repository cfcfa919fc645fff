"""The scheduler on a hand-moved clock runs the whole chain: a source's crawl on its
interval (against the recorded demo publisher), split and match refresh after it, digests at
their local time to a real SMTP server; jobs persist in the database and a backlog of missed
runs after downtime becomes one run."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from apscheduler.executors.debug import DebugExecutor
from sched_support import free_port, make_settings, runs
from sqlalchemy import Engine, func, select

from scanner.demo.server import RecordedServer
from scanner.models import Digest, Match, SplitAssessment
from scanner.scheduler.app import LotwiseScheduler
from scanner.scheduler.clock import ManualClock, SteppedScheduler, driven_by
from scanner.services.demo import DEMO_DIR, MANIFEST, SOURCES_TEMPLATE
from scanner.services.organisations import import_organisations
from scanner.sources import load_sources

SOURCE = "demo_find_a_tender"
LONDON = ZoneInfo("Europe/London")
# Tomorrow 05:59 in London: after the real time at which matches are stamped, so they count
# as new for the first digests.
START = datetime.combine(datetime.now(UTC).date() + timedelta(days=1), time(5, 59), LONDON)


class Collect:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, Collect]]:
    handler = Collect()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, handler
    controller.stop()


def _count(engine: Engine, model: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def _scheduler(settings: Any, engine: Engine, clock: ManualClock) -> LotwiseScheduler:
    return LotwiseScheduler(
        settings,
        engine,
        load_sources(settings.sources_file),
        clock=clock,
        scheduler=SteppedScheduler(),
        executor=DebugExecutor(),
    )


def _demo_organisations(tmp_path: Path, count: int = 4) -> Path:
    """The first COUNT demo organisations, as they are in the demo's file (two with weekly
    digests, two with daily ones): the chain, not the ranking, is under test here, and matching
    and mailing all 31 cost this test about a third of its CPU."""
    text = (DEMO_DIR / "organisations.toml").read_text(encoding="utf-8")
    header, *blocks = text.split("[[organisation]]\n")
    assert len(blocks) > count
    kept = tmp_path / "organisations.toml"
    kept.write_text(header + "".join(f"[[organisation]]\n{b}" for b in blocks[:count]), "utf-8")
    return kept


def test_scheduled_chain_crawls_refreshes_and_sends_digests(
    engine: Engine, database_url: str, tmp_path: Path, smtp: tuple[int, Collect]
) -> None:
    port, inbox = smtp
    clock = ManualClock(START)
    import_organisations(engine, _demo_organisations(tmp_path), now=START)
    with RecordedServer(MANIFEST, MANIFEST.parent) as server:
        sources_file = tmp_path / "sources.toml"
        template = SOURCES_TEMPLATE.read_text(encoding="utf-8")
        sources_file.write_text(
            template.replace("{base_url}", server.base_url).replace(
                "demo = true\n", 'demo = true\ninterval = "6h"\n', 1
            ),
            encoding="utf-8",
        )
        settings = make_settings(
            database_url,
            sources_file,
            smtp_host="127.0.0.1",
            smtp_port=port,
            digest_daily_at="07:00",
            digest_weekly_on=START.strftime("%a").lower(),
        )
        with driven_by(clock):
            first = _scheduler(settings, engine, clock)
            first.start()
            jobs = dict(first.next_runs())
            assert set(jobs) == {
                "crawl:demo_find_a_tender",
                "digests:daily",
                "digests:weekly",
                "tick",
            }
            assert jobs["crawl:demo_find_a_tender"] == START  # never crawled: due at once
            assert jobs["digests:daily"] == START.replace(hour=7, minute=0)

            first.scheduler.run_pending()  # 05:59: the crawl, then split and match
            (report,) = first.reports
            assert report.status == "ok" and report.new > 0 and report.refreshed
            assert _count(engine, SplitAssessment) == report.new
            assert _count(engine, Match) > 0

            clock.set(START.replace(hour=7, minute=0, second=30))
            first.scheduler.run_pending()  # 07:00: daily and weekly digests, a tick
            with engine.connect() as conn:
                statuses = dict(
                    conn.execute(
                        select(Digest.frequency, func.count()).group_by(Digest.frequency)
                    ).all()
                )
                sent = conn.execute(
                    select(func.count()).select_from(Digest).where(Digest.status == "sent")
                ).scalar_one()
            assert statuses.get("daily", 0) > 0 and statuses.get("weekly", 0) > 0
            assert sent == len(inbox.messages) > 0
            assert len(first.reports) == 1  # the crawl is not due before 11:59
            assert dict(first.next_runs())["crawl:demo_find_a_tender"] == START + timedelta(hours=6)
            first.shutdown()

            # Down for 20 hours: three crawl slots missed. A new scheduler process finds the
            # jobs in the database and runs the backlog once (coalesced).
            clock.set(START + timedelta(hours=20))
            second = _scheduler(settings, engine, clock)
            second.start()
            second.scheduler.run_pending()
            assert [r.status for r in second.reports] == ["ok"]
            assert [r.new for r in second.reports] == [0]  # nothing new on the same pages
            assert [run.status for run in runs(engine, SOURCE)] == ["ok", "ok"]
            assert dict(second.next_runs())["crawl:demo_find_a_tender"] > clock()
            second.shutdown()
