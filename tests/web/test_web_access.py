"""Access control for every route: each role reaches what it should and nothing else, and an
organisation asking for another organisation's data is refused. The route list is checked
against the app, so a new route without an entry here fails."""

from __future__ import annotations

import re
from typing import Any

from conftest import Bare, Site
from web_fixtures import csrf_of, served_routes

STAFF = {"officer", "operator"}
SIGNED_IN = {"officer", "operator", "org_a"}
EVERYONE = {None, *SIGNED_IN}
DRAFT = "Data platform\nBudget: £2,400,000 for discovery, build, hosting and support"

# (method, path, roles allowed, form data); {own} is org_a's id, {other} org_b's.
ROUTES: list[tuple[str, str, set[str | None], dict[str, Any]]] = [
    ("GET", "/tenders", STAFF, {}),
    ("GET", "/tenders/{tender}", EVERYONE, {}),
    ("GET", "/tenders/{tender}/export.json", STAFF, {}),
    ("POST", "/tenders/{tender}/feedback", STAFF, {"useful": "yes", "comment": "fine"}),
    ("GET", "/check", STAFF, {}),
    ("POST", "/check", STAFF, {"text": DRAFT}),
    ("GET", "/orgs/{own}", {"org_a", "operator"}, {}),
    ("GET", "/orgs/{own}/profile", {"org_a"}, {}),
    ("POST", "/orgs/{own}/profile", {"org_a"}, {"name": "Renamed", "emails": "a@org-a.example"}),
    ("GET", "/orgs/{own}/matches.ics", {"org_a", "operator"}, {}),
    ("POST", "/orgs/{own}/digest", {"org_a"}, {"frequency": "daily"}),
    ("GET", "/orgs/{own}/opportunities/tender:0", {"org_a", "operator"}, {}),
    ("POST", "/orgs/{own}/opportunities/tender:0/track", {"org_a"}, {"state": "saved"}),
    ("GET", "/orgs/{own}/tracking", {"org_a", "operator"}, {}),
    ("POST", "/orgs/{own}/calendar", {"org_a"}, {}),
    ("GET", "/operator", {"operator"}, {}),
    ("GET", "/metrics", {"operator"}, {}),
    ("POST", "/operator/crawl", {"operator"}, {"source": "find_a_tender"}),
    ("POST", "/operator/errors/{error}/retry", {"operator"}, {}),
    ("GET", "/api/v1/tenders", SIGNED_IN, {}),
    ("GET", "/api/v1/tenders/{tender}", SIGNED_IN, {}),
    ("GET", "/api/v1/assessments", STAFF, {}),
    ("GET", "/api/v1/assessments/{tender}", SIGNED_IN, {}),
    ("GET", "/api/v1/organisations/{own}/matches", SIGNED_IN, {}),
    ("GET", "/api/v1/me", SIGNED_IN, {}),
    ("GET", "/impact", STAFF, {}),
    ("GET", "/impact.csv", STAFF, {}),
    ("GET", "/flags", STAFF, {}),
    ("GET", "/flags.csv", STAFF, {}),
    ("GET", "/impact/cases", STAFF, {}),
    ("GET", "/impact/cases.md", STAFF, {}),
    ("GET", "/impact/coverage", {"operator"}, {}),
    ("GET", "/api/v1/impact", STAFF, {}),
    ("GET", "/api/v1/flags", STAFF, {}),
    ("GET", "/api/v1/impact/cases", STAFF, {}),
    ("GET", "/account/password", SIGNED_IN, {}),
    ("POST", "/account/password", SIGNED_IN, {"current": "not it", "new": "x", "confirm": "x"}),
]
# Open to anyone by design (sign-in, sign-up, and the digest links whose token is the key).
PUBLIC = {
    ("GET", "/"), ("GET", "/signin"), ("POST", "/signin"), ("POST", "/signout"),
    ("GET", "/signup"), ("POST", "/signup"), ("GET", "/signup/confirm"),
    ("GET", "/digest/unsubscribe"), ("POST", "/digest/unsubscribe"),
    ("GET", "/digest/preferences"), ("POST", "/digest/preferences"), ("GET", "/healthz"),
    ("POST", "/signup/confirm"), ("GET", "/password/forgot"), ("POST", "/password/forgot"),
    ("GET", "/password/reset"), ("POST", "/password/reset"), ("GET", "/recipients/confirm"),
    ("POST", "/recipients/confirm"), ("GET", "/api/v1/docs"),
    ("GET", "/api/v1/docs/assets/{name}"), ("GET", "/calendar/{token}.ics"),
}  # fmt: skip
TEMPLATES = {
    "/tenders/{tender}": "/tenders/{tender_id}",
    "/tenders/{tender}/export.json": "/tenders/{tender_id}/export.{fmt}",
    "/tenders/{tender}/feedback": "/tenders/{tender_id}/feedback",
    "/orgs/{own}": "/orgs/{slug}",
    "/orgs/{own}/profile": "/orgs/{slug}/profile",
    "/orgs/{own}/matches.ics": "/orgs/{slug}/matches.ics",
    "/orgs/{own}/digest": "/orgs/{slug}/digest",
    "/orgs/{own}/opportunities/tender:0": "/orgs/{slug}/opportunities/{opportunity_id}",
    "/orgs/{own}/opportunities/tender:0/track": "/orgs/{slug}/opportunities/{opportunity_id}/track",
    "/orgs/{own}/tracking": "/orgs/{slug}/tracking",
    "/orgs/{own}/calendar": "/orgs/{slug}/calendar",
    "/operator/errors/{error}/retry": "/operator/errors/{error_id}/retry",
    "/api/v1/tenders/{tender}": "/api/v1/tenders/{tender_id}",
    "/api/v1/assessments/{tender}": "/api/v1/assessments/{tender_id}",
    "/api/v1/organisations/{own}/matches": "/api/v1/organisations/{slug}/matches",
}


def _tender_id(site: Site) -> int:
    client = site.client("officer")
    return int(client.get("/api/v1/assessments?per_page=1").json()["items"][0]["tender_id"])


def _call(client: Any, method: str, path: str, data: dict[str, Any]) -> Any:
    if method == "GET":
        return client.get(path)
    token = csrf_of(client.get("/signin").text)
    return client.post(path, data={**data, "csrf_token": token})


def _refused(response: Any) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code == 303 and response.headers["location"].startswith("/signin")


def test_every_route_is_listed_in_the_access_matrix(site: Site) -> None:
    listed = {(m, TEMPLATES.get(p, p)) for m, p, _, _ in ROUTES} | PUBLIC
    served = served_routes()
    assert len(served) > 30
    assert served - listed == set(), "routes without an access rule in this test"


def test_each_role_reaches_exactly_its_routes(site: Site) -> None:
    tender = _tender_id(site)
    own, _ = site.slugs
    clients = {role: site.client(role) for role in (None, "org_a", "officer", "operator")}
    wrong = []
    for method, template, allowed, data in ROUTES:
        path = template.format(tender=tender, own=own, error=site.error_id)
        for role, client in clients.items():
            response = _call(client, method, path, data)
            assert response.status_code < 500, (method, path, role, response.text[:300])
            if _refused(response) == (role in allowed):
                wrong.append((method, path, role, response.status_code))
    assert wrong == []


def test_an_organisation_is_refused_every_route_of_another_organisation(site: Site) -> None:
    other = site.slugs[1]
    client = site.client("org_a")
    tried = 0
    for method, template, _, data in ROUTES:
        if "{own}" not in template:
            continue
        response = _call(client, method, template.format(own=other), data)
        assert response.status_code == 403, (method, template, response.status_code)
        tried += 1
    assert tried == 10
    # ... and nothing of the other organisation leaked or changed
    operator = site.client("operator")
    assert "Renamed" not in operator.get(f"/orgs/{other}").text
    api = client.get(f"/api/v1/organisations/{other}/matches")
    assert api.status_code == 403 and "items" not in api.json()


def test_an_organisation_sees_its_own_matches_with_explanations(site: Site) -> None:
    own, other = site.slugs
    client = site.client("org_a")
    mine = client.get(f"/api/v1/organisations/{own}/matches").json()
    page = client.get(f"/orgs/{own}").text
    for match in mine["items"][:3]:
        assert match["explanation"]
    # Every match is on the page: as an entry, or under an entry it is similar to.
    similar = sum(int(n) for n in re.findall(r"<summary>and (\d+) similar</summary>", page))
    assert page.count('class="match"') + similar == min(mine["total"], 10_000)
    staff = site.client("officer").get(f"/api/v1/organisations/{other}/matches").json()
    assert {m["id"] for m in staff["items"]}.isdisjoint({m["id"] for m in mine["items"]})


def test_health_check_and_metrics(bare: Bare) -> None:
    site = bare
    health = site.client(None).get("/healthz")
    assert health.status_code == 200 and health.json()["schema"] == health.json()["head"]
    metrics = site.client("operator").get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    assert "lotwise_" in metrics.text


def test_metrics_with_a_scrape_token(bare: Bare) -> None:
    site = bare
    from pydantic import SecretStr

    anonymous = site.client(None)
    assert anonymous.get("/metrics").status_code in (302, 303, 401, 403)  # no token configured
    settings = site.app.state.settings
    site.app.state.settings = settings.model_copy(update={"metrics_token": SecretStr("s3cret")})
    try:
        ok = anonymous.get("/metrics", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and "lotwise_" in ok.text
        wrong = anonymous.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert site.client("officer").get("/metrics").status_code == 403
    finally:
        site.app.state.settings = settings
