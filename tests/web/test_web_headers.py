"""Response headers and the API documentation (issue 14, item 11): HSTS with an https public
address, `Cache-Control: no-store` on signed-in pages and API answers, a `__Host-` session
cookie over https, and `/api/v1/docs` served from packaged files under a policy that allows
scripts from this site only (it works offline; the browser test renders it)."""

from __future__ import annotations

import re

from conftest import Bare
from fastapi.testclient import TestClient
from web_fixtures import sign_in


def test_https_sites_send_hsts_and_a_host_only_secure_cookie(bare: Bare) -> None:
    https = TestClient(
        bare.app_with(base_url="https://lotwise.example"),
        base_url="https://testserver",
        follow_redirects=False,
    )
    response = sign_in(https, bare.emails["officer"])
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-lotwise_session=")
    lowered = cookie.lower()
    assert "; secure" in lowered and "path=/" in lowered and "domain=" not in lowered
    assert https.get("/api/v1/me").status_code == 200  # the browser sends it back
    plain = bare.client(None).get("/")
    assert "strict-transport-security" not in plain.headers  # no HSTS over plain http


def test_signed_in_pages_and_api_answers_are_not_stored(bare: Bare) -> None:
    client = bare.client("officer")
    for path in ("/tenders", "/check", "/api/v1/me", "/api/v1/tenders", "/account/password"):
        assert client.get(path).headers["cache-control"] == "no-store", path
    style = client.get("/static/style.css")
    assert "no-store" not in style.headers.get("cache-control", "")


def test_api_docs_load_only_packaged_files(bare: Bare) -> None:
    client = bare.client(None)
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources)
    assert "<script>" not in page.text  # no inline script: the policy would block it
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200 and len(asset.content) > 100, source
    bundle = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert "SwaggerUIBundle" in bundle.text[:5000]
    assert client.get("/api/v1/docs/assets/index.html").status_code == 404
    assert client.get("/api/v1/docs/assets/..%2F__init__.py").status_code == 404
    pages = client.get("/signin").headers["content-security-policy"]
    assert "script-src 'self'" in pages and "unsafe-inline" not in pages
