"""The shipped stop-word lists: spaCy's lists lose the content words CPV labels name (Romanian
"noroc", luck, as in games of chance) but keep the function words the labels also hold
(Romanian "pentru", "for"), told apart by their translations in the parallel labels."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from scanner.reference.cpv import cpv_vocabulary, fold
from scanner.reference.stopwords import DATA_FILE, stopwords

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "convert_stopwords.py"


@pytest.fixture(scope="module")
def converter() -> ModuleType:
    spec = importlib.util.spec_from_file_location("convert_stopwords", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def references(converter: ModuleType) -> Any:
    """The Snowball lists as shipped (kept whole by the converter) with their CPV labels."""
    shipped = json.loads(DATA_FILE.read_text(encoding="utf-8"))["languages"]
    found = {}
    for code in converter.SNOWBALL:
        if code in cpv_vocabulary().languages:
            labels = converter.label_words(code)
            stops = frozenset(fold(w) for w in shipped[code]["words"])
            found[code] = (labels, converter.label_index(labels), stops)
    return found


def test_function_words_found_in_cpv_labels_are_shipped() -> None:
    assert {"pentru", "împotriva"} <= stopwords("ro")  # "for", "against"
    assert "alebo" in stopwords("sk")  # "or"
    assert "χωρίσ" in stopwords("el")  # "without"


def test_content_words_found_in_cpv_labels_are_not() -> None:
    assert not {"noroc", "peste"} & stopwords("ro")  # luck, fish ("pește" folded)
    assert not {"lahka", "datum", "veliki"} & stopwords("sl")  # light, date, large
    assert "kelių" not in stopwords("lt")  # of roads (also "of several")


def test_a_words_translation_is_read_off_the_parallel_labels(
    converter: ModuleType, references: Any
) -> None:
    index = converter.label_index(converter.label_words("ro"))
    english, english_index, _ = references["en"]
    assert converter.translation(index["pentru"], english, english_index) == "for"
    assert converter.translation(index["noroc"], english, english_index) == "gambling"


def test_function_share_tells_function_words_from_trade_words(
    converter: ModuleType, references: Any
) -> None:
    romanian = converter.label_index(converter.label_words("ro"))
    slovak = converter.label_index(converter.label_words("sk"))
    assert converter.function_share("pentru", romanian, references) >= converter.FUNCTION_SHARE
    assert converter.function_share("alebo", slovak, references) >= converter.FUNCTION_SHARE
    assert converter.function_share("noroc", romanian, references) < converter.FUNCTION_SHARE
    assert converter.function_share("peste", romanian, references) == 0


def test_function_words_a_spacy_list_lacks_are_added(converter: ModuleType) -> None:
    from matchers.analysis import terms

    # Slovenian "ter" ("and") is in no spaCy list; it was quoted as evidence of a match
    assert "ter" in converter.ADDED["sl"] and "ter" in stopwords("sl")
    shipped = json.loads(DATA_FILE.read_text(encoding="utf-8"))["languages"]["sl"]
    assert "1 function words added (ter)" in shipped["source"]
    assert terms("natečajih ter projektiramo", "sl") == ["nateč", "proje"]
    assert "ter" not in stopwords("pt")  # added to Slovenian only
