"""A slow or heavy request never stalls the server (issue 14, item 6).

Against uvicorn on 127.0.0.1: while a sign-up waits on an SMTP server that accepted the
connection and says nothing, and while a draft check waits on a file that is not there yet
(a named pipe), `/healthz` answers. The order is asserted through events (the slow request is
provably still running when `/healthz` returns), never through timings. And a compressed
draft is read to at most the 2 MB the page states."""

from __future__ import annotations

import gzip
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import Bare
from web_fixtures import csrf_of, served

from scanner.settings import DEFAULT_CONFIG_DIR
from scanner.web.limits import MAX_DRAFT

GUARD = 60.0  # seconds before a stuck test fails instead of hanging; no assertion uses it


class SilentSmtp:
    """Accepts one connection and never answers until released (a stuck mail server)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = int(self.sock.getsockname()[1])
        self.connected, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        self.connected.set()
        self.release.wait(GUARD)
        conn.close()

    def close(self) -> None:
        self.release.set()
        self.thread.join(GUARD)
        self.sock.close()


def _form(client: httpx.Client, page: str) -> str:
    return csrf_of(client.get(page).text)


def test_healthz_answers_while_a_sign_up_waits_for_a_silent_mail_server(bare: Bare) -> None:
    smtp = SilentSmtp()
    app = bare.app_with(smtp_port=smtp.port)
    outcome: dict[str, int] = {}
    try:
        with (
            served(app) as port,
            httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=GUARD) as client,
        ):
            data = {
                "email": "slow@mail.example",
                "password": "seven blue lanterns drift",
                "id": "slow-org",
                "name": "Slow",
                "csrf_token": _form(client, "/signup"),
            }

            def sign_up() -> None:
                outcome["signup"] = client.post("/signup", data=data).status_code

            waiting = threading.Thread(target=sign_up)
            waiting.start()
            assert smtp.connected.wait(GUARD), "the sign-up never reached the mail server"
            with httpx.Client(timeout=GUARD) as other:
                health = other.get(f"http://127.0.0.1:{port}/healthz")
            still_waiting = waiting.is_alive() and not smtp.release.is_set()
            smtp.release.set()
            waiting.join(GUARD)
    finally:
        smtp.close()
    assert health.status_code == 200
    assert still_waiting, "/healthz answered only after the sign-up had finished"
    assert outcome["signup"] == 503  # the silent server never took the message


@pytest.fixture
def thresholds_pipe(tmp_path: Path) -> Iterator[Path]:
    pipe = tmp_path / "thresholds.toml"
    os.mkfifo(pipe)
    yield pipe


def test_healthz_answers_while_a_draft_check_is_blocked(bare: Bare, thresholds_pipe: Path) -> None:
    """The check blocks reading the thresholds file (a named pipe nobody writes yet): work
    that blocks its thread must not block the server."""
    app = bare.app_with(thresholds_file=thresholds_pipe)
    reader_arrived, written = threading.Event(), threading.Event()
    content = (DEFAULT_CONFIG_DIR / "thresholds.toml").read_bytes()

    def writer() -> None:
        with thresholds_pipe.open("wb") as pipe:  # returns once the handler opened it
            reader_arrived.set()
            written.wait(GUARD)
            pipe.write(content)

    feeder = threading.Thread(target=writer, daemon=True)
    feeder.start()
    outcome: dict[str, httpx.Response] = {}
    try:
        with (
            served(app) as port,
            httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=GUARD) as client,
        ):
            token = csrf_of(client.get("/signin").text)
            client.post(
                "/signin",
                data={
                    "email": bare.emails["officer"],
                    "password": "correct horse battery",
                    "csrf_token": token,
                },
            )
            draft = {
                "text": "Data platform\nBudget: £2,400,000 for discovery, build and hosting",
                "csrf_token": _form(client, "/check"),
            }

            def check() -> None:
                outcome["check"] = client.post("/check", data=draft)

            checking = threading.Thread(target=check)
            checking.start()
            assert reader_arrived.wait(GUARD), "the check never opened the thresholds file"
            with httpx.Client(timeout=GUARD) as other:
                health = other.get(f"http://127.0.0.1:{port}/healthz")
            still_checking = checking.is_alive() and not written.is_set()
            written.set()
            checking.join(GUARD)
    finally:
        written.set()
        feeder.join(GUARD)
    assert health.status_code == 200
    assert still_checking, "/healthz answered only after the check had finished"
    assert outcome["check"].status_code == 200 and "score" in outcome["check"].text


def test_a_compressed_draft_is_read_to_the_two_mb_the_page_states(bare: Bare) -> None:
    officer = bare.client("officer")
    token = csrf_of(officer.get("/check").text)
    text = b"Data platform\nBudget: \xc2\xa32,400,000\n" + b"discovery and build " * 160_000
    bomb = gzip.compress(text)  # 3.2 MB of text in a few KB
    assert len(text) > MAX_DRAFT > 100 * len(bomb)
    response = officer.post(
        "/check", data={"csrf_token": token}, files={"file": ("draft.txt.gz", bomb)}
    )
    assert response.status_code == 400
    assert "larger than 2 MB uncompressed" in response.text
    small = gzip.compress(text[: MAX_DRAFT // 2])
    token = csrf_of(officer.get("/check").text)
    fine = officer.post("/check", data={"csrf_token": token}, files={"file": ("draft.txt", small)})
    assert fine.status_code == 200 and "score" in fine.text


def test_a_draft_check_that_runs_too_long_is_stopped(
    bare: Bare, thresholds_pipe: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check's process waits on a pipe nobody will ever write: at the time limit it is
    killed and the officer told, and nothing of it is left running."""
    import multiprocessing

    from scanner.web.routes import officer as officer_routes

    monkeypatch.setattr(officer_routes, "CHECK_TIMEOUT", 1.0)
    app = bare.app_with(thresholds_file=thresholds_pipe)
    from fastapi.testclient import TestClient
    from web_fixtures import sign_in

    client = TestClient(app, follow_redirects=False)
    sign_in(client, bare.emails["officer"])
    token = csrf_of(client.get("/check").text)
    response = client.post("/check", data={"text": "Draft\nBudget: £1m", "csrf_token": token})
    assert response.status_code == 400 and "took longer than 1 seconds" in response.text
    assert [c for c in multiprocessing.active_children() if c.is_alive()] == []
