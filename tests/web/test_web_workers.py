"""`lotwise serve --workers 2`: two processes answer one port, each with its own application
and draft-check fork server, and a session made through one is honoured by the other (issue 16:
one process serves one core)."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import httpx
from schema_template import migrate
from web_fixtures import PASSWORD, TEST_SECRET_KEY, csrf_of, free_port

from scanner.services.users import add_user
from scanner.settings import PROJECT_ROOT
from scanner.storage.database import make_engine

#: What uvicorn logs in each worker once its application has started (lifespan startup done).
STARTED = "Application startup complete."


def _children(pid: int) -> list[str]:
    """Command lines of a process's children (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                found.append(
                    Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                )
            except FileNotFoundError:
                continue
    return found


def _read_lines(stream: IO[bytes], lines: queue.Queue[str | None]) -> None:
    """Every line the server writes, then None at the end of its output."""
    for raw in iter(stream.readline, b""):
        lines.put(raw.decode(errors="replace"))
    lines.put(None)


def _wait_for_workers(lines: queue.Queue[str | None], said: list[str], workers: int) -> None:
    """Block until `workers` workers have logged that their application started: no polling,
    each line is read as the server writes it (fails at once if the server exits)."""
    deadline = time.monotonic() + 180
    started = 0
    while started < workers:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.001))
        except queue.Empty:
            raise AssertionError("the workers did not start:\n" + "".join(said)) from None
        if line is None:
            raise AssertionError("the server exited:\n" + "".join(said))
        said.append(line)
        started += STARTED in line


def test_two_workers_serve_one_port_and_share_sessions(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine)
    add_user(engine, "officer@x.example", "officer", PASSWORD, now=datetime.now(UTC))
    engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "LOTWISE_DATABASE_URL": sqlite_url,
        "LOTWISE_BASE_URL": f"http://127.0.0.1:{port}",
        "LOTWISE_SECRET_KEY": TEST_SECRET_KEY,
        "LOTWISE_WEB_WORKERS": "2",
        "PYTHONUNBUFFERED": "1",  # each line as it is written: the test waits on them
    }
    server = subprocess.Popen(
        [sys.executable, "-c", "from scanner.cli.main import main; main()", "serve",
         "--port", str(port)],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    assert server.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(server.stdout, lines), daemon=True)
    reader.start()
    said: list[str] = []
    try:
        _wait_for_workers(lines, said, workers=2)
        assert httpx.get(f"{base}/healthz", timeout=60).status_code == 200
        workers = [c for c in _children(server.pid) if "spawn_main" in c]
        assert len(workers) == 2, _children(server.pid)
        with httpx.Client(base_url=base) as client:
            token = csrf_of(client.get("/signin").text)
            signed = client.post(
                "/signin",
                data={"email": "officer@x.example", "password": PASSWORD, "csrf_token": token},
            )
            assert signed.status_code == 303
            cookies = client.cookies
        # Each request on a new connection: both workers get some, and all know the session.
        for _ in range(12):
            with httpx.Client(base_url=base, cookies=cookies) as fresh:
                assert fresh.get("/api/v1/me").json()["email"] == "officer@x.example"
        with httpx.Client(base_url=base, cookies=cookies, timeout=120) as client:
            token = csrf_of(client.get("/check").text)
            checked = client.post(
                "/check", data={"text": "Draft\nBudget: £1m", "csrf_token": token}
            )
            assert checked.status_code == 200, checked.text[-500:]
    finally:
        server.terminate()
        server.wait(timeout=60)
        reader.join(timeout=60)
    while (line := lines.get_nowait()) is not None:
        said.append(line)
    assert "2 worker processes" in "".join(said)
