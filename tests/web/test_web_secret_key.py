"""The development signing key never serves a site others can reach (issue 14, item 1), and a
confirmation link signs in nobody but the pending organisation it was made for."""

from __future__ import annotations

import pytest
from conftest import Bare
from sqlalchemy import Engine
from typer.testing import CliRunner
from web_fixtures import csrf_of, web_settings

from scanner.cli.main import app as cli_app
from scanner.settings import DEV_SECRET_KEY
from scanner.web import create_app
from scanner.web.secret_key import UnsafeSecretKeyError, secret_key_problem


@pytest.mark.parametrize(
    ("base_url", "bind_host", "unsafe"),
    [
        ("http://localhost:8000", "127.0.0.1", False),
        ("http://127.0.0.1:8000", None, False),
        ("https://lotwise.example", "127.0.0.1", True),  # behind a TLS proxy
        ("http://lotwise.example", None, True),
        ("http://localhost:8000", "0.0.0.0", True),
    ],
)
def test_development_key_is_refused_wherever_others_can_reach_the_site(
    base_url: str, bind_host: str | None, unsafe: bool
) -> None:
    settings = web_settings("sqlite://", base_url=base_url, secret_key=DEV_SECRET_KEY)
    problem = secret_key_problem(settings, bind_host=bind_host)
    assert (problem is not None) is unsafe
    if unsafe:
        assert "LOTWISE_SECRET_KEY" in (problem or "")
    strong = web_settings("sqlite://", base_url=base_url)
    assert secret_key_problem(strong, bind_host=bind_host) is None


def test_short_key_is_refused_off_loopback() -> None:
    settings = web_settings("sqlite://", base_url="https://x.example", secret_key="short")
    assert "at least 32" in (secret_key_problem(settings) or "")


def test_app_factory_refuses_the_development_key_with_an_https_address(
    engine: Engine, database_url: str
) -> None:
    settings = web_settings(
        database_url, base_url="https://lotwise.example", secret_key=DEV_SECRET_KEY
    )
    with pytest.raises(UnsafeSecretKeyError, match="development default"):
        create_app(settings, engine)


def test_serve_exits_with_one_line_before_listening(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOTWISE_SECRET_KEY", raising=False)
    monkeypatch.setenv("LOTWISE_BASE_URL", "https://lotwise.example")
    monkeypatch.setenv("LOTWISE_DATABASE_URL", "sqlite://")
    result = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 2
    assert "public development default" in result.output
    assert "Lotwise on http" not in result.output


def _forged_session_cookie(payload: dict[str, object]) -> str:
    """A session cookie as Starlette signs it, made with the key in the source."""
    import json
    from base64 import b64encode

    from itsdangerous import TimestampSigner

    data = b64encode(json.dumps(payload).encode())
    return TimestampSigner(DEV_SECRET_KEY).sign(data).decode()


def test_a_session_signed_with_the_development_key_is_worth_nothing(bare: Bare) -> None:
    client = bare.client(None)
    client.cookies.set("lotwise_session", _forged_session_cookie({"uid": 1, "csrf": "k"}))
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/operator").status_code in (303, 401)


def test_confirmation_link_never_signs_in_an_existing_account(bare: Bare) -> None:
    """A link of the old kind (the user id, signed with the site key) confirms nothing: a
    link is now a random single-use token stored server-side, and never signs anyone in."""
    from itsdangerous import URLSafeTimedSerializer
    from sqlalchemy import select

    from scanner.models import User

    key = bare.app.state.digest_config.secret_key
    with bare.engine.connect() as conn:
        operator_id = conn.scalar(select(User.id).where(User.role == "operator"))
    assert operator_id is not None
    token = URLSafeTimedSerializer(key, salt="lotwise-signup").dumps(operator_id)
    client = bare.client(None)
    for forged in (token, "forged", ""):
        response = client.get("/signup/confirm", params={"token": forged})
        assert response.status_code == 400 and "not valid" in response.text
        csrf = csrf_of(client.get("/signin").text)
        posted = client.post("/signup/confirm", data={"token": forged, "csrf_token": csrf})
        assert posted.status_code == 400
    assert client.get("/api/v1/me").status_code == 401


def _serve_on_a_taken_port(env: dict[str, str], *args: str) -> str:
    """Run `lotwise serve` in process until uvicorn fails to bind a port we hold: everything
    `serve` prints before listening, without leaving a server behind."""
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = str(holder.getsockname()[1])
        result = CliRunner().invoke(
            cli_app, ["serve", "--host", "127.0.0.1", "--port", port, *args], env=env
        )
    assert result.exit_code != 0  # the port was taken
    return result.output


def test_serve_prints_one_warning_line_per_unsafe_setting() -> None:
    env = {
        "LOTWISE_DATABASE_URL": "sqlite://",
        "LOTWISE_BASE_URL": "https://lotwise.example",
        "LOTWISE_SECRET_KEY": "k" * 48,
        "LOTWISE_SMTP_HOST": "mail.example",
        "LOTWISE_SMTP_SECURITY": "none",
        "LOTWISE_METRICS_TOKEN": "",
    }
    warnings = [
        line for line in _serve_on_a_taken_port(env).splitlines() if line.startswith("Warning:")
    ]
    assert len(warnings) == 3, warnings
    assert any("--forwarded-allow-ips" in w for w in warnings)
    assert any("LOTWISE_SMTP_SECURITY" in w for w in warnings)
    assert any("LOTWISE_METRICS_TOKEN" in w for w in warnings)
    safe = {**env, "LOTWISE_SMTP_SECURITY": "tls", "LOTWISE_METRICS_TOKEN": "m" * 40}
    output = _serve_on_a_taken_port(safe, "--forwarded-allow-ips", "127.0.0.1")
    assert "Warning:" not in output


def test_serve_warns_of_a_plain_http_address_off_this_machine() -> None:
    env = {
        "LOTWISE_DATABASE_URL": "sqlite://",
        "LOTWISE_BASE_URL": "http://lotwise.example",
        "LOTWISE_SECRET_KEY": "k" * 48,
        "LOTWISE_SMTP_SECURITY": "tls",
        "LOTWISE_METRICS_TOKEN": "m" * 40,
    }
    (warning,) = [
        line for line in _serve_on_a_taken_port(env).splitlines() if line.startswith("Warning:")
    ]
    assert "LOTWISE_BASE_URL" in warning and "unencrypted" in warning
    local = {**env, "LOTWISE_BASE_URL": "http://localhost:8000", "LOTWISE_METRICS_TOKEN": ""}
    assert "Warning:" not in _serve_on_a_taken_port(local)  # this machine only: no noise
