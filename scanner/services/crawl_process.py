"""One crawl as a child process (`python -m spiders crawl NAME`) that can be stopped.

Scrapy's reactor cannot restart, and a hung spider must be killed without taking the
scheduler down, so every scheduled crawl is its own process. `stop()` asks it to finish
cleanly (SIGINT: Scrapy closes the spider and the pipeline marks the run) and kills it when
it has not exited within the grace period; a timeout does the same.

The child dies with its parent: it runs in its own process group (a Ctrl-C on the caller's
terminal is the caller's to relay) and asks Linux for SIGKILL when its parent dies
(`PR_SET_PDEATHSIG`), so a `kill -9` of `lotwise crawl` or the scheduler never leaves an
orphan crawling a source whose lease has been taken over.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scanner.services.crawl import CrawlEvent, drain_in_background, parse_event


@dataclass
class ProcessOutcome:
    """How a crawl process ended: exit code, its events, whether it was stopped (shutdown),
    timed out or killed, and the tail of its log."""

    returncode: int
    events: list[CrawlEvent] = field(default_factory=list)
    stopped: bool = False
    stop_reason: str = ""
    timed_out: bool = False
    killed: bool = False
    log_tail: str = ""
    pid: int = 0

    def event(self, kind: str) -> CrawlEvent | None:
        return next((e for e in self.events if e.get("event") == kind), None)


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> Callable[[], None]:
    """A `preexec_fn` (run in the child between fork and exec) that makes the kernel SIGKILL
    the child when `parent` dies; if the parent died before the request took effect, the
    child exits at once. Outside Linux it does nothing (the process group still helps)."""
    libc_name = ctypes.util.find_library("c") if sys.platform.startswith("linux") else None
    libc = ctypes.CDLL(libc_name, use_errno=True) if libc_name else None

    def preexec() -> None:
        if libc is None:
            return
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return preexec


def crawl_command(sources: Sequence[str], since: str | None = None) -> list[str]:
    command = [sys.executable, "-m", "spiders", "crawl", *sources]
    return [*command, "--since", since] if since else command


class CrawlProcess:
    """A running `python -m spiders crawl` child; call `wait()` to read it to the end."""

    def __init__(
        self,
        sources: list[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        timeout: float | None,
        grace: float,
        on_event: Callable[[CrawlEvent], None] | None = None,
        since: str | None = None,
    ) -> None:
        self.grace = grace
        self.timeout = timeout
        self.on_event = on_event
        self.outcome = ProcessOutcome(returncode=-1)
        self._lock = threading.Lock()
        self.process = subprocess.Popen(
            crawl_command(sources, since),
            cwd=cwd,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # a Ctrl-C on the caller's terminal is ours to relay
            preexec_fn=die_with_parent(os.getpid()),
        )
        self.outcome.pid = self.process.pid

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, *, reason: str = "shutdown") -> None:
        """Ask the crawl to stop cleanly now; kill it if it is still there after the grace."""
        with self._lock:
            if self.process.poll() is not None:
                return
            if reason == "timeout":
                self.outcome.timed_out = True
            else:
                self.outcome.stopped = True
                self.outcome.stop_reason = reason
            self.process.send_signal(signal.SIGINT)
        killer = threading.Timer(self.grace, self.kill)
        killer.daemon = True
        killer.start()

    def kill(self) -> None:
        with self._lock:
            if self.process.poll() is None:
                self.outcome.killed = True
                self.process.kill()

    def wait(self) -> ProcessOutcome:
        """Read events until the process exits, honouring the timeout."""
        process = self.process
        assert process.stdout is not None and process.stderr is not None
        reader, tail = drain_in_background(process.stderr)
        timer = None
        if self.timeout:
            timer = threading.Timer(self.timeout, self.stop, kwargs={"reason": "timeout"})
            timer.daemon = True
            timer.start()
        try:
            for line in process.stdout:
                event = parse_event(line)
                if event is None:
                    continue
                self.outcome.events.append(event)
                if self.on_event is not None:
                    self.on_event(event)
            self.outcome.returncode = process.wait()
        finally:
            if timer is not None:
                timer.cancel()
            reader.join(timeout=5)
        self.outcome.log_tail = "".join(tail)
        return self.outcome
