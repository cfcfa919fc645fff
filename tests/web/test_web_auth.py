"""Accounts: argon2 passwords, session cookie flags, sign-in delays, sign-up confirmed by a
real e-mail, safe redirects, error pages without traces, and `lotwise users add`. Most tests
need accounts but no tenders (the `bare` fixture)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from conftest import Bare, Site
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner
from web_fixtures import NOW, PASSWORD, confirmation_link, csrf_of, web_settings

from scanner.cli.main import app as cli_app
from scanner.models import Organisation, User
from scanner.services import users
from scanner.web import create_app

SIGNUP = {
    "email": "hello@newcoop.example", "password": PASSWORD, "id": "new-coop", "name": "New Co-op",
    "keywords": "user research; accessibility", "cpv": "79311000; 72", "regions": "UKI",
    "value_max": "80000", "currency": "GBP", "digest": "weekly",
}  # fmt: skip


def _signin(client: TestClient, email: str, password: str, next: str = "") -> object:
    token = csrf_of(client.get("/signin").text)
    data = {"email": email, "password": password, "csrf_token": token, "next": next}
    return client.post("/signin", data=data)


def test_passwords_are_stored_as_argon2_hashes(bare: Bare) -> None:
    with bare.engine.connect() as conn:
        hashes = list(conn.scalars(select(User.password_hash)))
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert PASSWORD not in "".join(hashes)
    # production cost (the web tests use argon2's cheapest parameters to run fast)
    from argon2 import profiles

    assert users.HASH_PARAMETERS == profiles.RFC_9106_LOW_MEMORY
    assert users.HASH_PARAMETERS.memory_cost >= 19 * 1024 and users.HASH_PARAMETERS.time_cost >= 2


def test_session_cookie_is_httponly_samesite_and_secure_over_https(
    bare: Bare, engine: Engine, database_url: str
) -> None:
    client = bare.client(None)
    response = _signin(client, bare.emails["officer"], PASSWORD)
    cookie = response.headers["set-cookie"].lower()  # type: ignore[attr-defined]
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    https = create_app(web_settings(database_url, base_url="https://lotwise.example"), engine)
    secure = TestClient(https, base_url="https://testserver", follow_redirects=False)
    response = _signin(secure, bare.emails["officer"], PASSWORD)
    assert "; secure" in response.headers["set-cookie"].lower()  # type: ignore[attr-defined]


def test_wrong_password_and_unknown_address_are_refused_alike(bare: Bare) -> None:
    client = bare.client(None)
    wrong = _signin(client, bare.emails["officer"], "not the password")
    unknown = _signin(client, "nobody@nowhere.example", PASSWORD)
    assert wrong.status_code == unknown.status_code == 400  # type: ignore[attr-defined]
    assert client.get("/tenders").status_code == 303


def test_failed_sign_ins_delay_the_next_attempt(
    engine: Engine, database_url: str, bare: Bare
) -> None:
    app = create_app(web_settings(database_url, auth_rate_limit=3), engine, now=lambda: NOW)
    client = TestClient(app, follow_redirects=False)
    codes = [
        _signin(client, bare.emails["officer"], "wrong password").status_code for _ in range(3)
    ]  # type: ignore[attr-defined]
    assert codes == [400, 400, 400]
    blocked = _signin(client, bare.emails["officer"], PASSWORD)
    assert blocked.status_code == 429  # type: ignore[attr-defined]
    assert "Too many" in blocked.text  # type: ignore[attr-defined]


def test_sign_up_is_confirmed_by_email_then_creates_the_profile(bare: Bare) -> None:
    client = bare.client(None)
    data = {**SIGNUP, "csrf_token": csrf_of(client.get("/signup").text)}
    response = client.post("/signup", data=data)
    assert response.status_code == 200 and "Check your inbox" in response.text
    with bare.engine.connect() as conn:
        assert conn.scalar(select(Organisation.id).where(Organisation.slug == "new-coop")) is None
    assert _signin(client, SIGNUP["email"], PASSWORD).status_code == 400  # type: ignore[attr-defined]
    ((recipients, message),) = bare.mailbox.inbox.messages
    assert recipients == [SIGNUP["email"]]
    link = urlsplit(confirmation_link(message))
    page = client.get(f"{link.path}?{link.query}")
    assert page.status_code == 200
    token = link.query.removeprefix("token=")
    confirmed = client.post(
        "/signup/confirm", data={"token": token, "csrf_token": csrf_of(page.text)}
    )
    assert confirmed.status_code == 303 and confirmed.headers["location"] == "/signin"
    signed_in = _signin(client, SIGNUP["email"], PASSWORD)
    assert signed_in.headers["location"] == "/orgs/new-coop"  # type: ignore[attr-defined]
    page = client.get("/orgs/new-coop")
    assert page.status_code == 200 and "New Co-op" in page.text
    with bare.engine.connect() as conn:
        emails, cpv = conn.execute(
            select(Organisation.emails, Organisation.cpv).where(Organisation.slug == "new-coop")
        ).one()
    assert emails == [SIGNUP["email"]] and cpv == ["79311000", "72"]
    assert client.get(f"/orgs/{bare.slugs[0]}").status_code == 403


def test_sign_up_validates_like_an_import_and_refuses_taken_ids(bare: Bare) -> None:
    client = bare.client(None)
    bad = {
        **SIGNUP,
        "cpv": "99",
        "value_min": "900000",
        "csrf_token": csrf_of(client.get("/signup").text),
    }
    response = client.post("/signup", data=bad)
    assert response.status_code == 400
    summary = response.text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#f-cpv"' in summary and 'href="#f-value_max"' in summary
    assert (
        "Kinds of work (CPV): &#39;99&#39;: 99 is not a CPV division." in summary
        and "cpv[1]" not in summary
    )
    assert "below smallest contract" in summary and "value_m" not in summary.split('"')[-1]
    taken = {**SIGNUP, "id": bare.slugs[0], "csrf_token": csrf_of(client.get("/signup").text)}
    response = client.post("/signup", data=taken)
    assert response.status_code == 400 and "is taken" in response.text
    assert bare.mailbox.inbox.messages == []


def test_confirmation_links_cannot_be_forged(bare: Bare) -> None:
    response = bare.client(None).get("/signup/confirm", params={"token": "1.forged.sig"})
    assert response.status_code == 400 and "not valid" in response.text


def test_next_after_sign_in_stays_on_this_site(bare: Bare) -> None:
    for target in ("//evil.example/x", "/\\evil.example/x", "https://evil.example/"):
        client = bare.client(None)
        response = _signin(client, bare.emails["officer"], PASSWORD, next=target)
        assert response.headers["location"] == "/tenders"  # type: ignore[attr-defined]


def test_errors_show_a_page_without_a_trace(site: Site, engine: Engine, database_url: str) -> None:
    broken = create_app(
        web_settings(database_url, rates_file=Path("/nonexistent/rates.toml")),
        engine,
        now=lambda: NOW,
    )
    client = TestClient(broken, raise_server_exceptions=False)
    tender = site.client("officer").get("/api/v1/assessments?per_page=1").json()["items"][0]
    response = client.get(f"/tenders/{tender['tender_id']}")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    for leak in ("Traceback", "FileNotFoundError", "/nonexistent", 'File "'):
        assert leak not in response.text
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "There is no page here" in missing.text


def test_users_add_creates_an_account_that_can_sign_in(
    database_url: str, engine: Engine, monkeypatch: object
) -> None:
    runner = CliRunner()
    env = {"LOTWISE_DATABASE_URL": database_url, "LOTWISE_NEW_USER_PASSWORD": PASSWORD}
    result = runner.invoke(
        cli_app, ["users", "add", "Chief@Ops.example", "--role", "operator"], env=env
    )
    assert result.exit_code == 0, result.output
    again = runner.invoke(
        cli_app, ["users", "add", "chief@ops.example", "--role", "operator"], env=env
    )
    assert again.exit_code == 2 and "exists already" in again.output
    bad = runner.invoke(cli_app, ["users", "add", "x@y.example", "--role", "organisation"], env=env)
    assert bad.exit_code == 2
    client = TestClient(create_app(web_settings(database_url), engine), follow_redirects=False)
    response = _signin(client, "chief@ops.example", PASSWORD)
    assert response.headers["location"] == "/operator"  # type: ignore[attr-defined]
