"""Pages' data kept per server process (`web_cache_size`, migration 0028, issue 16): a kept
answer is the one the database gives, a change committed elsewhere shows at once, and what is
kept never carries one account's name, token or rights to another."""

from __future__ import annotations

from conftest import Site
from fastapi.testclient import TestClient
from sqlalchemy import update
from web_fixtures import NOW, PASSWORD, csrf_of, web_settings

from scanner.models import Tender
from scanner.web import create_app

API_PAGES = (
    "/api/v1/tenders?per_page=200",
    "/api/v1/tenders?per_page=2&page=2",
    "/api/v1/tenders?search=software",
    "/api/v1/tenders?open=true",
    "/api/v1/assessments?show=all",
)


def test_kept_answers_are_the_database_s_and_a_change_from_elsewhere_shows_at_once(
    site: Site,
) -> None:
    officer = site.client("officer")
    first = {page: officer.get(page) for page in API_PAGES}
    assert all(response.status_code == 200 for response in first.values())
    again = {page: officer.get(page).content for page in API_PAGES}
    assert again == {page: response.content for page, response in first.items()}
    # The same bytes as a server that keeps nothing.
    settings = web_settings(str(site.engine.url.render_as_string(hide_password=False)))
    keeps_nothing = create_app(
        settings.model_copy(update={"web_cache_size": 0}), site.engine, now=lambda: NOW
    )
    plain = TestClient(keeps_nothing, follow_redirects=False)
    token = csrf_of(plain.get("/signin").text)
    signed = plain.post(
        "/signin",
        data={"email": site.emails["officer"], "password": PASSWORD, "csrf_token": token},
    )
    assert signed.status_code == 303
    assert {page: plain.get(page).content for page in API_PAGES} == again

    listed = first["/api/v1/assessments?show=all"].json()["items"][0]
    tender_id = listed["tender_id"]
    assert listed["title"] in officer.get("/tenders?show=all").text  # kept from now on
    with site.engine.begin() as conn:  # as a crawl would, on its own connection
        conn.execute(update(Tender).where(Tender.id == tender_id).values(title="Renamed elsewhere"))
    tenders = officer.get("/api/v1/tenders?per_page=200").json()["items"]
    assert [t["title"] for t in tenders if t["id"] == tender_id] == ["Renamed elsewhere"]
    assessed = officer.get("/api/v1/assessments?show=all").json()["items"]
    assert [t["title"] for t in assessed if t["tender_id"] == tender_id] == ["Renamed elsewhere"]
    assert "Renamed elsewhere" in officer.get("/tenders?show=all").text


def test_a_kept_list_carries_each_account_s_own_name_and_token(site: Site) -> None:
    officer, operator = site.client("officer"), site.client("operator")
    seen_by_officer = officer.get("/tenders?show=all")
    seen_by_operator = operator.get("/tenders?show=all")  # kept from the officer's request
    assert seen_by_officer.status_code == seen_by_operator.status_code == 200
    assert site.emails["officer"] in seen_by_officer.text
    assert site.emails["officer"] not in seen_by_operator.text
    assert site.emails["operator"] in seen_by_operator.text
    officer_token, operator_token = csrf_of(seen_by_officer.text), csrf_of(seen_by_operator.text)
    assert officer_token != operator_token
    assert officer_token not in seen_by_operator.text


def test_kept_matches_are_still_only_for_their_own_organisation(site: Site) -> None:
    own, other = site.slugs
    org_b = site.client("org_b")
    assert org_b.get(f"/api/v1/organisations/{other}/matches").status_code == 200
    org_a = site.client("org_a")
    assert org_a.get(f"/api/v1/organisations/{other}/matches").status_code == 403
    assert org_a.get(f"/api/v1/organisations/{own}/matches").status_code == 200
    assert org_a.get("/api/v1/organisations/nobody/matches").status_code == 403
    officer = site.client("officer")
    assert officer.get("/api/v1/organisations/nobody/matches").status_code == 404
    assert officer.get("/api/v1/organisations/nobody/matches").status_code == 404  # not kept


def test_a_kept_tender_page_shows_a_change_made_elsewhere_and_each_viewer_s_own_parts(
    site: Site,
) -> None:
    officer, anonymous = site.client("officer"), site.client(None)
    tender_id = officer.get("/api/v1/assessments?show=all").json()["items"][0]["tender_id"]
    page = f"/tenders/{tender_id}"
    seen_by_officer = officer.get(page)
    seen_by_anyone = anonymous.get(page)  # kept from the officer's request
    assert seen_by_officer.status_code == seen_by_anyone.status_code == 200
    assert site.emails["officer"] in seen_by_officer.text
    assert 'id="feedback"' in seen_by_officer.text
    assert site.emails["officer"] not in seen_by_anyone.text
    assert 'id="feedback"' not in seen_by_anyone.text
    assert csrf_of(seen_by_officer.text) not in seen_by_anyone.text
    with site.engine.begin() as conn:
        conn.execute(update(Tender).where(Tender.id == tender_id).values(title="Renamed elsewhere"))
    assert "Renamed elsewhere" in anonymous.get(page).text
    assert "Renamed elsewhere" in officer.get(page).text
    assert officer.get("/tenders/999999").status_code == 404
