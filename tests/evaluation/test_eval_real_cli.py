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

# One Ukrainian profile, one English one, one cross-language: enough for every kind of group;
# and one that wants gathered French notices (measured only when `gathered-fr/` is present).
CHOSEN = ("ua-drova-stryi", "gb-glan-cleaning", "pl-medisan", "be-brightside-digital")


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


def test_without_a_gathered_folder_its_profiles_are_not_measured_not_scored_zero() -> None:
    from scanner.evaluation.ranking import Label, LabelsError, LabelSet
    from scanner.services.evaluation_real import measurable_labels

    italian, french = "gathered-it/ted-xml/1.xml.gz#1", "gathered-fr/ted-xml/2.xml.gz#2"
    ukrainian = "prozorro/a.json#ua-1"
    labels = LabelSet(
        {
            "it-coop": {italian: Label(italian, 2)},
            "fr-coop": {french: Label(french, 2), ukrainian: Label(ukrainian, 0)},
            "be-agency": {french: Label(french, 1), ukrainian: Label(ukrainian, 2)},
            "uk-org": {ukrainian: Label(ukrainian, 2)},
        }
    )
    known = {ukrainian, italian}  # gathered-it/ present, gathered-fr/ absent
    kept, unmeasured = measurable_labels(labels, known, ("gathered-fr",))
    assert unmeasured == {"fr-coop"}  # be-agency: half its wanted notices are elsewhere
    assert kept.profiles["fr-coop"] == {ukrainian: Label(ukrainian, 0)}
    assert kept.grades("be-agency") == {ukrainian: 2} and kept.grades("it-coop") == {italian: 2}
    both = measurable_labels(labels, {ukrainian}, ("gathered-it", "gathered-fr"))[1]
    assert both == {"it-coop", "fr-coop"}
    assert measurable_labels(labels, known | {french}, ()) == (labels, frozenset())
    stranger = LabelSet({"uk-org": {"prozorro/gone.json#x": Label("prozorro/gone.json#x", 1)}})
    with pytest.raises(LabelsError, match=r"gone\.json"):  # only gathered folders may be absent
        measurable_labels(stranger, known, ("gathered-fr",))
    italian_absent = LabelSet({"it-coop": {italian: Label(italian, 2)}})
    with pytest.raises(LabelsError, match=r"gathered-it"):  # a present folder's key must exist
        measurable_labels(italian_absent, {ukrainian}, ("gathered-fr",))


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
    french = (samples / "gathered-fr").is_dir()  # else be-brightside-digital is not measured
    for name in ("matcher", "BM25", "keyword + code heuristic"):
        report = data[name]
        assert report["profiles"] == 3 + french
        assert set(report["halves"]) == {"tuning", "held-out", "all"}
        assert set(report["groups"]) == {"uk", "en", "cross-language"} | (
            {"fr"} if french else set()
        )
        everything = report["halves"]["all"]
        assert everything["precision"] == report["precision"]  # no unmeasured profile in either
        assert 0 <= everything["judged"]["10"] <= 1
    assert data["corpus"]["target_language"]["pl-medisan"] == "uk"
    assert data["corpus"]["profile_language"]["pl-medisan"] == "pl"
    assert data["corpus"]["source"]["Prozorro (OCDS)"] > 1000
    assert asked == [samples]  # the corpus of LOTWISE_SHARED_DIR's samples, read once
