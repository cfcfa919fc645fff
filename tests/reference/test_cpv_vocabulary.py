"""The shipped CPV 2008 vocabulary: every code, 24 languages, words for codes and codes for
words; the shipped file is what the converter makes of the shared reference."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from required import SHARED_DIR, require_shared

from scanner.reference import cpv_vocabulary
from scanner.reference.cpv import DATA_FILE, fold, pad_code, significant_prefix

EU_LANGUAGES = {"bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu",
                "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv"}  # fmt: skip


def test_every_code_has_labels_in_the_24_languages() -> None:
    vocabulary = cpv_vocabulary()
    assert len(vocabulary) == 9454
    assert set(vocabulary.languages) == EU_LANGUAGES
    assert vocabulary.label("72000000", "it") == (
        "Servizi informatici: consulenza, sviluppo di software, Internet e supporto"
    )
    assert vocabulary.label("03410000", "pl") == "Drewno"


def test_prefixes_and_unlisted_codes_are_named_by_their_nearest_listed_ancestor() -> None:
    vocabulary = cpv_vocabulary()
    assert vocabulary.describe("72").startswith("IT services") and vocabulary.describe(
        "72"
    ).endswith("(72)")
    assert vocabulary.nearest_known("72212199") == "72212190"
    assert vocabulary.ancestors("72212100") == ["72000000", "72200000", "72210000", "72212000"]
    assert vocabulary.describe("99999999") == "CPV 99999999 (not in CPV 2008)"
    assert vocabulary.label("99") is None


def test_unknown_language_falls_back_to_english() -> None:
    vocabulary = cpv_vocabulary()
    assert vocabulary.label("72000000", "uk") == vocabulary.label("72000000", "en")


def test_search_by_word_beginnings_in_the_readers_language() -> None:
    vocabulary = cpv_vocabulary()
    english = dict(vocabulary.search("soft dev"))
    assert "72230000" in english and english["72230000"] == "Custom software development services"
    italian = [code for code, _ in vocabulary.search("ricerca sviluppo", "it")]
    assert italian[0] == "73000000"
    assert vocabulary.search("") == []
    assert all(code.startswith("722") for code, _ in vocabulary.search("722 software"))


@pytest.mark.parametrize(
    ("code", "padded", "significant"),
    [("72", "72000000", "72"), ("7231", "72310000", "7231"), ("03000000", "03000000", "03")],
)
def test_code_digits(code: str, padded: str, significant: str) -> None:
    assert pad_code(code) == padded and significant_prefix(padded) == significant


def test_folding_ignores_case_and_accents() -> None:
    assert fold("Développement Ré") == "developpement re"


def test_shipped_file_is_the_converted_shared_reference(tmp_path: Path) -> None:
    source = require_shared(SHARED_DIR / "reference" / "cpv-2008.json.gz")
    import importlib.util

    script = Path(__file__).resolve().parents[2] / "scripts" / "convert_cpv_reference.py"
    spec = importlib.util.spec_from_file_location("convert_cpv_reference", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    target = tmp_path / "cpv.json.gz"
    assert module.convert(source, target) == 9454
    assert json.loads(gzip.decompress(target.read_bytes())) == json.loads(
        gzip.decompress(DATA_FILE.read_bytes())
    )
