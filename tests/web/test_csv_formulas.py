"""Every CSV Lotwise writes makes formulas inert through one function (`scanner.spreadsheet`):
the web export, `split export --format csv` and `orgs export --format csv` (issue 14, item 10);
and an organisations CSV still imports back to the same profiles."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import Site
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update
from typer.testing import CliRunner

from scanner.cli.main import app as cli_app
from scanner.models import Organisation, SplitAssessment, Tender
from scanner.spreadsheet import restore_cell, safe_cell

FORMULA = '=HYPERLINK("https://evil.example","Click")'


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_web_and_command_line_exports_quote_formulas(sqlite_site: Site) -> None:
    site = sqlite_site
    with site.engine.begin() as conn:
        tender_id = conn.scalar(select(SplitAssessment.tender_id).limit(1))
        conn.execute(update(Tender).where(Tender.id == tender_id).values(title=FORMULA))
        conn.execute(update(Organisation).values(description="@SUM(1+1)*cmd|' /C calc'!A0"))
    web = site.client("officer").get(f"/tenders/{tender_id}/export.csv").text
    env = {"LOTWISE_DATABASE_URL": site.app.state.settings.database_url}
    runner = CliRunner()
    split = runner.invoke(cli_app, ["split", "export", str(tender_id), "--format", "csv"], env=env)
    orgs = runner.invoke(cli_app, ["orgs", "export", "--format", "csv"], env=env)
    assert split.exit_code == orgs.exit_code == 0, split.output + orgs.output
    for name, text in (("web", web), ("split export", split.output), ("orgs export", orgs.output)):
        cells = _cells(text)
        assert not [
            c for c in cells if c[:1] in ("=", "+", "@") or (c[:1] == "-" and not _number(c))
        ], name
    assert f"'{FORMULA}" in _cells(web) and f"'{FORMULA}" in _cells(split.output)


def test_an_exported_organisations_csv_imports_back_unchanged(
    tmp_path: Path, sqlite_url: str
) -> None:
    source = tmp_path / "orgs.toml"
    source.write_text(
        '[[organisation]]\nid = "tricky"\nname = "=Tricky"\nemails = ["a@tricky.example"]\n'
        'description = "\'=already quoted"\nkeywords = ["-minus", "+plus"]\n'
    )
    env = {"LOTWISE_DATABASE_URL": sqlite_url}
    runner = CliRunner()
    assert runner.invoke(cli_app, ["orgs", "import", str(source)], env=env).exit_code == 0
    exported = runner.invoke(cli_app, ["orgs", "export", "--format", "csv"], env=env).output
    assert "'=Tricky" in exported
    again = tmp_path / "again.csv"
    again.write_text(exported)
    check = runner.invoke(cli_app, ["orgs", "import", str(again), "--json"], env=env)
    assert check.exit_code == 0, check.output
    assert json.loads(check.output)["unchanged"] == ["tricky"]  # the same profile, unchanged


@given(st.text(max_size=30))
def test_restore_undoes_safe_cell(cell: str) -> None:
    quoted = safe_cell(cell)
    assert restore_cell(quoted) == cell
    assert quoted[:1] not in ("=", "+", "@", "\t", "\r") or _number(quoted)


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
