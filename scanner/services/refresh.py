"""What follows every store of tenders (a crawl, an ingest, the demo): assess new and changed
tenders for splits, de-duplicate them, re-rank matches. One function for every caller, so the
CLI, the scheduler and the web refresh alike. Matching is skipped while no organisation is
active: there is nothing to rank, and building the corpus of every open tender (languages
detected, lots and packages read) was most of the time of an ingest into a database without
organisations. The first refresh (or `lotwise orgs import`, `lotwise match`) once an
organisation is active ranks it, and detects the languages then.

Each step runs even when an earlier one failed (a broken `thresholds.toml` must not stop
matching); a failure is recorded in the report with its step and reason, never raised: what
was stored stays stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from scanner.services.dedupe import CanonicalConfig, DedupeCounts, refresh_canonical
from scanner.services.matching import MatchingConfig, MatchRun, refresh_matches
from scanner.services.split_rules import split_rules
from scanner.services.splitting import RefreshCounts, refresh_assessments
from scanner.settings import Settings
from scanner.storage.organisations import has_active_organisations


@dataclass(frozen=True)
class StepFailure:
    """A refresh step that failed: `step` is splits, dedupe or matches."""

    step: str
    reason: str


@dataclass
class RefreshReport:
    """What each step did (None when it failed) and the failures."""

    splits: RefreshCounts | None = None
    dedupe: DedupeCounts | None = None
    matches: MatchRun | None = None
    failures: list[StepFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def refresh_after_store(settings: Settings, engine: Engine, *, now: datetime) -> RefreshReport:
    """Split suggestions, then de-duplication, then matches; each failure recorded."""
    report = RefreshReport()
    try:
        report.splits = refresh_assessments(engine, thresholds=split_rules(settings), now=now)
    except Exception as exc:  # recorded; the next steps still run
        report.failures.append(StepFailure("splits", _reason(exc)))
    try:
        config = CanonicalConfig.load(settings.dedupe_file, settings.rates_file)
        report.dedupe = refresh_canonical(engine, config, now)
    except Exception as exc:
        report.failures.append(StepFailure("dedupe", _reason(exc)))
    try:
        matching = MatchingConfig.load(
            settings.matching_file, settings.rates_file, top=settings.match_top
        )
        with engine.connect() as conn:
            anyone = has_active_organisations(conn)
        report.matches = refresh_matches(engine, matching, now=now) if anyone else MatchRun()
    except Exception as exc:
        report.failures.append(StepFailure("matches", _reason(exc)))
    return report


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if isinstance(exc, (OSError, ValueError)) else f"{type(exc).__name__}: {text}"
