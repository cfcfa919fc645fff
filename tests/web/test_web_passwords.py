"""One password rule everywhere (issue 14, item 9): at least 12 characters, not on the shipped
list of common and breached passwords, at most 128 characters wherever a password is typed;
a change-password page; and a reset by e-mail (single use, expiring) through a real SMTP
server."""

from __future__ import annotations

import pytest
from conftest import Bare
from sqlalchemy import Engine
from typer.testing import CliRunner
from web_fixtures import PASSWORD, csrf_of, mail_link, mail_text, post_form, sign_in

from scanner.cli.main import app as cli_app
from scanner.services.passwords import (
    COMMON_PASSWORDS,
    MAX_PASSWORD,
    PasswordRejectedError,
    check_password,
    common_passwords,
)

STRONG = "seven blue lanterns drift"
SIGNUP = {"email": "new@coop.example", "id": "new-coop", "name": "New Co-op"}


WEAK = [
    (" " * 10, "at least 12"),
    (" " * 12, "repeats"),
    ("password12", "at least 12"),
    ("password1234", "common or breached"),
    ("qwertyuiop123", "common or breached"),
    ("Monkey123456789!", "common or breached"),  # a listed word with digits around it
    ("abcabcabcabc", "repeats"),
    ("x" * 5000, f"at most {MAX_PASSWORD}"),
    ("new@coop.example", "your address"),
]


def test_sign_up_refuses_weak_and_overlong_passwords(bare: Bare) -> None:
    client = bare.client(None)
    for password, why in WEAK:
        response = post_form(client, "/signup", "/signup", {**SIGNUP, "password": password})
        assert response.status_code == 400 and why in response.text, password[:20]
    assert bare.mailbox.inbox.messages == []
    accepted = post_form(client, "/signup", "/signup", {**SIGNUP, "password": STRONG})
    assert accepted.status_code == 200


def test_the_list_is_shipped_and_read_without_a_network() -> None:
    assert (
        COMMON_PASSWORDS.exists()
        and COMMON_PASSWORDS.with_suffix("").with_suffix(".LICENSE").exists()
    )
    listed = common_passwords()
    assert len(listed) > 19_000 and "password1234" in listed
    check_password(STRONG)
    check_password("ünïcödé and spaces ok")  # any characters; nothing trimmed
    with pytest.raises(PasswordRejectedError):
        check_password("PASSWORD1234")  # compared without case


def test_sign_in_answers_an_overlong_password_like_a_wrong_one(bare: Bare) -> None:
    client = bare.client(None)
    long = sign_in(client, bare.emails["officer"], "x" * 5000)
    wrong = sign_in(client, bare.emails["officer"], "x" * 20)
    assert long.status_code == wrong.status_code == 400  # not 422
    assert "do not match" in long.text


def test_the_change_password_page_checks_the_current_and_the_rule(bare: Bare) -> None:
    client = bare.client("officer")
    attempts = [
        ({"current": "not it at all", "new": STRONG, "confirm": STRONG}, "current password"),
        ({"current": PASSWORD, "new": "password1234", "confirm": "password1234"}, "common"),
        ({"current": PASSWORD, "new": STRONG, "confirm": STRONG + "x"}, "differ"),
    ]
    for data, why in attempts:
        refused = post_form(client, "/account/password", "/account/password", data)
        assert refused.status_code == 400 and why in refused.text
    assert sign_in(bare.client(None), bare.emails["officer"]).status_code == 303  # unchanged
    done = post_form(
        client,
        "/account/password",
        "/account/password",
        {"current": PASSWORD, "new": STRONG, "confirm": STRONG},
    )
    assert done.status_code == 303
    assert sign_in(bare.client(None), bare.emails["officer"], STRONG).status_code == 303
    assert bare.client(None).get("/account/password").status_code == 303  # signed in only


def test_a_forgotten_password_is_reset_by_a_single_use_link(bare: Bare) -> None:
    address = bare.emails["org_a"]
    signed_in = bare.client("org_a")
    visitor = bare.client(None)
    asked = post_form(visitor, "/password/forgot", "/password/forgot", {"email": address})
    assert asked.status_code == 200 and "Check your inbox" in asked.text
    ((to, message),) = bare.mailbox.inbox.messages
    assert to == [address]
    link = mail_link(message, "/password/reset")
    page = visitor.get(link)
    assert page.status_code == 200 and "Choose a new password" in page.text
    token = link.split("token=", 1)[1]
    weak = visitor.post(
        "/password/reset",
        data={
            "token": token,
            "new": "password1234",
            "confirm": "password1234",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert weak.status_code == 400 and "common" in weak.text  # the link is still good
    done = visitor.post(
        "/password/reset",
        data={"token": token, "new": STRONG, "confirm": STRONG, "csrf_token": csrf_of(page.text)},
    )
    assert done.status_code == 303 and done.headers["location"] == "/signin"
    assert visitor.get("/api/v1/me").status_code == 401  # a reset signs nobody in
    assert signed_in.get("/api/v1/me").status_code == 401  # and ends every session
    assert sign_in(bare.client(None), address).status_code == 400
    assert sign_in(bare.client(None), address, STRONG).status_code == 303
    again = visitor.get(link)
    assert again.status_code == 400 and "used already" in again.text


def test_a_reset_link_expires_after_an_hour(bare: Bare) -> None:
    client = bare.client(None)
    post_form(client, "/password/forgot", "/password/forgot", {"email": bare.emails["officer"]})
    link = mail_link(bare.mailbox.inbox.messages[0][1], "/password/reset")
    bare.clock.advance(minutes=61)
    page = client.get(link)
    assert page.status_code == 400 and "expired" in page.text
    token = link.split("token=", 1)[1]
    posted = post_form(
        client, "/signin", "/password/reset", {"token": token, "new": STRONG, "confirm": STRONG}
    )
    assert posted.status_code == 400
    assert sign_in(bare.client(None), bare.emails["officer"]).status_code == 303


def test_asking_for_an_unknown_address_answers_the_same(bare: Bare) -> None:
    answers = []
    for address in (bare.emails["officer"], "nobody@nowhere.example"):
        answer = post_form(
            bare.client(None), "/password/forgot", "/password/forgot", {"email": address}
        )
        answers.append((answer.status_code, answer.text.replace(address, "ADDRESS")))
    assert answers[0] == answers[1]
    (_, known), (to, unknown) = bare.mailbox.inbox.messages
    assert to == ["nobody@nowhere.example"] and "no account uses it" in mail_text(unknown)
    assert "/password/reset" in known and "/password/reset" not in unknown


def test_the_command_line_applies_the_same_rule(database_url: str, engine: Engine) -> None:
    env = {"LOTWISE_DATABASE_URL": database_url, "LOTWISE_NEW_USER_PASSWORD": "password1234"}
    weak = CliRunner().invoke(
        cli_app, ["users", "add", "a@b.example", "--role", "officer"], env=env
    )
    assert weak.exit_code == 2 and "common or breached" in weak.output
