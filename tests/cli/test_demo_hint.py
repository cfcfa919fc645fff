"""After `make demo` the next command leads to the demo's data: listing an empty database
while the demo's database exists says, in one line, how to reach it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli.main import app


def test_empty_database_points_to_the_demo_database(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = tmp_path / "demo.sqlite"
    monkeypatch.setattr("scanner.cli.context.DEMO_DATABASE", demo)
    env = {"LOTWISE_DATABASE_URL": database_url, "COLUMNS": "80"}
    quiet = CliRunner().invoke(app, ["tenders", "list", "--open"], env=env)
    assert quiet.exit_code == 0 and "demo" not in quiet.output  # no demo run: no hint
    demo.write_bytes(b"")
    for args in (["tenders", "list", "--open"], ["split", "list"], ["match"]):
        result = CliRunner().invoke(app, args, env=env)
        assert result.exit_code == 0, (args, result.output)
        (line,) = [line for line in result.output.splitlines() if "demo" in line]
        assert f"export LOTWISE_DATABASE_URL=sqlite:///{demo}" in line, args
    pointed = CliRunner().invoke(
        app, ["tenders", "list"], env={**env, "LOTWISE_DATABASE_URL": f"sqlite:///{demo}"}
    )
    assert pointed.exit_code == 0 and "export" not in pointed.output  # already there
