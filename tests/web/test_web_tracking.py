"""Tracking: save, dismiss with a reason, bid and no-bid with notes, shared by an organisation's
users; dismissed opportunities leave its digests and are listed last; table `tracking` and
`calendar_feeds` (migration 0020) as the models declare them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import Bare
from opportunity_fixtures import ingest, match_row, open_release, set_matches, tender_id
from sqlalchemy import Engine, inspect
from web_fixtures import NOW, PASSWORD, csrf_of, sign_in

from scanner.models import Base
from scanner.services import digests
from scanner.services.users import add_user
from scanner.storage.database import alembic_config

TABLES = ("tracking", "calendar_feeds")


def _matched(bare: Bare, tmp_path: Path) -> list[str]:
    """Three open tenders matched to org_a; their opportunity ids, best first."""
    deadline = NOW + timedelta(days=30)
    ingest(
        bare.engine,
        tmp_path,
        [open_release(n, deadline=deadline, title=f"Tender number {n}") for n in (1, 2, 3)],
        NOW,
    )
    ids = [f"tender:{tender_id(bare.engine, f'ocds-opp-{n}')}" for n in (1, 2, 3)]
    rows = [
        match_row(int(key.split(":")[1]), key, "tender", f"Tender number {n}", NOW, 0.9 - n / 10)
        for n, key in enumerate(ids, start=1)
    ]
    set_matches(bare.engine, bare.slugs[0], rows)
    return ids


def _track(client: object, slug: str, opportunity: str, **data: str) -> object:
    page = client.get(f"/orgs/{slug}/opportunities/{opportunity}")  # type: ignore[attr-defined]
    form = {"csrf_token": csrf_of(page.text), **data}
    return client.post(f"/orgs/{slug}/opportunities/{opportunity}/track", data=form)  # type: ignore[attr-defined]


def test_decisions_and_notes_are_shared_by_the_organisations_users(
    bare: Bare, tmp_path: Path
) -> None:
    first, second, third = _matched(bare, tmp_path)
    own = bare.slugs[0]
    client = bare.client("org_a")
    saved = _track(client, own, first, state="saved", note="Ask Sam about the audit part")
    assert saved.status_code == 303  # type: ignore[attr-defined]
    _track(client, own, second, state="bid", note="Deciding on Friday: <b>bold</b>")
    add_user(
        bare.engine, "colleague@org-a.example", "organisation", PASSWORD, now=NOW, organisation=own
    )
    colleague = bare.client(None)
    assert sign_in(colleague, "colleague@org-a.example").status_code == 303
    listing = colleague.get(f"/orgs/{own}/tracking").text
    assert "Ask Sam about the audit part" in listing and "a@org-a.example" in listing
    assert "Deciding on Friday: &lt;b&gt;bold&lt;/b&gt;" in listing
    assert listing.index("Saved (1)") < listing.index("Bidding (1)")
    page = colleague.get(f"/orgs/{own}/opportunities/{first}").text
    assert "Ask Sam about the audit part" in page and "Saved" in page

    _track(colleague, own, second, state="no_bid", note="Too busy in March")
    listing = client.get(f"/orgs/{own}/tracking").text
    assert "Not bidding (1)" in listing and "Bidding (0)" in listing
    assert "colleague@org-a.example" in listing and "Deciding on Friday" not in listing
    _track(client, own, first, state="clear")
    assert "Saved (0)" in client.get(f"/orgs/{own}/tracking").text
    assert third  # untouched


def test_dismissing_needs_a_reason_and_drops_it_from_digests_and_to_the_bottom(
    bare: Bare, tmp_path: Path
) -> None:
    first, second, third = _matched(bare, tmp_path)
    own = bare.slugs[0]
    client = bare.client("org_a")
    config = digests.DigestConfig.from_settings(bare.settings)
    before = digests.preview_digest(bare.engine, config, own, now=NOW)
    assert before is not None
    assert [i.opportunity_id for i in before.content.new] == [first, second, third]

    refused = _track(client, own, first, state="dismissed")
    page = client.get(refused.headers["location"]).text  # type: ignore[attr-defined]
    assert "Say why you dismiss it" in page and "Not tracked yet" in page
    _track(client, own, first, state="dismissed", reason="too_large", note="Needs a big team")

    after = digests.preview_digest(bare.engine, config, own, now=NOW)
    assert after is not None
    assert [i.opportunity_id for i in after.content.new] == [second, third]
    dashboard = client.get(f"/orgs/{own}").text
    assert dashboard.index("Tender number 2") < dashboard.index("Tender number 3")
    assert dashboard.index("Tender number 3") < dashboard.index("Tender number 1")
    assert "Too large for us" in dashboard.split("Dismissed or not bidding")[1]
    listing = client.get(f"/orgs/{own}/tracking").text
    assert "Dismissed (1)" in listing and "Needs a big team" in listing


def test_only_the_organisations_own_users_can_change_its_tracking(
    bare: Bare, tmp_path: Path
) -> None:
    first, _, _ = _matched(bare, tmp_path)
    own, other = bare.slugs
    operator = bare.client("operator")
    page = operator.get(f"/orgs/{own}/opportunities/{first}")
    assert page.status_code == 200 and "Save decision" not in page.text  # read-only
    token = csrf_of(page.text)
    refused = operator.post(
        f"/orgs/{own}/opportunities/{first}/track", data={"csrf_token": token, "state": "saved"}
    )
    assert refused.status_code == 403
    stranger = bare.client("org_b")
    token = csrf_of(stranger.get(f"/orgs/{other}").text)
    refused = stranger.post(
        f"/orgs/{own}/opportunities/{first}/track", data={"csrf_token": token, "state": "saved"}
    )
    assert refused.status_code == 403
    no_token = bare.client("org_a").post(
        f"/orgs/{own}/opportunities/{first}/track", data={"state": "saved"}
    )
    assert no_token.status_code == 403
    assert "Saved (0)" in bare.client("org_a").get(f"/orgs/{own}/tracking").text


def test_model_and_migration_agree_on_the_tracking_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert [d for d in differences if any(t in repr(d) for t in TABLES)] == []
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0016")
    assert not set(TABLES) & set(inspect(engine).get_table_names())
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    assert set(TABLES) <= set(inspect(engine).get_table_names())


def test_a_dismissal_for_the_tenders_work_ranks_its_other_parts_down_but_too_large_does_not(
    bare: Bare, tmp_path: Path
) -> None:
    deadline = NOW + timedelta(days=30)
    ingest(
        bare.engine,
        tmp_path,
        [open_release(1, deadline=deadline), open_release(2, deadline=deadline, title="Other")],
        NOW,
    )
    one, two = tender_id(bare.engine, "ocds-opp-1"), tender_id(bare.engine, "ocds-opp-2")
    own = bare.slugs[0]
    set_matches(
        bare.engine,
        own,
        [
            match_row(one, f"tender:{one}", "tender", "Whole audit tender", NOW, 0.95),
            match_row(one, f"lot:{one}:2", "buyer_lot", "Research lot", NOW, 0.9),
            match_row(two, f"tender:{two}", "tender", "Other tender", NOW, 0.5),
        ],
    )
    client = bare.client("org_a")
    _track(client, own, f"tender:{one}", state="dismissed", reason="too_large")
    page = client.get(f"/orgs/{own}").text
    assert page.index("Research lot") < page.index("Other tender")  # a smaller lot may fit
    assert "Ranked down" not in page

    _track(client, own, f"tender:{one}", state="dismissed", reason="not_our_work")
    page = client.get(f"/orgs/{own}").text
    assert page.index("Other tender") < page.index("Research lot")
    assert "Ranked down: You dismissed another part of this tender (not our kind of work)" in page
