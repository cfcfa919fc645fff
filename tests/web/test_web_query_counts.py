"""The busiest pages issue a fixed number of SQL statements however many rows they show: a
page that queried once per row (N+1) would pass every other test and be slow at 100,000
tenders. The session check is one statement on every signed-in request (issue 16)."""

from __future__ import annotations

from conftest import Site
from fastapi.testclient import TestClient
from statements import recorded_statements as counted


def statements_of(site: Site, client: TestClient, path: str) -> list[str]:
    client.get(path)  # configuration caches warm, as on a running site
    with counted(site.engine) as statements:
        response = client.get(path)
    assert response.status_code == 200, (path, response.text[:300])
    return statements


def test_busy_pages_issue_as_many_statements_for_many_rows_as_for_few(
    sqlite_site: Site,
) -> None:
    officer = sqlite_site.client("officer")
    slug = sqlite_site.slugs[0]
    pairs = [
        ("/tenders?show=all&status=all&per_page=10", "/tenders?show=all&status=all&per_page=100"),
        ("/api/v1/tenders?per_page=5", "/api/v1/tenders?per_page=200"),
        (
            f"/api/v1/organisations/{slug}/matches?per_page=1",
            f"/api/v1/organisations/{slug}/matches?per_page=200",
        ),
    ]
    for few, many in pairs:
        assert len(officer.get(many).text) > 2 * len(officer.get(few).text), many  # more rows
        small, large = (
            statements_of(sqlite_site, officer, few),
            statements_of(sqlite_site, officer, many),
        )
        assert len(small) == len(large), (few, small, large)
    # The officer list: the session with its account, the count, the page's ids, its rows.
    listing = statements_of(sqlite_site, officer, "/tenders?show=all&status=all&per_page=100")
    assert len(listing) <= 4, listing
    assert sum("web_sessions" in s for s in listing) == 1, listing
    # A tender's page: as many statements for the most packages and lots as for the fewest.
    rows = officer.get("/api/v1/assessments?show=all&status=all&per_page=100").json()["items"]
    by_size = sorted(rows, key=lambda row: row["package_count"])
    fewest, most = by_size[0]["tender_id"], by_size[-1]["tender_id"]
    assert by_size[0]["package_count"] < by_size[-1]["package_count"]
    small = statements_of(sqlite_site, officer, f"/tenders/{fewest}")
    large = statements_of(sqlite_site, officer, f"/tenders/{most}")
    # Its flags read its own record (3 statements), and its buyer's (stamp, then 3 unless
    # kept) only when a buyer-pattern rule could flag it: that, not its size, may add some.
    for found in (small, large):
        assert len(found) <= 15, "\n".join(s[:150].replace("\n", " ") for s in found)
    assert abs(len(small) - len(large)) <= 4, (small, large)
