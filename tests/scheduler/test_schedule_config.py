"""Schedules in sources.toml (cron `schedule` or `interval`), digest triggers in local time,
and JSON logs carrying the context of the work."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scanner.logs import configure_logging, log_context
from scanner.services.schedule import digest_triggers, expected_interval, source_trigger
from scanner.settings import PROJECT_ROOT, Settings
from scanner.sources import SourceConfig, SourcesFileError, load_sources, parse_interval

LONDON = ZoneInfo("Europe/London")


def _load(tmp_path: Path, entry: str) -> SourceConfig:
    path = tmp_path / "sources.toml"
    path.write_text(f'[sources.alpha]\nurl = "http://x"\n{entry}\n', encoding="utf-8")
    return load_sources(path)["alpha"]


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ('schedule = "61 * * * *"', "schedule: Value error, not a 5-field cron expression"),
        ('schedule = "every day"', "schedule: Value error, not a 5-field cron expression"),
        ('interval = "6x"', "interval: Value error, '6x' is not a duration"),
        ('interval = "30s"', "shorter than one minute"),
        ('interval = "6h"\nschedule = "0 * * * *"', "set `schedule` (cron) or `interval`"),
    ],
)
def test_invalid_schedules_name_the_source_and_field(
    tmp_path: Path, entry: str, problem: str
) -> None:
    with pytest.raises(SourcesFileError, match="source 'alpha'") as caught:
        _load(tmp_path, entry)
    assert problem in str(caught.value)


def test_intervals_and_cron_schedules_become_triggers(tmp_path: Path) -> None:
    assert parse_interval("1h30m") == 5400 and parse_interval("2d") == 172800
    now = datetime(2026, 11, 27, 10, 7, tzinfo=UTC)
    cron = _load(tmp_path, 'schedule = "15 */2 * * *"')
    trigger = source_trigger(cron, "Europe/London")
    assert trigger is not None
    assert trigger.get_next_fire_time(None, now) == datetime(2026, 11, 27, 10, 15, tzinfo=LONDON)
    assert expected_interval(cron, now) == timedelta(hours=2)
    every = _load(tmp_path, 'interval = "90m"')
    assert expected_interval(every, now) == timedelta(minutes=90)
    assert source_trigger(_load(tmp_path, ""), "UTC") is None  # crawled on demand only
    assert source_trigger(_load(tmp_path, 'interval = "1h"\nenabled = false'), "UTC") is None


def test_the_shipped_sources_file_has_valid_schedules() -> None:
    sources = load_sources(PROJECT_ROOT / "config" / "sources.toml")
    enabled = [c for c in sources.values() if c.enabled]
    assert enabled and all(source_trigger(c, "Europe/London") is not None for c in enabled)


def test_digests_fire_at_local_time_across_daylight_saving() -> None:
    settings = Settings(digest_daily_at="07:30", digest_weekly_on="mon", timezone="Europe/London")
    triggers = digest_triggers(settings)
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    winter = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    daily = triggers["daily"]
    assert daily.get_next_fire_time(None, summer).astimezone(UTC).hour == 6  # BST
    assert daily.get_next_fire_time(None, winter).astimezone(UTC).hour == 7  # GMT
    weekly = triggers["weekly"].get_next_fire_time(None, winter)
    assert weekly == datetime(2026, 12, 7, 7, 30, tzinfo=LONDON)
    with pytest.raises(ValueError, match="digest_daily_at"):
        Settings(digest_daily_at="7h")


def test_json_logs_carry_the_run_context() -> None:
    stream = io.StringIO()
    handler = configure_logging("INFO", "json", stream)
    try:
        with log_context(source="alpha", run_token="abc"):
            logging.getLogger("lotwise.test").info("crawl %s", "ok", extra={"run_id": 7})
        logging.getLogger("lotwise.test").info("outside")
    finally:
        logging.getLogger().removeHandler(handler)
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert inside["message"] == "crawl ok" and inside["level"] == "INFO"
    assert (inside["source"], inside["run_token"], inside["run_id"]) == ("alpha", "abc", 7)
    assert "source" not in outside
