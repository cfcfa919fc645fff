"""The subscribable calendar feed: a signed, revocable address that needs no session, events
naming the buyer, deadlines read live (a moved deadline moves the event), reminders 7 and 2
days before, and a document icalendar reads back as it was written."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from conftest import Bare
from icalendar import Calendar
from opportunity_fixtures import (
    ingest,
    match_row,
    move_deadline,
    open_release,
    set_matches,
    tender_id,
)
from web_fixtures import NOW, csrf_of

FEED_RE = re.compile(r'value="(http://testserver/calendar/[^"]+\.ics)"')


def _matched(bare: Bare, tmp_path: Path) -> tuple[int, int]:
    ingest(
        bare.engine,
        tmp_path,
        [
            open_release(1, deadline=NOW + timedelta(days=30)),
            open_release(2, deadline=NOW + timedelta(days=12), buyer="Camden Council"),
        ],
        NOW,
    )
    first, second = tender_id(bare.engine, "ocds-opp-1"), tender_id(bare.engine, "ocds-opp-2")
    set_matches(
        bare.engine,
        bare.slugs[0],
        [
            match_row(first, f"lot:{first}:1", "buyer_lot", "Audit", NOW),
            match_row(first, f"package:{first}:1", "suggested_package", "Usability tests", NOW),
            match_row(second, f"tender:{second}", "tender", "Whole thing", NOW),
        ],
    )
    return first, second


def _make_address(client: object, slug: str) -> str:
    page = client.get(f"/orgs/{slug}").text  # type: ignore[attr-defined]
    client.post(f"/orgs/{slug}/calendar", data={"csrf_token": csrf_of(page)})  # type: ignore[attr-defined]
    found = FEED_RE.search(client.get(f"/orgs/{slug}").text)  # type: ignore[attr-defined]
    assert found, "no calendar address on the dashboard"
    return found.group(1).removeprefix("http://testserver")


def _events(body: bytes) -> dict[str, object]:
    return {str(e["uid"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def test_feed_needs_no_session_names_the_buyer_and_reminds_twice(
    bare: Bare, tmp_path: Path
) -> None:
    first, second = _matched(bare, tmp_path)
    own = bare.slugs[0]
    path = _make_address(bare.client("org_a"), own)
    response = bare.client(None).get(path)  # no session at all
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/calendar"
    )
    parsed = Calendar.from_ical(response.content)
    assert parsed.to_ical() == response.content  # the round trip changes nothing
    events = _events(response.content)
    assert set(events) == {
        f"lotwise-{own}-{first}-submission@lotwise",
        f"lotwise-{own}-{first}-questions@lotwise",
        f"lotwise-{own}-{second}-submission@lotwise",
        f"lotwise-{own}-{second}-questions@lotwise",
    }  # one event per tender and deadline, however many of its parts fit
    submission = events[f"lotwise-{own}-{first}-submission@lotwise"]
    assert submission.decoded("dtend") == NOW + timedelta(days=30)  # type: ignore[attr-defined]
    questions = events[f"lotwise-{own}-{first}-questions@lotwise"]
    assert questions.decoded("dtend") == NOW + timedelta(days=20)  # type: ignore[attr-defined]
    assert "Hackney Borough Council" in str(submission["summary"])  # type: ignore[index]
    assert "Camden Council" in str(events[f"lotwise-{own}-{second}-submission@lotwise"]["summary"])  # type: ignore[index]
    description = str(submission["description"])  # type: ignore[index]
    assert "Audit" in description and "not offered by the buyer" in description
    assert f"/orgs/{own}/opportunities/lot:{first}:1" in description
    assert not re.search(r"\d+ days", description)  # nothing counts days inside an event
    alarms = submission.walk("VALARM")  # type: ignore[attr-defined]
    assert sorted(a.decoded("trigger") for a in alarms) == [-timedelta(days=7), -timedelta(days=2)]
    assert all(a["trigger"].params["RELATED"] == "END" for a in alarms)


def test_a_moved_deadline_moves_the_event_and_a_dismissed_tender_leaves(
    bare: Bare, tmp_path: Path
) -> None:
    first, second = _matched(bare, tmp_path)
    own = bare.slugs[0]
    client = bare.client("org_a")
    path = _make_address(client, own)
    uid = f"lotwise-{own}-{first}-submission@lotwise"
    before = _events(bare.client(None).get(path).content)[uid]
    move_deadline(bare.engine, first, NOW + timedelta(days=45))
    after = _events(bare.client(None).get(path).content)[uid]
    assert before.decoded("dtend") == NOW + timedelta(days=30)  # type: ignore[attr-defined]
    assert after.decoded("dtend") == NOW + timedelta(days=45)  # type: ignore[attr-defined]

    move_deadline(bare.engine, second, NOW - timedelta(hours=1))  # passed: no event left
    token = csrf_of(client.get(f"/orgs/{own}/opportunities/lot:{first}:1").text)
    for opportunity in (f"lot:{first}:1", f"package:{first}:1"):
        client.post(
            f"/orgs/{own}/opportunities/{opportunity}/track",
            data={"csrf_token": token, "state": "dismissed", "reason": "too_large"},
        )
    remaining = _events(bare.client(None).get(path).content)
    assert remaining == {}


def test_revoking_makes_a_new_address_and_the_old_one_fails(bare: Bare, tmp_path: Path) -> None:
    _matched(bare, tmp_path)
    own, other = bare.slugs
    client = bare.client("org_a")
    old = _make_address(client, own)
    new = _make_address(client, own)
    assert new != old
    anonymous = bare.client(None)
    refused = anonymous.get(old)
    assert refused.status_code == 404 and "revoked" in refused.text
    assert anonymous.get(new).status_code == 200
    forged = new.replace(own, other) if own in new else new[:-8] + "AAAA" + new[-4:]
    assert anonymous.get(forged).status_code == 404
    assert anonymous.get("/calendar/nonsense.ics").status_code == 404
    # an operator may read the dashboard but not make or revoke the address
    operator = bare.client("operator")
    token = csrf_of(operator.get(f"/orgs/{own}").text)
    assert operator.post(f"/orgs/{own}/calendar", data={"csrf_token": token}).status_code == 403
    assert anonymous.get(new).status_code == 200
