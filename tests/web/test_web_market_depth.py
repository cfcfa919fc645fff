"""Market depth names organisations only to officers, and only those that agreed to be listed
(issue 14, item 7): anyone else sees counts, so signing up cannot put text on tender pages.
The consent is a profile field (`listed`, default false) that imports and exports carry."""

from __future__ import annotations

from pathlib import Path

from conftest import Site
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner
from web_fixtures import NOW, sign_in, web_settings

from scanner.cli.main import app as cli_app
from scanner.models import Organisation, SplitAssessment
from scanner.services import queries, split_queries
from scanner.services.web_officer import ProfileCache, market_depth
from scanner.web import create_app

HOSTILE = "NOTICE: this tender was withdrawn - submit bids at evil.example"


def _crowded_tender(site: Site) -> tuple[int, list[str]]:
    """A tender whose market depth holds at least two organisations, and their names."""
    cache = ProfileCache(site.engine, web_settings("sqlite://").rates_file)
    rates, profiles, _ = cache.get(NOW.date())
    everyone = frozenset(p.id for p in profiles)
    with Session(site.engine) as session:
        ids = list(
            session.scalars(select(SplitAssessment.tender_id).order_by(SplitAssessment.tender_id))
        )
        for tender_id in ids:
            tender = queries.get_tender(session, tender_id)
            stored = split_queries.get_assessment(session, tender_id)
            assert tender is not None and stored is not None
            depth = market_depth(
                tender, stored.entry, profiles, rates, on=NOW.date(), listed=everyone
            )
            if len(depth[0].names) >= 2:
                return tender_id, list(depth[0].names)
    raise AssertionError("no tender with two organisations that could bid")


def test_only_officers_see_names_and_only_of_listed_organisations(sqlite_site: Site) -> None:
    site = sqlite_site
    tender_id, names = _crowded_tender(site)
    shown, hidden = names[0], names[1:]
    with site.engine.begin() as conn:
        conn.execute(update(Organisation).where(Organisation.name == shown).values(listed=True))
        # a registered name is text anyone could choose: it must not reach the public page
        conn.execute(
            update(Organisation).where(Organisation.name == hidden[0]).values(name=HOSTILE)
        )
    app = create_app(site.app.state.settings, site.engine, now=lambda: NOW)  # fresh profile cache
    pages = {}
    for role in (None, "org_a", "officer"):
        client = TestClient(app, follow_redirects=False)
        if role:
            assert sign_in(client, site.emails[role]).status_code == 303
        pages[role] = client.get(f"/tenders/{tender_id}").text
    for role in (None, "org_a"):
        assert "depth-count" in pages[role]
        assert "Listed by name" not in pages[role]
        for name in (shown, HOSTILE, *hidden[1:]):
            assert name not in pages[role], (role, name)
    officer = pages["officer"]
    assert "Listed by name" in officer and shown in officer
    assert HOSTILE not in officer and all(name not in officer for name in hidden[1:])


def test_the_consent_travels_through_import_and_export(tmp_path: Path, sqlite_url: str) -> None:
    profiles = tmp_path / "orgs.toml"
    profiles.write_text(
        '[[organisation]]\nid = "named"\nname = "Named"\nemails = ["a@named.example"]\n'
        "listed = true\n\n"
        '[[organisation]]\nid = "quiet"\nname = "Quiet"\nemails = ["a@quiet.example"]\n'
    )
    env = {"LOTWISE_DATABASE_URL": sqlite_url}
    runner = CliRunner()
    assert runner.invoke(cli_app, ["orgs", "import", str(profiles)], env=env).exit_code == 0
    exported = runner.invoke(cli_app, ["orgs", "export", "--format", "csv"], env=env)
    assert exported.exit_code == 0
    header, named, quiet = exported.output.strip().splitlines()
    column = header.split(",").index("listed")
    assert named.split(",")[column] == "true" and quiet.split(",")[column] == "false"
    from scanner.storage.database import make_engine

    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert dict(conn.execute(select(Organisation.slug, Organisation.listed)).all()) == {
            "named": True,
            "quiet": False,
        }
    engine.dispose()
