"""Malformed and hostile requests get a clean 4xx, never a 500 (issue 14, item 12): huge ids
and page numbers, an upload named `..`, a forged Host header (the API's `next` link uses the
configured address), a revoked digest link (it names nobody), LIKE wildcards in API search;
and a corpus of malformed requests sent to every route as every role."""

from __future__ import annotations

import re
from typing import Any

from conftest import Bare, Site
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from web_fixtures import NOW, csrf_of, served_routes, sign_in

from scanner.alerts.links import LinkSigner
from scanner.models import Tender
from scanner.services.digests import revoke_links
from scanner.web import create_app

HUGE = "99999999999999999999999"


def test_huge_ids_and_page_numbers_are_refused_cleanly(sqlite_site: Site) -> None:
    officer, anonymous = sqlite_site.client("officer"), sqlite_site.client(None)
    slug = sqlite_site.slugs[0]
    for client, path in (
        (anonymous, f"/tenders/{HUGE}"),
        (anonymous, "/tenders/-1"),
        (officer, f"/tenders/{HUGE}/export.csv"),
        (officer, f"/api/v1/tenders/{HUGE}"),
        (officer, f"/api/v1/assessments/{2**31}"),
        (officer, f"/api/v1/tenders?page={10**18}"),
        (officer, f"/api/v1/organisations/{slug}/matches?page={10**18}"),
    ):
        assert client.get(path).status_code in (404, 422), path
    for path in (f"/tenders?page={10**18}", f"/api/v1/assessments?page={HUGE}"):
        response = officer.get(path)
        assert response.status_code == 200, path  # clamped to the last possible page
    token = csrf_of(officer.get("/check").text)
    for path in (f"/tenders/{HUGE}/feedback", f"/operator/errors/{HUGE}/retry"):
        assert officer.post(path, data={"useful": "yes", "csrf_token": token}).status_code in (
            403,
            404,
            422,
        )


def test_an_upload_named_dot_dot_is_a_clean_400(bare: Bare) -> None:
    officer = bare.client("officer")
    for name in ("..", ".", "a\x00b.json"):
        token = csrf_of(officer.get("/check").text)
        response = officer.post(
            "/check", data={"csrf_token": token}, files={"file": (name, b"Draft\nBudget: 1m")}
        )
        assert response.status_code == 400, name
        # (the client sends a NUL as %00: a name that is merely odd, read as a JSON file)
        assert "file name cannot be used" in response.text or name.endswith(".json")
    token = csrf_of(officer.get("/check").text)
    outside = officer.post(
        "/check",
        data={"csrf_token": token},
        files={"file": ("../../etc/draft.txt", b"Data platform\nBudget: \xc2\xa32.4m")},
    )
    assert outside.status_code == 200 and "score" in outside.text


def test_the_next_link_uses_the_configured_address_not_the_host_header(sqlite_site: Site) -> None:
    settings = sqlite_site.app.state.settings.model_copy(
        update={"base_url": "https://lotwise.example"}
    )
    app = create_app(settings, sqlite_site.engine, now=lambda: NOW)
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    sign_in(client, sqlite_site.emails["officer"])
    # 10 per page: a size both listings accept (the assessments' sizes are 10, 25, 50, 100).
    for path in ("/api/v1/tenders?per_page=1&source=import", "/api/v1/assessments?per_page=10"):
        body = client.get(path, headers={"Host": "evil.example"}).json()
        assert body["total"] is None or body["total"] > body["per_page"]  # a next page exists
        assert body["next"].startswith(f"https://lotwise.example{path.split('?')[0]}?")
        assert "evil" not in body["next"] and "page=2" in body["next"]
        assert path.split("?")[1].split("&")[0] in body["next"]


def test_a_revoked_digest_link_shows_no_name(bare: Bare) -> None:
    slug = bare.slugs[0]
    config = bare.app.state.digest_config
    token = LinkSigner(config.secret_key, config.base_url).token(slug, 1, "unsubscribe")
    client = bare.client(None)
    live = client.get("/digest/unsubscribe", params={"token": token})
    with bare.engine.connect() as conn:
        from scanner.storage.organisations import get_organisation

        stored = get_organisation(conn, slug)
    assert stored is not None and stored.profile.name in live.text
    revoke_links(bare.engine, slug, now=NOW)
    for method in ("get", "post"):
        response = getattr(client, method)("/digest/unsubscribe", params={"token": token})
        assert response.status_code == 400 and "revoked" in response.text
        assert stored.profile.name not in response.text


def test_percent_and_underscore_are_literal_in_api_search(sqlite_site: Site) -> None:
    with sqlite_site.engine.begin() as conn:
        first = conn.scalar(select(Tender.id).order_by(Tender.id).limit(1))
        conn.execute(update(Tender).where(Tender.id == first).values(title="Uptime 100%_sla"))
    client = sqlite_site.client("officer")
    for term in ("%", "_", "100%_s", "uptime 100"):
        items = client.get("/api/v1/tenders", params={"search": term, "per_page": 200}).json()
        assert [t["id"] for t in items["items"]] == [first], term


# --- the hostile corpus -----------------------------------------------------------------

PATH_VALUES = [HUGE, "-1", "0", "abc", "1e3", "%00", "%2e%2e", "x" * 5000, "%F0%9F%92%A9", "1.5"]
QUERY = [
    {"page": HUGE}, {"page": "-5"}, {"page": "x"}, {"per_page": HUGE}, {"min_score": "nan"},
    {"min_score": "1e999"}, {"search": "x" * 5000}, {"buyer": "\x00"}, {"cpv": "%_\\"},
    {"token": "x" * 5000}, {"next": "//evil.example"}, {"sort": "'; drop table users;--"},
]  # fmt: skip
BODIES: list[dict[str, Any]] = [
    {"content": b"\xff\xfe\x00garbage", "headers": {"Content-Type": "application/octet-stream"}},
    {"content": b"a=%ZZ&b=\xff", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    {"content": b"--x\r\nbroken", "headers": {"Content-Type": "multipart/form-data; boundary=x"}},
    {"content": b"no boundary", "headers": {"Content-Type": "multipart/form-data"}},
    {"content": b'{"a": [[[[', "headers": {"Content-Type": "application/json"}},
    {"content": b"csrf_token=" + b"A" * 200_000, "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
]  # fmt: skip


def _paths(template: str) -> list[str]:
    """The route with each malformed value in every path parameter."""
    if "{" not in template:
        return [template]
    return [re.sub(r"\{[a-z_]+\}", value, template) for value in PATH_VALUES]


def test_no_malformed_request_gets_a_500(sqlite_site: Site) -> None:
    """Each route, as an anonymous visitor and as an officer (an organisation for its own
    pages), with every malformed path value and every malformed query or body, paired off."""
    clients = {role: sqlite_site.client(role) for role in (None, "officer", "org_a")}
    failures = []
    sent = 0
    for method, template in sorted(served_routes()):
        paths = _paths(template)
        extras: list[dict[str, Any]] = [{"params": q} for q in QUERY] if method == "GET" else BODIES
        cases = [
            (paths[i % len(paths)], extras[i % len(extras)])
            for i in range(max(len(paths), len(extras)))
        ]
        roles = ("org_a",) if template.startswith("/orgs/") else (None, "officer")
        for role in roles:
            for path, extra in cases:
                response = clients[role].request(method, path, **extra)
                sent += 1
                if response.status_code >= 500:
                    failures.append(
                        (role, method, path[:60], str(extra)[:60], response.status_code)
                    )
    assert sent > 500 and failures == []
