"""Running crawls: each crawl is a `python -m spiders crawl` subprocess.

Scrapy's reactor cannot restart within a process, and a hung crawl must be killable without
taking its caller down, so the core never imports the spiders; it starts them and reads the
JSON-lines progress events they print on stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from pydantic import SecretStr

from scanner.settings import PROJECT_ROOT, Settings

CrawlEvent = dict[str, Any]


@dataclass
class CrawlOutcome:
    """What a crawl process reported: one finish event per source, plus its exit code and the
    tail of its log for diagnosis when it failed."""

    returncode: int
    finished: list[CrawlEvent] = field(default_factory=list)
    log_tail: str = ""


def settings_environment(settings: Settings) -> dict[str, str]:
    """The environment that hands `settings` to a child process (`LOTWISE_<NAME>`)."""
    env = dict(os.environ)
    for name, value in settings.model_dump().items():
        if isinstance(value, SecretStr):  # str() would hand the child "**********"
            value = value.get_secret_value()
        if value is not None:
            env[f"LOTWISE_{name.upper()}"] = str(value)
    return env


def run_crawl(
    settings: Settings,
    sources: Sequence[str],
    *,
    since: datetime | None = None,
    on_event: Callable[[CrawlEvent], None] | None = None,
    timeout: float | None = None,
) -> CrawlOutcome:
    """Crawl `sources` in a subprocess, calling `on_event` for each progress event."""
    command = [sys.executable, "-m", "spiders", "crawl", *sources]
    if since is not None:
        command += ["--since", since.isoformat()]
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=settings_environment(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    outcome = CrawlOutcome(returncode=-1)
    reader, stderr_tail = drain_in_background(process.stderr)
    killer = threading.Timer(timeout, process.kill) if timeout else None
    if killer is not None:
        killer.start()
    try:
        for line in process.stdout:
            event = parse_event(line)
            if event is None:
                continue
            if event.get("event") == "finish":
                outcome.finished.append(event)
            if on_event is not None:
                on_event(event)
        outcome.returncode = process.wait()
    finally:
        if killer is not None:
            killer.cancel()
        reader.join(timeout=5)
    outcome.log_tail = "".join(stderr_tail)
    return outcome


def drain_in_background(stream: IO[str], keep: int = 40) -> tuple[threading.Thread, list[str]]:
    """Read `stream` on a daemon thread, keeping its last `keep` lines: a child whose stderr
    pipe fills up would stall."""
    tail: list[str] = []

    def drain() -> None:
        for line in stream:
            tail.append(line)
            del tail[:-keep]

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    return reader, tail


def parse_event(line: str) -> CrawlEvent | None:
    """A JSON-line progress event from the crawl process, or None for any other output."""
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return None
    return event if isinstance(event, dict) and "event" in event else None
