"""Scheduler tables: the per-source lock that keeps crawls of one source exclusive across
processes and machines, and APScheduler's job store (declared here so migrations own it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, LargeBinary, String, Unicode
from sqlalchemy.orm import Mapped, mapped_column

from scanner.models.base import Base, UTCDateTime


class SourceLock(Base):
    """Who is crawling a source right now. Taken with an atomic insert or conditional update,
    heartbeated while the crawl runs, and stealable only once `expires_at` has passed or the
    holder's process on the same host is gone. `holder` is `host:pid:token`."""

    __tablename__ = "source_locks"

    source_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(300))
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(64))
    run_id: Mapped[int | None] = mapped_column(Integer)
    job_id: Mapped[str | None] = mapped_column(String(200))  # a Scrapyd job, when dispatched
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SchedulerJob(Base):
    """APScheduler 3.x `SQLAlchemyJobStore` table, column for column: the job store would
    create it itself, declaring it keeps the schema under migrations (and drift checks)."""

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)
