"""Case 9 of issue 19: clear one-line messages, and input from stdin and pipes.

Invalid UTF-8 is named in words (not the lexer's bytes); UTF-16 with a byte order mark is read
from files as it is from HTTP; `-` reads stdin and a pipe (a FIFO) is read although the file
is opened more than once; a long error stays one line when stderr is not a terminal."""

from __future__ import annotations

import codecs
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.models import Tender

runner = CliRunner()


def release(n: int, title: str = "Audit") -> dict[str, Any]:
    return {"ocid": f"ocds-m-{n}", "id": f"m{n}", "date": "2026-10-01T09:00:00Z",
            "tag": ["tender"], "tender": {"id": str(n), "title": f"{title} {n}"}}  # fmt: skip


def package(*numbers: int) -> bytes:
    releases = [release(n, "Prüfung") for n in numbers]
    return json.dumps({"releases": releases}, ensure_ascii=False).encode()


@pytest.fixture
def cli(database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Any:
    """In process, on a database migrated from the test process's template (`engine`): the
    CLI's own migration of an empty database is tested by tests/cli, not again here."""
    monkeypatch.setenv("LOTWISE_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "80")

    def invoke(*args: str, stdin: bytes | None = None) -> Any:
        return runner.invoke(app, list(args), input=stdin, catch_exceptions=False)

    return invoke


def titles(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(Tender.title).order_by(Tender.title)).scalars())
    finally:
        engine.dispose()


def test_stdin_dash_is_read(cli: Any, database_url: str) -> None:
    result = cli("ingest", "-", stdin=package(1, 2))
    assert result.exit_code == 0, result.output
    assert titles(database_url) == ["Prüfung 1", "Prüfung 2"]


def test_a_pipe_is_read_although_a_file_is_opened_several_times(
    cli: Any, database_url: str, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(package(3)))
    writer.start()
    result = cli("ingest", str(fifo))
    writer.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert titles(database_url) == ["Prüfung 3"]


@pytest.mark.parametrize("bom", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read_from_files(
    bom: str, cli: Any, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "u16.json"
    mark = codecs.BOM_UTF16_LE if bom.endswith("le") else codecs.BOM_UTF16_BE
    path.write_bytes(mark + package(4, 5).decode().encode(bom))
    result = cli("ingest", str(path))
    assert result.exit_code == 0, result.output
    assert titles(database_url) == ["Prüfung 4", "Prüfung 5"]


def test_invalid_utf8_is_one_line_in_words(cli: Any, database_url: str, tmp_path: Path) -> None:
    path = tmp_path / ("a-long-directory-name-" * 4) / "latin.json"
    path.parent.mkdir()
    path.write_bytes(package(6).replace("Prüfung".encode(), b"Pr\xfc\xfefung"))
    result = cli("ingest", str(path))
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if str(path) in line]
    assert line == (
        f"{path}: not valid UTF-8 text (save it as UTF-8, or as UTF-16 with a byte order "
        "mark) (after 0 items)"
    )  # one line though longer than COLUMNS=80
    assert "\\x" not in result.output and "right here" not in result.output
    assert titles(database_url) == []
