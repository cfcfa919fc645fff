"""The development signing key never serves a site others can reach (issue 14, item 1), and a
confirmation link signs in nobody but the pending organisation it was made for."""

from __future__ import annotations

import pytest
from conftest import Site
from sqlalchemy import Engine
from typer.testing import CliRunner
from web_fixtures import web_settings

from scanner.cli.main import app as cli_app
from scanner.services.users import confirm_token
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


def test_a_session_signed_with_the_development_key_is_worth_nothing(site: Site) -> None:
    client = site.client(None)
    client.cookies.set("lotwise_session", _forged_session_cookie({"uid": 1, "csrf": "k"}))
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/operator").status_code in (303, 401)


def test_confirmation_link_never_signs_in_an_existing_account(site: Site) -> None:
    key = site.app.state.digest_config.secret_key
    with site.engine.connect() as conn:
        from sqlalchemy import select

        from scanner.models import User

        operator_id = conn.scalar(select(User.id).where(User.role == "operator"))
    assert operator_id is not None
    client = site.client(None)
    response = client.get("/signup/confirm", params={"token": confirm_token(key, operator_id)})
    assert response.status_code == 400 and "sign in" in response.text
    assert client.get("/api/v1/me").status_code == 401
