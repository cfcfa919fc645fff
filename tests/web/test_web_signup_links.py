"""An organisation's sign-up over HTTP with a real SMTP server (issue 14, items 3, 4 and 10).

The confirmation link works once and signs nobody in (its GET only shows a button, so a link
scanner or a forged GET changes nothing); a new sign-up replaces a pending one, a failed mail
leaves nothing behind, pending sign-ups expire and hold their organisation id meanwhile; and
the answer (page and mail flow) is the same whether or not the address has an account."""

from __future__ import annotations

from conftest import Bare
from sqlalchemy import func, select
from web_fixtures import PASSWORD, csrf_of, mail_link, mail_text, post_form, sign_in

from scanner.models import AuthToken, Organisation, User

SIGNUP = {
    "email": "hello@newcoop.example", "password": PASSWORD, "id": "new-coop", "name": "New Co-op",
    "keywords": "user research; accessibility", "cpv": "79311000; 72", "regions": "UKI",
    "value_max": "80000", "currency": "GBP", "digest": "weekly",
}  # fmt: skip


def _sign_up(bare: Bare, **changes: str) -> object:
    return post_form(bare.client(None), "/signup", "/signup", {**SIGNUP, **changes})


def _org_exists(bare: Bare, slug: str) -> bool:
    with bare.engine.connect() as conn:
        return conn.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None


def _pending(bare: Bare) -> int:
    with bare.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(AuthToken)) or 0)


def test_the_link_shows_a_button_then_confirms_once_and_sends_the_person_to_sign_in(
    bare: Bare,
) -> None:
    assert _sign_up(bare).status_code == 200  # type: ignore[attr-defined]
    ((_, message),) = bare.mailbox.inbox.messages
    link = mail_link(message, "/signup/confirm")
    visitor = bare.client(None)
    page = visitor.get(link)
    assert page.status_code == 200 and "Confirm and create my profile" in page.text
    assert not _org_exists(bare, "new-coop")  # a GET (a link scanner) changes nothing
    token = link.split("token=", 1)[1]
    refused = visitor.post("/signup/confirm", data={"token": token})  # no CSRF token
    assert refused.status_code == 403 and not _org_exists(bare, "new-coop")
    done = visitor.post("/signup/confirm", data={"token": token, "csrf_token": csrf_of(page.text)})
    assert done.status_code == 303 and done.headers["location"] == "/signin"
    assert _org_exists(bare, "new-coop")
    assert visitor.get("/api/v1/me").status_code == 401  # confirming signs nobody in
    again = bare.client(None)
    assert again.get(link).status_code == 400 and "used already" in again.get(link).text
    replay = post_form(again, "/signin", "/signup/confirm", {"token": token})
    assert replay.status_code == 400 and "used already" in replay.text
    assert sign_in(visitor, SIGNUP["email"]).headers["location"] == "/orgs/new-coop"


def test_a_new_sign_up_replaces_a_pending_one(bare: Bare) -> None:
    assert _sign_up(bare, id="first-try").status_code == 200  # type: ignore[attr-defined]
    assert _sign_up(bare, id="second-try").status_code == 200  # type: ignore[attr-defined]
    first, second = (mail_link(m, "/signup/confirm") for _, m in bare.mailbox.inbox.messages)
    client = bare.client(None)
    assert client.get(first).status_code == 400  # withdrawn by the second sign-up
    page = client.get(second)
    token = second.split("token=", 1)[1]
    client.post("/signup/confirm", data={"token": token, "csrf_token": csrf_of(page.text)})
    assert _org_exists(bare, "second-try") and not _org_exists(bare, "first-try")


def test_a_failed_mail_stores_nothing_and_the_address_can_sign_up_later(bare: Bare) -> None:
    from web_fixtures import free_port

    down = bare.app_with(smtp_port=free_port())  # nothing listens there
    from fastapi.testclient import TestClient

    client = TestClient(down, follow_redirects=False)
    response = post_form(client, "/signup", "/signup", SIGNUP)
    assert response.status_code == 503 and "could not be sent" in response.text
    assert _pending(bare) == 0
    with bare.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(User)) == 4  # the fixture's four
    assert _sign_up(bare).status_code == 200  # type: ignore[attr-defined]
    assert "Check your inbox" in _sign_up(bare).text  # type: ignore[attr-defined]


def test_pending_sign_ups_expire_and_hold_their_id_until_then(bare: Bare) -> None:
    assert _sign_up(bare).status_code == 200  # type: ignore[attr-defined]
    link = mail_link(bare.mailbox.inbox.messages[0][1], "/signup/confirm")
    rival = _sign_up(bare, email="rival@elsewhere.example")
    assert rival.status_code == 400 and "is taken" in rival.text  # type: ignore[attr-defined]
    bare.clock.advance(days=2, seconds=1)
    expired = bare.client(None).get(link)
    assert expired.status_code == 400 and "expired" in expired.text
    later = _sign_up(bare, email="rival@elsewhere.example")  # the id is free again
    assert later.status_code == 200  # type: ignore[attr-defined]
    again = _sign_up(bare)  # and the first address is not blocked
    assert again.status_code == 400 and "is taken" in again.text  # type: ignore[attr-defined]
    assert _sign_up(bare, id="new-coop-2").status_code == 200  # type: ignore[attr-defined]


def test_sign_up_does_not_tell_whether_an_address_has_an_account(bare: Bare) -> None:
    known = bare.emails["org_b"]
    answers = [
        _sign_up(bare, email=address, id=slug)
        for address, slug in ((known, "someone-new"), ("fresh@new.example", "fresh-org"))
    ]
    status = {a.status_code for a in answers}  # type: ignore[attr-defined]
    assert status == {200}
    texts = [
        a.text.replace(addr, "ADDRESS")
        for a, addr in zip(answers, (known, "fresh@new.example"), strict=True)
    ]  # type: ignore[attr-defined]
    assert texts[0] == texts[1]
    (to_known, known_mail), (to_fresh, fresh_mail) = bare.mailbox.inbox.messages
    assert (to_known, to_fresh) == ([known], ["fresh@new.example"])  # one message each
    assert "has an account already" in mail_text(known_mail)
    assert "/signup/confirm" not in known_mail and "/signup/confirm" in fresh_mail
    with bare.engine.connect() as conn:
        emails = list(conn.scalars(select(AuthToken.email)))
    assert emails == ["fresh@new.example"]
