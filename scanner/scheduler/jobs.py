"""The scheduled jobs, as module-level functions: APScheduler's persistent job store keeps a
reference to each (`scanner.scheduler.jobs:crawl_source`) and its arguments, never objects.

They delegate to the `LotwiseScheduler` of this process, installed when it starts: the
scheduler hands its collaborators (settings, engine, clock, runner) to the jobs this way.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.scheduler.app import LotwiseScheduler

_installed: LotwiseScheduler | None = None
_guard = threading.Lock()


def install(app: LotwiseScheduler) -> None:
    global _installed
    with _guard:
        _installed = app


def uninstall(app: LotwiseScheduler) -> None:
    global _installed
    with _guard:
        if _installed is app:
            _installed = None


def current() -> LotwiseScheduler:
    if _installed is None:
        raise RuntimeError("no Lotwise scheduler is running in this process")
    return _installed


def crawl_source(name: str) -> Any:
    return current().crawl(name)


def retry_source(name: str) -> Any:
    return current().retry(name)


def send_digests(frequency: str) -> Any:
    return current().send_digests(frequency)


def tick() -> Any:
    return current().tick()
