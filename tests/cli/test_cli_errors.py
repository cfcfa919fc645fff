"""Configuration and database failures end in one clear line and a non-zero exit, no trace.

Through `main()`, the entry point of the `lotwise` script and of `python -m scanner.cli.main`,
in this process: its exit code is the process's. A `lotwise` process costs seconds of imports;
the entry point as a real process is run by the README's demo test (tests/cli) and the
scheduler and digest process tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from scanner.cli.main import main


class Lotwise:
    """`lotwise ARGS` through `main()`, with environment variables set for the call."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
        self.monkeypatch, self.capsys = monkeypatch, capsys

    def __call__(self, *args: str, **env: str) -> tuple[int, str, str]:
        """(exit code, stdout, stderr)"""
        with self.monkeypatch.context() as patch:
            patch.setenv("COLUMNS", "200")
            for name, value in env.items():
                patch.setenv(name, value)
            patch.setattr(sys, "argv", ["lotwise", *args])
            self.capsys.readouterr()
            with pytest.raises(SystemExit) as ended:
                main()
        said = self.capsys.readouterr()
        code = ended.value.code
        return (code if isinstance(code, int) else 1 if code else 0), said.out, said.err


@pytest.fixture
def lotwise(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Lotwise:
    return Lotwise(monkeypatch, capsys)


def test_invalid_setting_names_the_variable(lotwise: Lotwise) -> None:
    code, _out, err = lotwise("runs", LOTWISE_HTTP_RETRIES="abc")
    assert code == 2
    assert "LOTWISE_HTTP_RETRIES" in err and "Traceback" not in err


def test_unreachable_database_is_one_line(lotwise: Lotwise) -> None:
    code, _out, err = lotwise(
        "runs", LOTWISE_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:9/x"
    )
    assert code == 1
    assert "Database unavailable" in err and "Traceback" not in err


def test_invalid_sources_file_names_source_and_field(lotwise: Lotwise, tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text('[sources.broken]\nurl = "http://x"\npaging = "sideways"\n')
    code, _out, err = lotwise(
        "sources",
        LOTWISE_SOURCES_FILE=str(sources),
        LOTWISE_DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite",
    )
    assert code == 2
    assert "broken" in err and "paging" in err


def test_help_needs_no_database(lotwise: Lotwise) -> None:
    code, out, _err = lotwise(
        "--help", LOTWISE_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:9/x"
    )
    assert code == 0
    for command in ("crawl", "ingest", "tenders", "sources", "runs", "errors", "demo", "init"):
        assert command in out
