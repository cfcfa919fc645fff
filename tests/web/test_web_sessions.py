"""Sessions live on the server (issue 14, item 2): signing out ends a copied cookie too, a
session ends after 30 idle minutes and 12 hours in all, and a password change signs the
account out everywhere. The app's clock is moved; nothing sleeps."""

from __future__ import annotations

from conftest import Bare
from fastapi.testclient import TestClient
from web_fixtures import PASSWORD, csrf_of, sign_in

NEW_PASSWORD = "seven blue lanterns drift"


def _copy(bare: Bare, client: TestClient) -> TestClient:
    """Another browser holding a copy of `client`'s cookies (a stolen or kept cookie)."""
    thief = bare.client(None)
    for name, value in client.cookies.items():
        thief.cookies.set(name, value)
    return thief


def test_signing_out_ends_the_session_for_a_copied_cookie_too(bare: Bare) -> None:
    client = bare.client("officer")
    kept = _copy(bare, client)
    assert kept.get("/api/v1/me").status_code == 200
    token = csrf_of(client.get("/check").text)
    assert client.post("/signout", data={"csrf_token": token}).status_code == 303
    assert client.get("/api/v1/me").status_code == 401
    assert kept.get("/api/v1/me").status_code == 401  # the old cookie is worth nothing now
    assert kept.get("/tenders").status_code == 303


def test_a_session_ends_after_thirty_idle_minutes(bare: Bare) -> None:
    client = bare.client("officer")
    bare.clock.advance(minutes=29)
    assert client.get("/api/v1/me").status_code == 200  # activity keeps it alive ...
    bare.clock.advance(minutes=29)
    assert client.get("/api/v1/me").status_code == 200
    bare.clock.advance(minutes=31)  # ... idleness ends it
    assert client.get("/api/v1/me").status_code == 401
    page = client.get("/tenders", follow_redirects=True)
    assert "Your session has ended" in page.text


def test_a_session_ends_twelve_hours_after_sign_in_however_active(bare: Bare) -> None:
    client = bare.client("officer")
    for _ in range(35):  # 11 h 40 min of a request every 20 minutes
        bare.clock.advance(minutes=20)
        assert client.get("/api/v1/me").status_code == 200
    bare.clock.advance(minutes=21)
    assert client.get("/api/v1/me").status_code == 401


def test_the_limits_are_settings(bare: Bare) -> None:
    app = bare.app_with(session_idle_minutes=5, session_lifetime_hours=1)
    client = TestClient(app, follow_redirects=False)
    response = sign_in(client, bare.emails["officer"])
    assert response.status_code == 303
    assert "max-age=3600" in response.headers["set-cookie"].lower()
    bare.clock.advance(minutes=4)
    assert client.get("/api/v1/me").status_code == 200
    bare.clock.advance(minutes=6)
    assert client.get("/api/v1/me").status_code == 401


def test_the_cookie_lives_no_longer_than_the_session(bare: Bare) -> None:
    client = bare.client(None)
    response = sign_in(client, bare.emails["officer"])
    cookie = response.headers["set-cookie"].lower()
    assert f"max-age={12 * 3600}" in cookie  # not 14 days


def test_changing_the_password_signs_out_every_other_session(bare: Bare) -> None:
    mine, other = bare.client("org_a"), bare.client("org_a")
    kept = _copy(bare, mine)
    token = csrf_of(mine.get("/account/password").text)
    response = mine.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": token,
        },
    )
    assert response.status_code == 303, response.text
    assert mine.get("/api/v1/me").status_code == 200  # this browser goes on, in a new session
    assert other.get("/api/v1/me").status_code == 401
    assert kept.get("/api/v1/me").status_code == 401  # the cookie from before the change too
    assert sign_in(bare.client(None), bare.emails["org_a"]).status_code == 400
    assert sign_in(bare.client(None), bare.emails["org_a"], NEW_PASSWORD).status_code == 303
    ((to, message),) = bare.mailbox.inbox.messages  # the account holder is told
    assert to == [bare.emails["org_a"]] and "was changed" in message


def test_a_cookie_naming_a_session_that_does_not_exist_is_anonymous(bare: Bare) -> None:
    import json
    from base64 import b64encode

    from itsdangerous import TimestampSigner

    forged = b64encode(json.dumps({"sid": "made-up", "uid": 1, "csrf": "k"}).encode())
    # signed with the real key: the signature holds, the server-side session does not
    cookie = TimestampSigner(bare.settings.secret_key.get_secret_value()).sign(forged).decode()
    client = bare.client(None)
    client.cookies.set("lotwise_session", cookie)
    assert client.get("/api/v1/me").status_code == 401


def test_sessions_left_open_are_deleted_once_past_their_limits(bare: Bare) -> None:
    from sqlalchemy import func, select

    from scanner.models import WebSession

    for _ in range(3):
        bare.client("officer")  # three browsers that never sign out
    bare.clock.advance(minutes=31)
    bare.client("operator")  # any sign-in sweeps the expired ones
    with bare.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(WebSession)) == 1
