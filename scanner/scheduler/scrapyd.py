"""Dispatching crawls to Scrapyd (the Scrapy cluster daemon) instead of local processes.

Scrapyd runs the same spiders (`scrapy crawl SPIDER -a source=NAME`) with the same
`StorePipeline`, which writes to the database its environment names (`LOTWISE_DATABASE_URL`
on the Scrapyd host), so results come back through the shared database, not over HTTP. Only
the job's state is polled here, through Scrapyd's JSON API.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class ScrapydError(RuntimeError):
    """Scrapyd refused a request or could not be reached; the message says which and why."""


@dataclass
class ScrapydClient:
    url: str
    project: str
    timeout: float = 10.0
    #: schedule.json answers only after running `scrapy list` in a child process (Scrapyd
    #: caches the list after the first call): that child's start-up, seconds on a busy host.
    schedule_timeout: float = 60.0

    def _call(
        self, method: str, endpoint: str, timeout: float | None = None, **params: Any
    ) -> dict[str, Any]:
        import httpx  # only when dispatching to Scrapyd: every `lotwise` process imports this

        target = f"{self.url.rstrip('/')}/{endpoint}"
        try:
            if method == "GET":
                response = httpx.get(target, params=params, timeout=timeout or self.timeout)
            else:
                response = httpx.post(target, data=params, timeout=timeout or self.timeout)
        except httpx.HTTPError as exc:
            raise ScrapydError(f"Scrapyd at {self.url} unreachable: {exc}") from exc
        try:
            body: dict[str, Any] = response.json()
        except ValueError as exc:
            raise ScrapydError(
                f"Scrapyd {endpoint}: HTTP {response.status_code}, not JSON"
            ) from exc
        if body.get("status") != "ok":
            raise ScrapydError(f"Scrapyd {endpoint}: {body.get('message') or body}")
        return body

    def schedule(self, spider: str, source: str, settings: dict[str, str] | None = None) -> str:
        """Queue `spider` for `source`; returns the Scrapyd job id."""
        params: dict[str, Any] = {"project": self.project, "spider": spider, "source": source}
        if settings:
            params["setting"] = [f"{k}={v}" for k, v in settings.items()]
        scheduled = self._call("POST", "schedule.json", self.schedule_timeout, **params)
        return str(scheduled["jobid"])

    def state(self, job: str) -> str:
        """pending, running, finished, or '' when Scrapyd does not know the job."""
        return str(self._call("GET", "status.json", job=job, project=self.project)["currstate"])

    def cancel(self, job: str, signal: str = "INT") -> None:
        """Stop a job: INT lets Scrapy close the spider cleanly (the run is marked)."""
        self._call("POST", "cancel.json", project=self.project, job=job, signal=signal)

    def daemon_status(self) -> dict[str, Any]:
        return self._call("GET", "daemonstatus.json")


def wait_for_job(
    client: ScrapydClient,
    job: str,
    *,
    timeout: float | None,
    grace: float,
    should_stop: Callable[[], bool],
    poll: float = 0.5,
    on_poll: Callable[[], None] | None = None,
) -> str:
    """Poll until the job is finished. On shutdown or timeout the job is cancelled with
    SIGINT, then with SIGKILL after `grace`. Returns 'finished', 'stopped' or 'timeout'."""
    started = time.monotonic()
    cancelled_at: float | None = None
    outcome = "finished"
    while True:
        state = client.state(job)
        if state in ("finished", ""):
            return outcome
        if on_poll is not None:
            on_poll()
        elapsed = time.monotonic() - started
        if cancelled_at is None and (should_stop() or (timeout and elapsed > timeout)):
            outcome = "stopped" if should_stop() else "timeout"
            client.cancel(job, "INT")
            cancelled_at = time.monotonic()
        elif cancelled_at is not None and time.monotonic() - cancelled_at > grace:
            client.cancel(job, "KILL")
            cancelled_at = float("inf")  # once
        time.sleep(poll)
