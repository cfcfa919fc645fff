"""Sign-up and profile forms in words (issue 18): places, kinds of work and amounts typed as
people type them, errors in plain words linked to their fields, the pickers' JSON, the help
page, and matches found as soon as a profile is created or changed."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlsplit

from conftest import Bare, Site
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from web_fixtures import PASSWORD, confirmation_link, csrf_of, post_form

from scanner.models import Match, Organisation
from scanner.reference.cpv import pad_code, significant_prefix
from scanner.reference.regions import region_name

WORDS = {
    "email": "team@civic-coop.example", "password": PASSWORD, "id": "civic-coop",
    "name": "Civic Co-op", "keywords": "user research; accessibility",
    "cpv": "Research services; IT services (72)", "regions": "London; Kent",
    "remote": "true", "value_min": "£5k", "value_max": "150,000", "currency": "GBP",
    "digest": "weekly",
}  # fmt: skip


def _summary(html: str) -> str:
    return html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]


def test_sign_up_in_words_stores_codes_and_reports_matches_on_confirmation(bare: Bare) -> None:
    client = bare.client(None)
    page = client.get("/signup").text
    assert 'href="/help/profile"' in page and "github.com" not in page
    assert 'data-picker="cpv"' in page and 'data-picker="regions"' in page
    response = client.post("/signup", data={**WORDS, "csrf_token": csrf_of(page)})
    assert response.status_code == 200 and "Check your inbox" in response.text
    ((_, message),) = bare.mailbox.inbox.messages
    link = confirmation_link(message)
    token = link.split("token=", 1)[1]
    parts = urlsplit(link)
    confirm = client.get(f"{parts.path}?{parts.query}")
    done = client.post(
        "/signup/confirm", data={"token": token, "csrf_token": csrf_of(confirm.text)}
    )
    assert done.status_code == 303
    flashed = client.get("/signin").text
    assert "No open tender matches your profile yet (we looked at 0)" in flashed
    with Session(bare.engine) as session:
        org = session.scalars(select(Organisation).where(Organisation.slug == "civic-coop")).one()
    assert org.regions == ["UKI", "UKJ4"] and org.cpv == ["7311", "72"]
    assert (org.value_min, org.value_max, org.currency) == (Decimal(5000), Decimal(150000), "GBP")


def test_errors_are_plain_words_linked_to_fields_with_choices_when_ambiguous(bare: Bare) -> None:
    client = bare.client(None)
    bad = {**WORDS, "email": "not an address", "regions": "London; Limburg", "cpv": "web",
           "value_min": "lots", "value_max": "€150k", "name": ""}  # fmt: skip
    response = post_form(client, "/signup", "/signup", bad)
    assert response.status_code == 400
    html = response.text
    summary = _summary(html)
    links = re.findall(r'<a href="#(f-[a-z_]+)">([^<]+)</a>', summary)
    fields = [anchor for anchor, _text in links]
    assert fields == ["f-email", "f-name", "f-cpv", "f-regions", "f-value_min", "f-value_max"]
    for anchor, text in links:  # each link's target exists and says the same beside the field
        assert f'id="{anchor}"' in html
        assert f'id="{anchor}-error"' in html
        inline = html.split(f'id="{anchor}-error">', 1)[1].split("</p>", 1)[0]
        assert text in inline
        field_tag = re.search(rf'<(?:input|textarea|select) id="{anchor}"[^>]*>', html)
        assert field_tag and 'aria-invalid="true"' in field_tag.group(0)
        assert f"{anchor}-error" in field_tag.group(0)  # aria-describedby
    words = " ".join(text for _a, text in links)
    assert "Limburg (NL) (NL42)" in words and "BE22" in words  # the choices, with codes
    assert "World wide web (www) site design services (72413000)" in words
    assert "is in EUR but the currency is GBP" in words
    assert "Enter organisation name." in words
    for developer in ("cpv[", "regions[", "value_min", "value_max", "record 1"):
        assert developer not in words
    assert "<title>Error: " in html  # the page title says so too (GOV.UK pattern)
    assert 'value="London; Limburg"' in html  # nothing typed is lost
    assert bare.mailbox.inbox.messages == []


def test_pickers_search_words_in_the_readers_language_and_the_help_page_speaks_plainly(
    bare: Bare,
) -> None:
    client = bare.client(None)
    english = client.get("/reference/cpv", params={"q": "research serv", "lang": "en"}).json()
    assert {"code": "7311", "label": "Research services", "shown": "Research services (7311)"} in (
        english["results"]
    )
    italian = client.get("/reference/cpv", params={"q": "servizi informatici"},
                         headers={"accept-language": "it-IT,it;q=0.9"}).json()  # fmt: skip
    assert italian["results"][0]["code"] == "72"
    assert italian["results"][0]["label"].startswith("Servizi informatici")
    places = client.get("/reference/regions", params={"q": "greater man"}).json()
    assert places["results"][0] == {
        "code": "UKD3", "label": "Greater Manchester", "shown": "Greater Manchester (UKD3)"
    }  # fmt: skip
    assert client.get("/reference/regions", params={"q": "x" * 101}).status_code == 422
    assert client.get("/reference/cpv", params={"q": ""}).json()["results"] == []
    script = client.get("/static/pickers.js")
    assert script.status_code == 200 and "/reference/" in script.text
    help_page = client.get("/help/profile").text
    assert "Where you work" in help_page and "£5k" in help_page


def test_profile_shows_codes_as_words_and_a_change_finds_matches_at_once(
    sqlite_site: Site,
) -> None:
    site = sqlite_site
    slug = site.slugs[0]
    client = site.client("org_a")
    with site.engine.begin() as conn:
        org_id = conn.scalar(select(Organisation.id).where(Organisation.slug == slug))
        conn.execute(delete(Match).where(Match.organisation_id == org_id))
    page = client.get(f"/orgs/{slug}/profile").text
    form = dict(
        re.findall(r'<input id="f-([a-z_]+)" name="[a-z_]+" type="text" value="([^"]*)"', page)
    )
    with Session(site.engine) as session:
        before = session.get_one(Organisation, org_id)
        regions, cpv = list(before.regions), list(before.cpv)
    assert regions and cpv
    assert form["regions"] == "; ".join(f"{region_name(c)} ({c})" for c in regions)
    assert all(f"({significant_prefix(pad_code(c))})" in form["cpv"] for c in cpv)
    assert not re.search(r"(^|; )\d", form["cpv"])  # words first, every code in brackets
    data = {name: value.replace("&#39;", "'").replace("&amp;", "&") for name, value in form.items()}
    data.update(remote="true", active="on", value_max="£200k")
    saved = post_form(client, f"/orgs/{slug}/profile", f"/orgs/{slug}/profile", data)
    assert saved.status_code == 303, saved.text[:2000]
    with site.engine.connect() as conn:
        stored = conn.scalar(
            select(func.count()).select_from(Match).where(Match.organisation_id == org_id)
        )
    with Session(site.engine) as session:
        org = session.get_one(Organisation, org_id)
    assert stored and stored > 0
    assert org.regions == regions  # read back from the words shown
    assert [significant_prefix(pad_code(c)) for c in org.cpv] == [
        significant_prefix(pad_code(c)) for c in cpv
    ]
    assert org.value_max == Decimal(200000)
    flashed = client.get(f"/orgs/{slug}").text
    assert f"Computed {stored} matches for your profile" in flashed


def test_a_refused_password_change_is_said_beside_the_field_it_concerns(bare: Bare) -> None:
    client = bare.client("officer")
    response = post_form(
        client,
        "/account/password",
        "/account/password",
        {"current": PASSWORD, "new": "a new long passphrase", "confirm": "another one entirely"},
    )
    assert response.status_code == 400
    summary = _summary(response.text)
    assert re.findall(r'href="#(f-[a-z]+)"', summary) == ["f-confirm"]
    assert "The new password and its repetition differ." in summary
    assert 'id="f-confirm-error"' in response.text
    wrong = post_form(
        client,
        "/account/password",
        "/account/password",
        {
            "current": "not it at all!",
            "new": "a new long passphrase",
            "confirm": "a new long passphrase",
        },
    )
    assert re.findall(r'href="#(f-[a-z]+)"', _summary(wrong.text)) == ["f-current"]
