"""Two `lotwise schedule` processes on one database contend for the same source: exactly one
crawls it, the other skips it; SIGTERM stops both gracefully, the running crawl is stopped
and its run marked, and the lease is released. Logs are JSON lines carrying run ids."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sched_support import REPO, route, runs, source_toml
from sqlalchemy import Engine, func, select

from scanner.demo.server import RecordedServer
from scanner.models import SourceLock


def _logs(path: Path) -> list[dict[str, Any]]:
    lines = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return lines


def _wait(condition: Any, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_two_schedulers_crawl_a_source_once_and_stop_cleanly_on_sigterm(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    path = "/slow/releases"
    manifest = {"routes": [route(path, "", fault="timeout")]}  # the publisher never answers
    with RecordedServer(manifest) as server:
        sources_file = tmp_path / "sources.toml"
        sources_file.write_text(
            source_toml("slow", server.base_url + path, 'interval = "1h"'), encoding="utf-8"
        )
        env = {
            **os.environ,
            "LOTWISE_DATABASE_URL": database_url,
            "LOTWISE_SOURCES_FILE": str(sources_file),
            "LOTWISE_LOG_FORMAT": "json",
            "LOTWISE_HTTP_TIMEOUT": "60",
            "LOTWISE_HTTP_RETRIES": "0",
            "LOTWISE_STOP_GRACE": "2",
            "LOTWISE_CONTACT_URL": "https://example.org/lotwise-tests",
        }
        logs = [tmp_path / "a.log", tmp_path / "b.log"]

        def scheduler(log: Path) -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                [sys.executable, "-m", "scanner.cli.main", "schedule"],
                cwd=REPO,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log.open("w"),
            )

        def logged(log: Path, prefix: str) -> bool:
            return any(e["message"].startswith(prefix) for e in _logs(log))

        # The first scheduler crawls the never-crawled source at once. The second starts
        # while that crawl runs, finds the source overdue (no success within its interval)
        # and tries too: the lease turns its attempt into a skip.
        processes = [scheduler(logs[0])]
        try:
            assert _wait(lambda: logged(logs[0], "crawl started") and len(server.requests) >= 1), (
                logs[0].read_text()[-2000:]
            )
            processes.append(scheduler(logs[1]))
            assert _wait(lambda: logged(logs[1], "skipped:")), logs[1].read_text()[-2000:]
            for process in processes:
                process.send_signal(signal.SIGTERM)
            codes = [process.wait(timeout=60) for process in processes]
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
    assert codes == [0, 0], [log.read_text()[-3000:] for log in logs]
    entries = [_logs(log) for log in logs]
    crawled = [e for e in entries if any(x["message"] == "crawl started" for x in e)]
    skipped = [e for e in entries if any(x["message"].startswith("skipped:") for x in e)]
    assert len(crawled) == 1 and len(skipped) == 1
    (skip,) = [x for x in skipped[0] if x["message"].startswith("skipped:")]
    assert "source 'slow' is being crawled by" in skip["message"]
    (run,) = runs(engine, "slow")  # one run, stopped and marked
    assert run.status == "failed"
    assert "stopped" in (run.message or "")
    (ended,) = [x for x in crawled[0] if x["message"].startswith("crawl failed")]
    assert ended["run_id"] == run.id and ended["source"] == "slow" and ended["run_token"]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SourceLock)).scalar() == 0
