"""Issue 19, cases 1 and 2, for the web: a hostile JSON draft uploaded to the check page is
refused in one line naming the limit (the same guard as files and HTTP bodies), never a 500
and never a hang; the next upload works."""

from __future__ import annotations

from conftest import Bare
from web_fixtures import csrf_of


def test_deeply_nested_json_upload_is_refused_naming_the_limit(bare: Bare) -> None:
    officer = bare.client("officer")
    token = csrf_of(officer.get("/check").text)
    deep = b"[" * 100_000 + b"]" * 100_000
    response = officer.post(
        "/check", data={"csrf_token": token}, files={"file": ("draft.json", deep)}
    )
    assert response.status_code == 400, response.text[:500]
    assert "nested deeper than 100 levels" in response.text
    assert "LOTWISE_JSON_MAX_DEPTH" in response.text
    token = csrf_of(officer.get("/check").text)
    fine = officer.post(
        "/check",
        data={"csrf_token": token},
        files={"file": ("draft.txt", b"Data platform\nBudget: \xc2\xa32.4m")},
    )
    assert fine.status_code == 200 and "score" in fine.text
