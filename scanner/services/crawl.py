"""Running crawls: each crawl is a `python -m spiders crawl` subprocess
(`services.crawl_process`), driven by `services.crawl_cycle`; here the pieces they share.

Scrapy's reactor cannot restart within a process, and a hung crawl must be killable without
taking its caller down, so the core never imports the spiders; it starts them and reads the
JSON-lines progress events they print on stdout.
"""

from __future__ import annotations

import json
import os
import threading
from typing import IO, Any

from pydantic import SecretStr

from scanner.settings import Settings

CrawlEvent = dict[str, Any]


def settings_environment(settings: Settings) -> dict[str, str]:
    """The environment that hands `settings` to a child process (`LOTWISE_<NAME>`)."""
    env = dict(os.environ)
    for name, value in settings.model_dump().items():
        if isinstance(value, SecretStr):  # str() would hand the child "**********"
            value = value.get_secret_value()
        if value is not None:
            env[f"LOTWISE_{name.upper()}"] = str(value)
    return env


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
