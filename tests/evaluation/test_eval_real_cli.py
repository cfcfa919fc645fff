"""`lotwise eval --set real`, in-process: one line and exit 2 without the shared samples; the
three rankings per half and per target language with judged@k when they are there."""

from __future__ import annotations

import json
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scanner.cli.main import app
from scanner.evaluation.real_corpus import EVALUATION_NOW, RealCorpus
from scanner.services import evaluation_real
from scanner.services.evaluation_real import REAL_LABELS, REAL_PROFILES

# One Ukrainian profile, one English one, one cross-language: enough for every kind of group.
CHOSEN = ("ua-drova-stryi", "gb-glan-cleaning", "pl-medisan")


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("LOTWISE_DATABASE_URL", f"sqlite:///{tmp_path / 'unused.sqlite'}")
    monkeypatch.setenv("COLUMNS", "120")
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


def test_without_the_shared_samples_it_says_so_in_one_line(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOTWISE_SHARED_DIR", str(tmp_path / "no-shared-here"))
    result = cli("eval", "--set", "real")
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "LOTWISE_SHARED_DIR" in result.output and "no-shared-here" in result.output


def test_without_the_gathered_folder_its_profiles_are_not_measured_not_scored_zero() -> None:
    from scanner.evaluation.ranking import Label, LabelsError, LabelSet
    from scanner.services.evaluation_real import measurable_labels

    labels = LabelSet(
        {
            "it-coop": {
                "gathered-it/ted-xml/1.xml.gz#1": Label("gathered-it/ted-xml/1.xml.gz#1", 2)
            },
            "uk-org": {"prozorro/a.json#ua-1": Label("prozorro/a.json#ua-1", 2)},
        }
    )
    known = {"prozorro/a.json#ua-1"}
    kept, unmeasured = measurable_labels(labels, known, gathered=False)
    assert unmeasured == {"it-coop"}
    assert kept.profiles["it-coop"] == {} and kept.grades("uk-org") == {"prozorro/a.json#ua-1": 2}
    assert measurable_labels(labels, known, gathered=True) == (labels, frozenset())
    stranger = LabelSet({"uk-org": {"prozorro/gone.json#x": Label("prozorro/gone.json#x", 1)}})
    with pytest.raises(LabelsError, match=r"gone\.json"):  # only the gathered folder may be absent
        measurable_labels(stranger, known, gathered=False)


def test_real_set_reports_rankings_halves_languages_and_corpus(
    cli: Any,
    samples: Path,
    real_corpus: RealCorpus,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOTWISE_SHARED_DIR", str(samples.parent))
    asked: list[Path] = []

    def session_corpus(path: Path, *, now: datetime = EVALUATION_NOW) -> RealCorpus:
        """The corpus `load_real_corpus` gives for these arguments, loaded once per session
        (tests/evaluation/conftest.py; test_real_corpus.py tests the loading itself)."""
        asked.append(path)
        assert path == samples and now == EVALUATION_NOW
        return real_corpus

    monkeypatch.setattr(evaluation_real, "load_real_corpus", session_corpus)
    profiles = tomllib.loads(REAL_PROFILES.read_text(encoding="utf-8"))["organisation"]
    labels = tomllib.loads(REAL_LABELS.read_text(encoding="utf-8"))["profile"]
    (tmp_path / "profiles.json").write_text(
        json.dumps([p for p in profiles if p["id"] in CHOSEN]), encoding="utf-8"
    )
    (tmp_path / "labels.json").write_text(
        json.dumps({"version": 1, "profile": [p for p in labels if p["id"] in CHOSEN]}),
        encoding="utf-8",
    )
    options = ["--profiles", str(tmp_path / "profiles.json")]
    options += ["--labels", str(tmp_path / "labels.json")]
    result = cli("eval", "--set", "real", "--json", *options)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"matcher", "BM25", "keyword + code heuristic", "corpus"}
    for name in ("matcher", "BM25", "keyword + code heuristic"):
        report = data[name]
        assert report["profiles"] == 3
        assert set(report["halves"]) == {"tuning", "held-out", "all"}
        assert set(report["groups"]) == {"uk", "en", "cross-language"}
        everything = report["halves"]["all"]
        assert everything["precision"] == report["precision"]
        assert 0 <= everything["judged"]["10"] <= 1
    assert data["corpus"]["target_language"]["pl-medisan"] == "uk"
    assert data["corpus"]["profile_language"]["pl-medisan"] == "pl"
    assert data["corpus"]["source"]["Prozorro (OCDS)"] > 1000
    assert asked == [samples]  # the corpus of LOTWISE_SHARED_DIR's samples, read once
