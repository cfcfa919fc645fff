"""An orphan crawl is impossible (issue 19, case 5): `kill -9` of `lotwise crawl` ends its
Scrapy child within a second (process group and Linux parent-death signal), the source's
lease names the child that actually crawls, and the next crawl may take the source at once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sched_support import REPO, source_toml, two_page_routes
from sqlalchemy import Engine, select

from scanner.demo.server import RecordedServer
from scanner.models import SourceLock
from scanner.services.schedule import Lease, process_is_dead

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG")


def _lock_pid(engine: Engine) -> int | None:
    with engine.connect() as conn:
        return conn.execute(select(SourceLock.pid)).scalar()


def test_kill_9_of_lotwise_crawl_ends_its_child_and_frees_the_source(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with RecordedServer({"routes": two_page_routes("/o/r", "orp", hold_second=True)}) as server:
        sources_file = tmp_path / "sources.toml"
        sources_file.write_text(source_toml("held", f"{server.base_url}/o/r"), encoding="utf-8")
        env = {
            **os.environ,
            "LOTWISE_DATABASE_URL": database_url,
            "LOTWISE_SOURCES_FILE": str(sources_file),
            "LOTWISE_HTTP_TIMEOUT": "300",
            "LOTWISE_HTTP_RETRIES": "0",
            "LOTWISE_CONTACT_URL": "https://example.org/lotwise-tests",
        }
        parent = subprocess.Popen(
            [sys.executable, "-m", "scanner.cli.main", "crawl", "held"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert server.wait_for_requests(2, timeout=120), "the crawl never reached page 2"
            child = _lock_pid(engine)
            # The lease is held by the crawling child, not by the command that started it.
            assert child is not None and child != parent.pid
            assert Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")[1:4] == [
                b"-m",
                b"spiders",
                b"crawl",
            ]
            os.kill(parent.pid, signal.SIGKILL)
            parent.wait(timeout=10)
            deadline = time.monotonic() + 1.0
            while not process_is_dead(socket.gethostname(), child) and time.monotonic() < deadline:
                time.sleep(0.02)
            assert process_is_dead(socket.gethostname(), child), "the crawl child outlived kill -9"
        finally:
            if parent.poll() is None:
                parent.kill()
        # Its holder is dead, so the next crawl takes the source without waiting for expiry.
        lease = Lease(engine, ["held"], ttl=600).acquire()
        lease.release()
