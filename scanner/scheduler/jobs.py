"""The scheduled jobs, as module-level functions: APScheduler's persistent job store keeps a
reference to each (`scanner.scheduler.jobs:crawl_source`) and its arguments, never objects.

They delegate to the `LotwiseScheduler` of this process, installed when it starts: the
scheduler hands its collaborators (settings, engine, clock, runner) to the jobs this way.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import OperationalError

from scanner.storage.database import database_failure

if TYPE_CHECKING:
    from scanner.scheduler.app import LotwiseScheduler

logger = logging.getLogger(__name__)
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


def _database_failure_in_one_line(job: Callable[..., Any]) -> Callable[..., Any]:
    """A job that meets an unreachable database or a fired timeout logs one line naming the
    setting (not APScheduler's traceback); the next run tries again."""

    @functools.wraps(job)
    def run(*args: Any) -> Any:
        try:
            return job(*args)
        except OperationalError as exc:
            logger.error("job %s: %s", job.__name__, database_failure(exc))
            return None

    return run


@_database_failure_in_one_line
def crawl_source(name: str) -> Any:
    return current().crawl(name)


@_database_failure_in_one_line
def retry_source(name: str) -> Any:
    return current().retry(name)


@_database_failure_in_one_line
def send_digests(frequency: str) -> Any:
    return current().send_digests(frequency)


@_database_failure_in_one_line
def tick() -> Any:
    return current().tick()
