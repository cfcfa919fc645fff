"""Request bodies are limited before anything reads them (issue 14, item 5): an oversized
Content-Length, a chunked body that grows too large, or a form of too many fields is answered
413 with a clear message, before sign-in, the CSRF check or any parsing, for forms, uploads
and API bodies alike."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from conftest import Bare
from sqlalchemy import func, select
from web_fixtures import csrf_of, post_form, served

from scanner.models import AuthAttempt
from scanner.web.limits import MAX_FIELDS, MAX_FORM, MAX_UPLOAD


def _attempts(bare: Bare) -> int:
    with bare.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(AuthAttempt)) or 0)


def test_an_oversized_form_is_refused_before_sign_in_and_csrf(bare: Bare) -> None:
    client = bare.client(None)
    token = csrf_of(client.get("/signin").text)
    body = {"email": bare.emails["officer"], "password": "x" * (MAX_FORM + 1), "csrf_token": token}
    response = client.post("/signin", data=body)
    assert response.status_code == 413
    assert "larger than 256 KB" in response.text and "nothing was read" in response.text
    assert _attempts(bare) == 0  # not even counted as a failed sign-in
    # anonymous and without a token: refused for its size, not redirected or 403
    upload = client.post("/check", files={"file": ("d.txt", b"x" * (MAX_UPLOAD + 1))})
    assert upload.status_code == 413 and "larger than 2.1 MB" in upload.text


def test_a_chunked_body_is_counted_as_it_arrives(bare: Bare) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"a" * 10_000

    response = bare.client(None).post(
        "/signin",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413 and "larger than 256 KB" in response.text


def test_a_thousand_fields_are_refused_before_parsing(bare: Bare) -> None:
    client = bare.client(None)
    token = csrf_of(client.get("/signin").text)
    fields = "&".join(f"f{i}=1" for i in range(1000))
    response = client.post(
        "/signin",
        content=f"{fields}&csrf_token={token}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert f"more than {MAX_FIELDS} fields" in response.text
    parts = {f"p{i}": (None, "1") for i in range(20)}
    officer = bare.client("officer")
    multipart = officer.post("/check", files=parts)
    assert multipart.status_code == 413 and "more than 8 parts" in multipart.text
    # the largest real form passes
    signup = post_form(
        client,
        "/signup",
        "/signup",
        {"email": "x@y.example", "description": "é" * 9000, "id": "x-org", "name": "X"},
    )
    assert signup.status_code in (200, 400) and "larger than" not in signup.text


def test_api_bodies_are_limited_and_answered_as_json(bare: Bare) -> None:
    response = bare.client("officer").post("/api/v1/tenders", content=b"{" + b" " * MAX_FORM)
    assert response.status_code == 413
    assert "larger than 256 KB" in response.json()["detail"]


@pytest.fixture
def server(bare: Bare) -> Iterator[int]:
    with served(bare.app) as port:
        yield port


def test_a_declared_200_mb_body_is_refused_before_a_byte_is_read(server: int) -> None:
    """Over a real socket: the headers alone announce 200 MB; the answer comes without the
    server waiting for (or spooling) any of it."""
    with socket.create_connection(("127.0.0.1", server), timeout=20) as sock:
        sock.sendall(
            b"POST /signin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 209715200\r\n\r\n"
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            assert chunk, "connection closed without an answer"
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413")
