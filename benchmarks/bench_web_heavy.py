"""How long `/healthz` takes while the heaviest requests the web site accepts are running.

`lotwise serve` (one uvicorn process) on 127.0.0.1 over a SQLite file. In this process, a
prober requests `/healthz` one after another: first alone (the baseline), then while two
officers post the heaviest drafts `/check` accepts (2 MB of text; a 2 MB OCDS package of
1,800 releases), over and over, then while four sign-ups wait on an SMTP server that accepts
connections and never answers. With `--baseline-tree`, the same phases run first against
another checkout (the code before a change) in the same run. Prints the prober's latencies
beside its idle baseline, the heavy requests' own times and the machine's load; asserts
nothing (tests/web/test_web_event_loop.py asserts the order of events).

    .venv/bin/python benchmarks/bench_web_heavy.py [--seconds 20] [--baseline-tree DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

PASSWORD = "benchmark password for heavy pages"
MB = 1024 * 1024
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def text_draft() -> bytes:
    head = "Data platform for council services\nBudget: £2,400,000 over three years.\n"
    body = "Discovery, build, hosting, support and training for residents. " * 40_000
    return (head + body).encode()[: 2 * MB - 1024]


def ocds_draft() -> bytes:
    """A release package just under 2 MB: many releases with items, as a buyer might paste."""
    releases = []
    size = 0
    n = 0
    while size < 2 * MB - 20_000:
        n += 1
        release = {
            "ocid": f"ocds-bench-{n}", "id": f"r{n}", "date": "2026-11-01T00:00:00Z",
            "tag": ["planning"],
            "tender": {
                "id": f"t{n}", "title": f"Digital service {n}",
                "description": "Discovery, alpha, beta and live support. " * 8,
                "value": {"amount": 2_400_000, "currency": "GBP"},
                "items": [{"id": str(i), "description": f"Deliverable {i}",
                           "classification": {"scheme": "CPV", "id": "72000000"}}
                          for i in range(6)],
            },
        }  # fmt: skip
        releases.append(release)
        size += len(json.dumps(release))
    return json.dumps(
        {"uri": "x", "publishedDate": "2026-11-01T00:00:00Z", "releases": releases}
    ).encode()


class SilentSmtp:
    """Accepts connections and never answers (until closed)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = int(self.sock.getsockname()[1])
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def probe(url: str, stop: threading.Event) -> list[float]:
    times = []
    with httpx.Client(timeout=120) as client:
        while not stop.is_set():
            started = time.perf_counter()
            assert client.get(f"{url}/healthz").status_code == 200
            times.append(time.perf_counter() - started)
    return times


def while_running(url: str, workers: list[Callable[[], None]]) -> list[float]:
    """/healthz latencies measured while `workers` run (each in its own thread)."""
    stop = threading.Event()
    result: list[float] = []
    prober = threading.Thread(target=lambda: result.extend(probe(url, stop)))
    threads = [threading.Thread(target=w) for w in workers]
    prober.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    prober.join()
    return result


def signed_in(url: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=300)
    token = CSRF.search(client.get("/signin").text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/signin", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.text[:200]
    return client


def summary(name: str, times: list[float], baseline: float) -> None:
    ordered = sorted(times)
    p50 = statistics.median(ordered)
    p95 = ordered[int(len(ordered) * 0.95) - 1] if len(ordered) >= 20 else ordered[-1]
    print(f"  {name:<46} n={len(ordered):>4}  p50 {p50 * 1000:8.1f} ms  p95 {p95 * 1000:8.1f} ms  "
          f"max {ordered[-1] * 1000:8.1f} ms  p50/idle {p50 / baseline:6.1f}x")  # fmt: skip


SETUP = """
import sys
from datetime import UTC, datetime
from scanner.services.users import add_user
from scanner.storage.database import make_engine, upgrade_schema
engine = make_engine(sys.argv[1])
upgrade_schema(engine)
for n in (1, 2):
    add_user(engine, f"officer{n}@bench.example", "officer", sys.argv[2],
             now=datetime(2026, 11, 27, tzinfo=UTC))
"""


def start_server(tree: Path | None, smtp_port: int) -> tuple[subprocess.Popen[bytes], str]:
    """`lotwise serve` from this checkout, or from `tree` (another checkout of Lotwise, e.g.
    the code before issue 14), over a fresh SQLite database that tree's own code creates."""
    workdir = Path(tempfile.mkdtemp(prefix="lotwise-heavy-"))
    database = f"sqlite:///{workdir / 'heavy.sqlite'}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "LOTWISE_DATABASE_URL": database, "LOTWISE_BASE_URL": url,
           "LOTWISE_SMTP_HOST": "127.0.0.1", "LOTWISE_SMTP_PORT": str(smtp_port),
           "LOTWISE_AUTH_RATE_LIMIT": "100000", "LOTWISE_HTTP_TIMEOUT": "10"}  # fmt: skip
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    cwd = str(tree) if tree is not None else None
    subprocess.run([sys.executable, "-c", SETUP, database, PASSWORD], env=env, cwd=cwd, check=True)
    server = subprocess.Popen(
        [sys.executable, "-c", "from scanner.cli.main import main; main()", "serve",
         "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                return server, url
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # waiting for the server process to listen


def phases(url: str, seconds: float) -> None:
    idle_stop = threading.Event()
    threading.Timer(seconds / 2, idle_stop.set).start()
    idle = probe(url, idle_stop)
    baseline = statistics.median(idle)
    summary("/healthz alone (baseline)", idle, baseline)
    check_times: dict[str, list[float]] = {"text": [], "ocds": []}
    drafts = {"text": ("draft.txt", text_draft()), "ocds": ("draft.json", ocds_draft())}

    def checker(n: int, kind: str) -> Callable[[], None]:
        def run() -> None:
            client = signed_in(url, f"officer{n}@bench.example")
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                token = CSRF.search(client.get("/check").text).group(1)  # type: ignore[union-attr]
                started = time.perf_counter()
                response = client.post("/check", data={"csrf_token": token},
                                       files={"file": drafts[kind]})  # fmt: skip
                check_times[kind].append(time.perf_counter() - started)
                assert response.status_code in (200, 400), response.status_code

        return run

    for kind in ("text", "ocds"):
        size = len(drafts[kind][1]) / MB
        times = while_running(url, [checker(1, kind), checker(2, kind)])
        summary(f"/healthz during 2 x /check of {size:.2f} MB {kind}", times, baseline)
        heavy = check_times[kind]
        print(f"    the /check requests themselves: n={len(heavy)}, median "
              f"{statistics.median(heavy):.2f} s, max {max(heavy):.2f} s")  # fmt: skip
    signups: list[float] = []

    def signer(n: int) -> Callable[[], None]:
        def run() -> None:
            with httpx.Client(base_url=url, timeout=300) as client:
                token = CSRF.search(client.get("/signup").text).group(1)  # type: ignore[union-attr]
                started = time.perf_counter()
                client.post("/signup", data={
                    "email": f"slow{n}@mail.example", "password": PASSWORD,
                    "id": f"slow-{n}", "name": "Slow", "csrf_token": token})  # fmt: skip
                signups.append(time.perf_counter() - started)

        return run

    times = while_running(url, [signer(n) for n in range(4)])
    summary("/healthz during 4 sign-ups on a silent SMTP", times, baseline)
    print(f"    the sign-ups themselves (each SMTP step waits at most 10 s): median "
          f"{statistics.median(signups):.1f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument(
        "--baseline-tree",
        type=Path,
        help="another checkout (e.g. `git worktree add /tmp/before 85c726c`) run first, in "
        "the same process and conditions",
    )
    args = parser.parse_args()
    smtp = SilentSmtp()
    try:
        runs = [("before", args.baseline_tree)] if args.baseline_tree else []
        for label, tree in [*runs, ("this checkout", None)]:
            server, url = start_server(tree, smtp.port)
            try:
                print(f"{label}: load {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
                phases(url, args.seconds)
            finally:
                server.terminate()
                server.wait(30)
    finally:
        smtp.close()


if __name__ == "__main__":
    main()
