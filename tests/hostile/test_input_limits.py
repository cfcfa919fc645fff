"""Cases 1 and 2 of issue 19: hostile JSON is refused at a named limit, quickly and in bounded
memory, as that file's one-line error; the other files of the command load. Each input is
generated in a line or two (tests/hostile_corpus.py, never stored), and the same corpus goes
through `orgs import` and `split check` here and through the web upload (tests/web)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hostile_corpus import GOOD, HOSTILE
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, func, select
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.ingest.limits import InputLimitError, JsonGuard, JsonLimits, check_json_bytes
from scanner.ingest.repair import InvalidJSON, parse_json_lenient
from scanner.models import CrawlRun, Organisation, Tender

runner = CliRunner()


@pytest.fixture
def cli(database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Any:
    """In process, on a database migrated from the test process's template (`engine`): the
    CLI's own migration of an empty database is tested by tests/cli, not again here."""
    monkeypatch.setenv("LOTWISE_DATABASE_URL", database_url)

    def invoke(*args: str) -> Any:
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


def stored(database_url: str) -> tuple[int, list[str]]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            tenders = conn.execute(select(func.count()).select_from(Tender)).scalar()
            runs = conn.execute(select(CrawlRun.status).order_by(CrawlRun.id)).scalars()
            return int(tenders or 0), list(runs)
    finally:
        engine.dispose()


#: The refusal is the parser's; the database only rolls back what the hostile file's transaction
#: read before it. So every case on SQLite, and on PostgreSQL the cheapest whose package has a
#: good release before its hostile value (that rollback is the database's part).
REFUSALS = [pytest.param("sqlite", case, id=f"sqlite-{case}") for case in HOSTILE] + [
    pytest.param(
        "postgresql", "a long number", marks=pytest.mark.postgres, id="postgresql-a long number"
    )
]


@pytest.mark.parametrize(("database_url", "case"), REFUSALS, indirect=["database_url"])
def test_hostile_file_is_refused_at_a_named_limit_and_the_next_file_loads(
    case: str, cli: Any, database_url: str, tmp_path: Path
) -> None:
    make, message = HOSTILE[case]
    hostile = tmp_path / "hostile.json"
    hostile.write_bytes(make())
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"releases": [GOOD]}))
    result = cli("ingest", str(hostile), str(good))
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if line.startswith(str(hostile))]
    assert message in line
    assert "Traceback" not in result.output
    assert stored(database_url) == (1, ["ok"])  # the hostile file left nothing behind


def test_limits_are_settings(cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"releases": [GOOD]}))
    monkeypatch.setenv("LOTWISE_INPUT_MAX_BYTES", str(1 << 20))
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"releases": [GOOD] * 10_000}))
    result = cli("ingest", str(big), str(path))
    assert result.exit_code == 1
    assert "larger than 1048576 bytes (limit LOTWISE_INPUT_MAX_BYTES)" in result.output
    monkeypatch.setenv("LOTWISE_JSON_MAX_DEPTH", "3")
    assert "(limit LOTWISE_JSON_MAX_DEPTH)" in cli("ingest", str(path)).output


def test_a_missing_file_says_no_such_file(cli: Any, tmp_path: Path) -> None:
    result = cli("ingest", str(tmp_path / "absent.json"))
    assert result.exit_code == 1
    assert f"{tmp_path / 'absent.json'}: no such file" in result.output
    assert "Errno" not in result.output and "compressed" not in result.output


def test_http_bodies_and_uploads_are_parsed_under_the_same_limits() -> None:
    with pytest.raises(InvalidJSON, match=r"nested deeper than 100 levels"):
        parse_json_lenient(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(InvalidJSON, match=r"LOTWISE_JSON_MAX_STRING"):
        parse_json_lenient('{"a": "' + "x" * 70_000 + '"}', JsonLimits(max_string=1 << 16))
    assert parse_json_lenient(b'{"a": [[[1]]], "b": "\\"[[[[["}') == {
        "a": [[[1]]],
        "b": '"[[[[[',
    }


@pytest.mark.parametrize("chunk", [1, 7, 1 << 16])
def test_the_guard_reads_strings_brackets_and_escapes_across_chunk_boundaries(chunk: int) -> None:
    # brackets and quotes inside strings (escaped quotes, escaped backslashes) do not count
    text = json.dumps({"a": ['x"[[[[\\', "]]]]" * 50, {"b": [[[[1, 2.5e10]]]]}]}).encode()
    limits = JsonLimits(max_depth=7, max_string=1 << 16, max_token=16)  # exactly what it has
    guard = JsonGuard(limits)
    for start in range(0, len(text), chunk):
        guard.feed(text[start : start + chunk])
    with pytest.raises(InputLimitError, match="nested deeper than 6 levels"):
        JsonGuard(JsonLimits(max_depth=6)).feed(text)
    with pytest.raises(InputLimitError, match="longer than 12 characters"):
        check_json_bytes(text, JsonLimits(max_token=12))


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(value=_json, chunk=st.integers(1, 40), ascii_only=st.booleans())
def test_the_guard_measures_depth_exactly_however_the_text_is_cut(
    value: Any, chunk: int, ascii_only: bool
) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only).encode()
    depth = _depth(value)
    fits = JsonGuard(JsonLimits(max_depth=max(2, depth), max_token=400))
    for start in range(0, len(text), chunk):
        fits.feed(text[start : start + chunk])
    if depth > 2:
        too_deep = JsonGuard(JsonLimits(max_depth=depth - 1, max_token=400))
        with pytest.raises(InputLimitError, match="JSON_MAX_DEPTH"):
            for start in range(0, len(text), chunk):
                too_deep.feed(text[start : start + chunk])


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_draft_is_one_line_and_exit_2_in_split_check(case: str, tmp_path: Path) -> None:
    """The same corpus through `split check`, which reads drafts without a database: each is
    one line naming the file and the limit (a draft over 20 MB once expanded is no draft)."""
    make, message = HOSTILE[case]
    hostile = tmp_path / "draft.json"
    hostile.write_bytes(make())
    result = runner.invoke(app, ["split", "check", str(hostile)])
    assert result.exit_code == 2, result.output
    [line] = [line for line in result.output.splitlines() if line.strip()]
    assert line.startswith(f"Cannot check: {hostile}: ")
    expected = "larger than 20 MB uncompressed" if case == "a gzip bomb" else message
    assert expected in line


def test_the_hostile_corpus_through_orgs_import_is_one_line_each_and_stores_nothing(
    cli: Any, database_url: str, tmp_path: Path
) -> None:
    """Every case in one test (one database each): the file's one line naming the limit, exit
    1, no organisation stored; then a good file imports. A gzip is no organisations file: it
    is refused as text that is not UTF-8."""
    hostile = tmp_path / "orgs.json"
    for case, (make, message) in HOSTILE.items():
        hostile.write_bytes(make())
        result = cli("orgs", "import", str(hostile))
        assert result.exit_code == 1, (case, result.output)
        [line] = [line for line in result.output.splitlines() if line.strip()]
        assert line.startswith(f"{hostile}: "), (case, line)
        assert ("not UTF-8 text" if case == "a gzip bomb" else message) in line, (case, line)
        assert "Traceback" not in result.output
    deep_toml = tmp_path / "orgs.toml"
    deep_toml.write_text("a = " + "[" * 20_000 + "]" * 20_000)
    result = cli("orgs", "import", str(deep_toml))
    assert result.exit_code == 1
    assert result.output.strip() == f"{deep_toml}: not valid TOML: nested too deeply"
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Organisation)).scalar() == 0
    finally:
        engine.dispose()
    good = tmp_path / "good.json"
    org = {"id": "good-org", "name": "Good", "emails": ["a@example.org"], "keywords": ["audit"]}
    good.write_text(json.dumps({"organisations": [org]}))
    assert cli("orgs", "import", str(good)).exit_code == 0
