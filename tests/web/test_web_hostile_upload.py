"""Issue 19, cases 1 and 2, for the web: every input of the hostile corpus uploaded to the check
page is refused in one line naming the limit (the same guard as files and HTTP bodies), never a
500 and never a hang; nothing is written to the database; the next upload works."""

from __future__ import annotations

import html

from conftest import Bare
from fastapi.testclient import TestClient
from hostile_corpus import HOSTILE
from sqlalchemy import MetaData, func, select
from web_fixtures import SQLITE_ONLY, csrf_of, sign_in

# The guards refuse before anything reaches the database: SQLite alone.
pytestmark = SQLITE_ONLY

#: Cases refused before the JSON guard: the page's size limit (a 5 MB body), or a gzip that
#: expands past what a draft can be.
TOO_LARGE = (413, "The request is larger than 2.1 MB, the most this page accepts; nothing was read")
WEB = {
    "a long string": TOO_LARGE,
    "a long string of escapes": TOO_LARGE,
    "a gzip bomb": (400, "draft.json: larger than 2 MB uncompressed; not a draft"),
}


def row_counts(bare: Bare) -> dict[str, int]:
    tables = MetaData()
    tables.reflect(bare.engine)
    with bare.engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)
            for name, table in tables.tables.items()
            if name not in ("web_sessions", "sign_in_attempts")  # a page view may touch these
        }


def test_the_hostile_corpus_uploaded_is_refused_naming_the_limit(bare: Bare) -> None:
    officer = bare.client("officer")
    before = row_counts(bare)
    for case, (make, message) in HOSTILE.items():
        token = csrf_of(officer.get("/check").text)
        response = officer.post(
            "/check", data={"csrf_token": token}, files={"file": ("draft.json", make())}
        )
        status, expected = WEB.get(case, (400, "draft.json: malformed JSON: "))
        text = " ".join(html.unescape(response.text).split())
        assert response.status_code == status, (case, response.status_code)
        assert expected in text and (case in WEB or message in text), case
    string_limit = bare.app_with(json_max_string=1 << 16)
    with TestClient(string_limit, raise_server_exceptions=False, follow_redirects=False) as client:
        assert sign_in(client, bare.emails["officer"]).status_code == 303
        token = csrf_of(client.get("/check").text)
        long_string = b'{"ocid": "' + b"a" * (1 << 20) + b'"}'
        response = client.post(
            "/check", data={"csrf_token": token}, files={"file": ("draft.json", long_string)}
        )
    assert response.status_code == 400
    assert "longer than 65536 bytes (limit LOTWISE_JSON_MAX_STRING)" in html.unescape(response.text)
    assert row_counts(bare) == before
    token = csrf_of(officer.get("/check").text)
    fine = officer.post(
        "/check",
        data={"csrf_token": token},
        files={"file": ("draft.txt", b"Data platform\nBudget: \xc2\xa32.4m")},
    )
    assert fine.status_code == 200 and "score" in fine.text
