"""The shipped stop-word lists: spaCy's lists lose the content words CPV labels name (Romanian
"noroc", luck, as in games of chance) but keep the function words the labels also hold
(Romanian "pentru", "for"), told apart by their translations in the parallel labels; the
function words of Universal Dependencies treebanks are added, except those that begin many CPV
labels (English "can", Finnish "voi", butter)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from scanner.reference.cpv import cpv_vocabulary, fold
from scanner.reference.stopwords import DATA_FILE, all_stopwords, stopwords

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "convert_stopwords.py"
TINY_TREEBANK = Path(__file__).parent / "fixtures" / "ud-tiny.conllu"


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


def test_function_words_of_the_treebanks_are_shipped() -> None:
    """The words real explanations quoted as evidence (issue 12)."""
    assert "samt" in stopwords("da") and "samt" in stopwords("sv")  # and also
    assert "genom" in stopwords("sv")  # through
    assert "toda" in stopwords("pt")  # all, every
    assert {"privind", "asupra"} <= stopwords("ro")  # regarding, on


def test_treebank_words_that_begin_cpv_labels_are_not() -> None:
    assert "mine" not in stopwords("en")  # a pronoun in the treebank; mines
    assert "voi" not in stopwords("fi")  # "can", and butter
    assert "ur" not in stopwords("sv")  # "out of", and watch
    # Read with every list when a text's language is not known: Irish "air" (on), Croatian
    # "time" (with it), French "car" (because) and Lithuanian "bus" (will be) are English there.
    assert not {"air", "time", "car", "bus"} & all_stopwords()


def test_the_converter_only_adds(converter: ModuleType) -> None:
    """Every list keeps the words of its Snowball or spaCy source: the treebanks only add."""
    shipped = json.loads(DATA_FILE.read_text(encoding="utf-8"))["languages"]
    assert "Universal Dependencies" in shipped["sv"]["source"]
    assert {"och", "att", "som"} <= set(shipped["sv"]["words"])  # Snowball's


def test_a_treebank_word_is_a_function_word_when_closed_class_nine_times_in_ten(
    converter: ModuleType,
) -> None:
    counts: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    converter.ud_counts(TINY_TREEBANK.read_text(encoding="utf-8"), counts, closed)
    assert counts["samt"] == closed["samt"] == 6  # "Samt" lower-cased
    assert (counts["under"], closed["under"]) == (10, 9)
    assert (counts["do"], closed["do"]) == (3, 3)  # a contraction of closed-class words
    assert (counts["num"], closed["num"]) == (1, 0)  # em + um (NUM)
    assert not {"de", "o", "em", "um", "ghost"} & set(counts)  # parts and empty nodes
    assert converter.ud_function_words(counts, closed) == {"samt", "under", "do"}


def test_a_treebank_is_read_at_its_head_with_its_licence(
    converter: ModuleType, tmp_path: Path
) -> None:
    repository = tmp_path / "UniversalDependencies+UD_Swedish-Tiny"
    work = repository / "work"
    work.mkdir(parents=True)
    (work / "README.md").write_text("# Summary\n\nLicense: CC BY-SA 4.0\n")
    (work / "sv_tiny-ud-test.conllu").write_text(TINY_TREEBANK.read_text(encoding="utf-8"))
    (work / "notes.conllu").write_text("1\tfoo\t_\tPRON\t_\t_\t0\t_\t_\t_\n" * 5)
    git = ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "tiny"], check=True)
    code, source, words = converter.ud_treebank(work / ".git")
    assert code == "sv"
    assert words == {"samt", "under", "do"}  # "notes.conllu" is not a released file
    assert "sv_tiny-ud-test.conllu" in source and "CC BY-SA 4.0" in source
    assert converter.ud_licence(work / ".git") == "CC BY-SA 4.0"


def test_a_word_beginning_many_cpv_labels_names_something(converter: ModuleType) -> None:
    english = converter.label_index(converter.label_words("en"))
    swedish = converter.label_index(converter.label_words("sv"))
    assert converter.names_something("can", english, converter.label_heads("en"))
    assert converter.names_something("ur", swedish, converter.label_heads("sv"))  # watch
    assert not converter.names_something("samt", swedish, converter.label_heads("sv"))
    assert not converter.names_something("genom", swedish, converter.label_heads("sv"))
