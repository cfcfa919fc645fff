"""`lotwise users list|disable|enable|remove|reset-password`: each changes what signing in
allows, `list --json` shows it, and a refused action is one line with exit 2."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Engine
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.services.users import authenticate

FIRST, SECOND = "Plenty-Of-Tea-At-Noon-7", "Quiet-Harbour-Lanterns-42"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_operator_lists_disables_enables_resets_and_removes_accounts(
    engine: Engine, database_url: str
) -> None:
    env = {"LOTWISE_DATABASE_URL": database_url, "COLUMNS": "100"}
    runner = CliRunner()

    def lotwise(*args: str, password: str = FIRST) -> tuple[int, str]:
        result = runner.invoke(app, list(args), env={**env, "LOTWISE_NEW_USER_PASSWORD": password})
        return result.exit_code, result.output

    assert lotwise("users", "add", "ops@example.org", "--role", "operator")[0] == 0
    assert lotwise("users", "add", "officer@example.org", "--role", "officer")[0] == 0

    def listed() -> dict[str, dict[str, object]]:
        code, out = lotwise("users", "list", "--json")
        assert code == 0, out
        return {row["email"]: row for row in json.loads(out)}

    assert {e: (r["role"], r["active"]) for e, r in listed().items()} == {
        "ops@example.org": ("operator", True),
        "officer@example.org": ("officer", True),
    }
    assert lotwise("users", "disable", "Officer@Example.org")[0] == 0
    assert listed()["officer@example.org"]["active"] is False
    assert authenticate(engine, "officer@example.org", FIRST, now=NOW) is None
    assert lotwise("users", "enable", "officer@example.org")[0] == 0
    assert authenticate(engine, "officer@example.org", FIRST, now=NOW) is not None

    assert lotwise("users", "reset-password", "ops@example.org", password=SECOND)[0] == 0
    assert authenticate(engine, "ops@example.org", FIRST, now=NOW) is None
    assert authenticate(engine, "ops@example.org", SECOND, now=NOW) is not None

    assert lotwise("users", "remove", "officer@example.org", "--yes")[0] == 0
    assert list(listed()) == ["ops@example.org"]
    code, out = lotwise("users", "remove", "nobody@example.org", "--yes")
    assert code == 2 and out.strip() == "Not done: no account for nobody@example.org"
    code, out = lotwise("users", "list")
    assert code == 0 and "ops@example.org" in out and "active" in out
