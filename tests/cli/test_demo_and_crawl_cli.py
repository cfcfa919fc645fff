"""The README's first command on the bundled data, as a real process on SQLite (in-process on
PostgreSQL: the database is what that run adds; its crawls are real child processes either
way); `lotwise crawl` and the commands that read what was stored, in-process (each `lotwise`
process costs seconds of imports: the process itself is tested in tests/scheduler, e.g.
test_orphan_crawl.py); then the README's quick start after the demo (one organisation's
matches, one split suggestion, an operator account and the web pages)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.demo.server import RecordedServer
from scanner.services.demo import MANIFEST, SOURCES_TEMPLATE
from scanner.settings import PROJECT_ROOT, Settings
from scanner.storage.database import make_engine
from scanner.web.app import create_app

LOTWISE = [sys.executable, "-m", "scanner.cli.main"]


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*LOTWISE, *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "COLUMNS": "200", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def invoke(args: list[str], env: dict[str, str]) -> Result:
    """`lotwise ARGS` in this process; an exception that escaped the command fails the test."""
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200", **env})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def lotwise_json(args: list[str], env: dict[str, str]) -> Any:
    result = invoke([*args, "--json"], env)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


OCDS_SOURCES = {"demo_find_a_tender", "demo_contracts_finder", "demo_tendrau_cymru"}
DEMO_SOURCES = OCDS_SOURCES | {"demo_ted", "demo_sam", "demo_housing_feed", "demo_council_listing"}
#: Sources that skip entries published before the high-water mark minus the overlap, so an
#: immediate second crawl sees none of their (older) entries again.
SKIP_OLD_ENTRIES = {"demo_housing_feed", "demo_council_listing"}


def test_demo_crawls_every_recorded_source_and_reports(database_url: str, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    demo = ["demo", "--database-url", database_url, "--outbox", str(outbox)]
    if database_url.startswith("sqlite"):  # the README's first command, as a real process
        done = run(demo, {})
        assert done.returncode == 0, done.stdout + done.stderr
        stdout = done.stdout
    else:
        ran = invoke(demo, {})
        assert ran.exit_code == 0, ran.output
        stdout = ran.stdout
    assert "Crawl summary" in stdout and "Largest open opportunities" in stdout
    assert list(outbox.glob("*.eml")) and f"written to {outbox}" in " ".join(stdout.split())
    env = {"LOTWISE_DATABASE_URL": database_url}
    runs = lotwise_json(["runs"], env)
    assert {r["source"] for r in runs} == DEMO_SOURCES
    assert all(r["status"] == "ok" for r in runs), runs
    assert len(runs) == 2 * len(DEMO_SOURCES)  # the crawl, then the incremental crawl again
    first, again = runs[len(DEMO_SOURCES) :], runs[: len(DEMO_SOURCES)]
    tenders = lotwise_json(["tenders", "list"], env)
    assert len(tenders) == sum(r["items_new"] for r in first)
    assert sum(r["items_new"] + r["items_updated"] for r in again) == 0
    per_source = Counter(t["source"] for t in tenders)
    assert set(per_source) == DEMO_SOURCES
    rereadable = sum(n for name, n in per_source.items() if name not in SKIP_OLD_ENTRIES)
    assert sum(r["items_unchanged"] for r in again) == rereadable
    assert all(r["items_seen"] == 0 for r in again if r["source"] in SKIP_OLD_ENTRIES)
    assert f"0 new, 0 updated, {rereadable} tenders unchanged" in stdout
    assert sum(per_source[name] for name in OCDS_SOURCES) == 360  # the labelled corpus
    assert any((t["lot_count"] or 0) >= 3 for t in tenders)
    assert f"{len(tenders)} tenders" in stdout
    # The report counts tenders per source and the opportunities merged across sources.
    assert "Tenders per source" in stdout
    for name, count in per_source.items():
        assert re.search(rf"{name}\s*│\s*{count}\s", stdout), name
    merged = lotwise_json(["tenders", "merged"], env)
    assert merged, "the TED cross-posts of Find a Tender notices were not merged"
    assert all(
        {m["source"] for m in group["members"]} == {"demo_ted", "demo_find_a_tender"}
        for group in merged
    )
    assert f"{len(merged)} opportunities merged across sources" in stdout
    # The fixtures' fake contact points must not be stored anywhere.
    detail = lotwise_json(["tenders", "show", str(tenders[0]["id"])], env)
    assert "contactPoint" not in json.dumps(detail["raw"])
    # The demo ends on the top split suggestions, as `split list` ranks them.
    assert "Top split suggestions" in stdout
    top = lotwise_json(["split", "list", "--limit", "5"], env)
    assert len(top) == 5
    report = stdout[stdout.index("Top split suggestions") :]
    for row in top:
        assert str(row["tender_id"]) in report and f"{row['score']:.2f}" in report
    _readme_quick_start_continues(database_url)


def _readme_quick_start_continues(database_url: str) -> None:
    """Every `lotwise` command of the README's "after the demo" block, as written, against the
    demo's database (in-process), then the web pages it leads to, signed in as that operator."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("After the demo, carry on", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [
        shlex.split(line.split("#", 1)[0])[1:]
        for line in block.splitlines()
        if line.startswith(".venv/bin/lotwise ")
    ]
    assert [c[0] for c in commands] == ["tenders", "match", "split", "split", "users", "serve"]
    env = {"LOTWISE_DATABASE_URL": database_url, "COLUMNS": "200"}
    env["LOTWISE_NEW_USER_PASSWORD"] = "quick start operator 42"
    runner = CliRunner()
    said: dict[str, str] = {}
    suggestion = None
    for args in commands[:-1]:  # `serve`: the app below, not a server process
        if args[:2] == ["split", "show"]:
            args = ["split", "show", str(suggestion)]
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, (args, result.output)
        assert "Traceback" not in result.output, args
        said[" ".join(args[:2])] = result.output
        if args[:2] == ["split", "list"]:
            listed = runner.invoke(app, [*args, "--json"], env=env)
            suggestion = json.loads(listed.output)[0]["tender_id"]
    assert "Tenders (0)" not in said["tenders list"]
    assert "code-for-good-cic" in said["match --org"] or "Code for Good" in said["match --org"]
    engine = make_engine(database_url)
    try:
        web = create_app(Settings(database_url=database_url), engine)
        client = TestClient(web, follow_redirects=False)
        form = client.get("/signin")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        signed = client.post(
            "/signin",
            data={
                "email": "you@example.org",
                "password": env["LOTWISE_NEW_USER_PASSWORD"],
                "csrf_token": token.group(1),
            },
        )
        assert signed.status_code == 303, signed.text
        for page in ("/operator", "/tenders", f"/tenders/{suggestion}"):
            assert client.get(page).status_code == 200, page
    finally:
        engine.dispose()


@pytest.fixture
def demo_sources(tmp_path: Path) -> Any:
    with RecordedServer(MANIFEST, MANIFEST.parent) as server:
        path = tmp_path / "sources.toml"
        path.write_text(SOURCES_TEMPLATE.read_text().replace("{base_url}", server.base_url))
        yield path


def test_second_crawl_adds_nothing_and_reports_unchanged(
    sqlite_url: str, demo_sources: Path
) -> None:
    # SQLite only: the demo test above re-crawls every source on both databases and checks
    # that nothing is new or updated; this one adds versions and the high-water mark.
    env = {"LOTWISE_DATABASE_URL": sqlite_url, "LOTWISE_SOURCES_FILE": str(demo_sources)}
    first = invoke(["crawl", "demo_find_a_tender", "demo_contracts_finder"], env)
    assert first.exit_code == 0, first.output
    assert "Crawl summary" in first.stdout
    stored = lotwise_json(["tenders", "list"], env)

    second = invoke(["crawl", "demo_find_a_tender", "demo_contracts_finder"], env)
    assert second.exit_code == 0, second.output
    runs = lotwise_json(["runs"], env)
    latest = {r["source"]: r for r in reversed(runs)}
    for name in ("demo_find_a_tender", "demo_contracts_finder"):
        assert latest[name]["items_new"] == 0 and latest[name]["items_updated"] == 0
        assert latest[name]["items_unchanged"] > 0
    again = lotwise_json(["tenders", "list"], env)
    assert sorted(t["id"] for t in again) == sorted(t["id"] for t in stored)
    assert {t["version"] for t in again} == {1}
    sources = {s["name"]: s for s in lotwise_json(["sources"], env)}
    assert sources["demo_find_a_tender"]["tenders"] > 0
    assert sources["demo_find_a_tender"]["high_water_mark"] is not None


def test_crawl_of_unknown_source_names_the_configured_ones(
    demo_sources: Path, sqlite_url: str
) -> None:
    env = {"LOTWISE_DATABASE_URL": sqlite_url, "LOTWISE_SOURCES_FILE": str(demo_sources)}
    result = invoke(["crawl", "no_such_source"], env)
    assert result.exit_code == 2
    assert "no_such_source" in result.stderr and "demo_find_a_tender" in result.stderr
