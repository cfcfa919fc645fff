"""Cases 1 and 2 of issue 19: hostile JSON is refused at a named limit, quickly and in bounded
memory, as that file's one-line error; the other files of the command load. Each input is
generated here in a line or two (never stored)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.ingest.limits import InputLimitError, JsonGuard, JsonLimits, check_json_bytes
from scanner.ingest.repair import InvalidJSON, parse_json_lenient
from scanner.models import CrawlRun, Tender

runner = CliRunner()
GOOD = {"ocid": "ocds-g-1", "id": "g1", "date": "2026-10-01T09:00:00Z", "tag": ["tender"],
        "tender": {"id": "1", "title": "Audit", "status": "active"}}  # fmt: skip


def package_with(value: bytes) -> bytes:
    return b'{"releases": [' + json.dumps(GOOD).encode() + b", " + value + b"]}"


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "deep nesting": (lambda: b"[" * 20_000 + b"]" * 20_000, "LOTWISE_JSON_MAX_DEPTH"),
    "deep objects in a package": (
        lambda: package_with(b'{"a":' * 5_000 + b"1" + b"}" * 5_000),
        "nested deeper than 100 levels",
    ),
    "a long string": (
        lambda: package_with(b'{"ocid": "' + b"a" * (5 << 20) + b'"}'),
        "a string longer than 4194304 bytes (limit LOTWISE_JSON_MAX_STRING)",
    ),
    "a long string of escapes": (
        lambda: package_with(b'{"ocid": "' + b"\\\\" * (3 << 20) + b'"}'),
        "LOTWISE_JSON_MAX_STRING",
    ),
    "a long number": (lambda: package_with(b"1" * 100_000), "LOTWISE_JSON_MAX_TOKEN"),
    "a gzip bomb": (
        lambda: gzip.compress(b"[" + b" " * (80 << 20) + b"]", 9),
        "expands more than 200 times when decompressed (limit LOTWISE_INPUT_MAX_RATIO)",
    ),
}


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
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


@pytest.mark.parametrize("case", list(HOSTILE))
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
