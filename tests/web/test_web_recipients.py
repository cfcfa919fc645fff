"""Digest recipients an organisation adds on the web are confirmed by their owners before any
digest goes to them (issue 14, item 10), over HTTP with a real SMTP server."""

from __future__ import annotations

import re

from conftest import Bare
from web_fixtures import csrf_of, mail_link, mail_text, post_form

from scanner.storage import digests as digest_store
from scanner.storage.organisations import get_organisation

NEWCOMER = "colleague@elsewhere.example"


def _recipients(bare: Bare, slug: str) -> list[str]:
    """Whom the digest sender would mail (the digest's own query)."""
    with bare.engine.connect() as conn:
        (found,) = digest_store.recipients(conn, slug)
    return found.emails


def _form(bare: Bare, slug: str) -> dict[str, str]:
    with bare.engine.connect() as conn:
        stored = get_organisation(conn, slug)
    assert stored is not None
    profile = stored.profile.export_dict()
    return {
        "name": profile["name"],
        "emails": "; ".join(profile["emails"]),
        "keywords": "; ".join(profile["keywords"]),
    }


def test_an_added_address_gets_digests_only_once_its_owner_confirms(bare: Bare) -> None:
    slug = bare.slugs[0]
    before = _recipients(bare, slug)
    client = bare.client("org_a")
    form = _form(bare, slug)
    saved = post_form(
        client,
        f"/orgs/{slug}/profile",
        f"/orgs/{slug}/profile",
        {**form, "emails": f"{form['emails']}; {NEWCOMER}"},
    )
    assert saved.status_code == 303
    assert _recipients(bare, slug) == before  # not yet
    page = client.get(f"/orgs/{slug}/profile").text
    assert f"Waiting for confirmation: {NEWCOMER}" in page
    ((to, message),) = bare.mailbox.inbox.messages
    assert to == [NEWCOMER] and "nothing is sent to you" in mail_text(message)
    link = mail_link(message, "/recipients/confirm")
    owner = bare.client(None)
    shown = owner.get(link)
    assert shown.status_code == 200 and _recipients(bare, slug) == before  # a GET changes nothing
    token = link.split("token=", 1)[1]
    agreed = owner.post(
        "/recipients/confirm", data={"token": token, "csrf_token": csrf_of(shown.text)}
    )
    assert agreed.status_code == 200 and NEWCOMER in agreed.text
    assert _recipients(bare, slug) == [*before, NEWCOMER]
    assert owner.get(link).status_code == 400  # once


def test_an_address_never_confirmed_never_gets_digests(bare: Bare) -> None:
    slug = bare.slugs[0]
    before = _recipients(bare, slug)
    client = bare.client("org_a")
    form = _form(bare, slug)
    post_form(
        client,
        f"/orgs/{slug}/profile",
        f"/orgs/{slug}/profile",
        {**form, "emails": f"{form['emails']}; {NEWCOMER}"},
    )
    link = mail_link(bare.mailbox.inbox.messages[0][1], "/recipients/confirm")
    # taken off the list again before its owner answered: the link no longer works
    post_form(client, f"/orgs/{slug}/profile", f"/orgs/{slug}/profile", form)
    assert bare.client(None).get(link).status_code == 400
    bare.clock.advance(days=8)
    assert _recipients(bare, slug) == before


def test_replacing_every_confirmed_address_is_refused(bare: Bare) -> None:
    slug = bare.slugs[0]
    before = _recipients(bare, slug)
    client = bare.client("org_a")
    response = post_form(
        client,
        f"/orgs/{slug}/profile",
        f"/orgs/{slug}/profile",
        {**_form(bare, slug), "emails": NEWCOMER},
    )
    assert response.status_code == 400 and "keep at least one address" in response.text
    assert _recipients(bare, slug) == before and bare.mailbox.inbox.messages == []


def test_the_profile_form_sets_the_consent_to_be_listed(bare: Bare) -> None:
    slug = bare.slugs[0]
    client = bare.client("org_a")
    for listed, expected in (({"listed": "on"}, True), ({}, False)):
        post_form(
            client,
            f"/orgs/{slug}/profile",
            f"/orgs/{slug}/profile",
            {**_form(bare, slug), **listed},
        )
        with bare.engine.connect() as conn:
            stored = get_organisation(conn, slug)
        assert stored is not None and stored.profile.listed is expected


def test_saving_the_profile_again_neither_mails_nor_drops_a_waiting_address(bare: Bare) -> None:
    slug = bare.slugs[0]
    client = bare.client("org_a")
    form = _form(bare, slug)
    post_form(
        client,
        f"/orgs/{slug}/profile",
        f"/orgs/{slug}/profile",
        {**form, "emails": f"{form['emails']}; {NEWCOMER}"},
    )
    link = mail_link(bare.mailbox.inbox.messages[0][1], "/recipients/confirm")
    page = client.get(f"/orgs/{slug}/profile").text
    shown = re.search(r'name="emails"[^>]*value="([^"]*)"', page)
    assert shown and NEWCOMER in shown.group(1)  # the form lists it, so a save keeps it
    resaved = post_form(
        client,
        f"/orgs/{slug}/profile",
        f"/orgs/{slug}/profile",
        {**form, "emails": shown.group(1), "keywords": "more; words"},
    )
    assert resaved.status_code == 303
    assert len(bare.mailbox.inbox.messages) == 1  # no second mail
    assert bare.client(None).get(link).status_code == 200  # and the first link still works
