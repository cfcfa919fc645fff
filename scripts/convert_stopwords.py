"""Build the stop-word lists Lotwise ships, one per language, from their public sources.

    python scripts/convert_stopwords.py SNOWBALL_WEBSITE_GIT SPACY_GIT

`SNOWBALL_WEBSITE_GIT` is a git directory of github.com/snowballstem/snowball-website (the
Snowball project's own stop lists, `algorithms/<language>/stop.txt`, BSD-3-Clause), used for
the 14 languages it covers; `SPACY_GIT` one of github.com/explosion/spaCy
(`spacy/lang/<code>/stop_words.py`, MIT) for the other languages Lotwise reads. Both are read
at their HEAD commit, which is written into the output.

The spaCy lists come partly from stopwords-iso and hold some content words (Czech "design",
Slovenian "datum", Romanian "noroc"); a word of 5 letters or more that appears in the
language's CPV labels may name something bought, so it is dropped from those lists unless the
labels show it is a function word (the Snowball lists are function words only and are kept
whole). The labels are one text in 24 languages, so a word's translation can be read off them:
for each language with a Snowball list, the word of that language whose labels best match the
word's labels (Dice coefficient); when at least half of these translations are Snowball stop
words, the word is a function word and kept (Romanian "pentru" is "for", "für", "pour", "per"...,
Slovak "alebo" is "or", "oder", "ou"...; Slovenian "lahka" is "light", "leicht", "léger"...,
Romanian "peste", folded from "pește", is "fish"). A function word a spaCy list lacks is added
to it (`ADDED`: Slovenian "ter", "and"). Output: `scanner/reference/data/stopwords.json`,
`{"source": ..., "languages": {code: {"source": ..., "words": [...]}}}`, sorted, so the
conversion is repeatable. Provenance: docs/reference-data.md.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scanner.reference.cpv import cpv_vocabulary, fold  # noqa: E402

TARGET = ROOT / "scanner" / "reference" / "data" / "stopwords.json"
SNOWBALL = {
    "da": "danish", "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french",
    "de": "german", "hu": "hungarian", "ga": "irish", "it": "italian", "nb": "norwegian",
    "pt": "portuguese", "ru": "russian", "es": "spanish", "sv": "swedish",
}  # fmt: skip
SPACY = ("bg", "cs", "el", "et", "hr", "lt", "lv", "pl", "ro", "sk", "sl", "uk")
CONTENT_WORD_LENGTH = 5
# Function words a spaCy list lacks, added to it: Slovenian "ter" ("and", "as well as"), one of
# its commonest conjunctions, was quoted as evidence of a match (README of
# benchmarks/real_match, "The Slovenian group").
ADDED = {"sl": ("ter",)}
# A label word is a function word when at least this share of its translations are stop words.
FUNCTION_SHARE = 0.5
# Per reference language (a Snowball one): its label words, their index, its folded stop words.
References = dict[str, tuple[list[set[str]], dict[str, set[int]], frozenset[str]]]


def _git(git_dir: Path, *args: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True, text=True
    ).stdout


def snowball_words(text: str) -> list[str]:
    """Words of a Snowball stop list: the first word of each line, '|' starts a comment."""
    words = []
    for line in text.splitlines():
        content = line.split("|", 1)[0].strip()
        if content:
            words.append(content.split()[0])
    return words


def spacy_words(source: str) -> list[str]:
    """The strings of a spaCy `stop_words.py` (a set literal or a split triple-quoted string)."""
    words: list[str] = []
    for statement in ast.parse(source).body:
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        if not any(isinstance(t, ast.Name) and t.id == "STOP_WORDS" for t in targets):
            continue
        for node in ast.walk(statement.value):  # type: ignore[union-attr]
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words.extend(node.value.split())
    return words


def label_words(language: str) -> list[set[str]]:
    """The folded words of each CPV label in `language`, in code order (empty sets for a
    language CPV is not written in)."""
    vocabulary = cpv_vocabulary()
    if language not in vocabulary.languages:
        return [set() for _ in vocabulary.codes()]
    column = vocabulary.languages.index(language)
    return [
        set(
            "".join(
                c if c.isalnum() else " " for c in fold(vocabulary.labels[code][column])
            ).split()
        )
        for code in vocabulary.codes()
    ]


def label_index(labels: list[set[str]]) -> dict[str, set[int]]:
    """Each word of `labels` with the numbers of the labels holding it."""
    found: dict[str, set[int]] = {}
    for number, words in enumerate(labels):
        for word in words:
            found.setdefault(word, set()).add(number)
    return found


def translation(word_labels: set[int], labels: list[set[str]], index: dict[str, set[int]]) -> str:
    """The word of another language whose labels best match `word_labels` (the numbers of the
    labels holding a word): highest Dice coefficient, ties to the alphabetically last."""
    shared: Counter[str] = Counter()
    for number in word_labels:
        shared.update(labels[number])
    return max(shared, key=lambda w: (2 * shared[w] / (len(word_labels) + len(index[w])), w))


def function_share(word: str, index: dict[str, set[int]], references: References) -> float:
    """Share of the reference languages in which the translation of `word` (folded, found in
    `index` of its own language's labels) is a stop word."""
    found = index[word]
    hits = [
        translation(found, labels, label_index) in stops
        for labels, label_index, stops in references.values()
    ]
    return sum(hits) / len(hits)


def convert(snowball_git: Path, spacy_git: Path, target: Path) -> dict[str, int]:
    snowball_commit = _git(snowball_git, "rev-parse", "HEAD").strip()
    spacy_commit = _git(spacy_git, "rev-parse", "HEAD").strip()
    languages: dict[str, dict[str, object]] = {}
    for code, name in SNOWBALL.items():
        path = f"algorithms/{name}/stop.txt"
        words = snowball_words(_git(snowball_git, "show", f"HEAD:{path}"))
        languages[code] = {
            "source": f"snowballstem/snowball-website {path} @ {snowball_commit} (BSD-3-Clause)",
            "words": sorted({w.casefold() for w in words}),
        }
    references = {
        code: (labels, label_index(labels), frozenset(fold(w) for w in entry["words"]))  # type: ignore[attr-defined]
        for code, entry in languages.items()
        if code in cpv_vocabulary().languages
        for labels in [label_words(code)]
    }
    for code in SPACY:
        path = f"spacy/lang/{code}/stop_words.py"
        listed = {w.casefold() for w in spacy_words(_git(spacy_git, "show", f"HEAD:{path}"))}
        index = label_index(label_words(code))
        in_labels = {w for w in listed if len(w) >= CONTENT_WORD_LENGTH and fold(w) in index}
        function = {
            w for w in in_labels if function_share(fold(w), index, references) >= FUNCTION_SHARE
        }
        kept = listed - in_labels | function
        added = set(ADDED.get(code, ())) - listed
        languages[code] = {
            "source": f"explosion/spaCy {path} @ {spacy_commit} (MIT); "
            f"{len(listed) - len(kept)} content words found in CPV labels dropped, "
            f"{len(function)} found there kept as function words by their translations"
            + (
                f"; {len(added)} function words added ({', '.join(sorted(added))})" if added else ""
            ),
            "words": sorted(kept | added),
        }
    payload = {
        "source": "Stop words per language for Lotwise's text analysis "
        "(scripts/convert_stopwords.py; docs/reference-data.md)",
        "languages": dict(sorted(languages.items())),
    }
    target.write_text(json.dumps(payload, ensure_ascii=False, indent=0, sort_keys=False) + "\n")
    return {code: len(entry["words"]) for code, entry in languages.items()}  # type: ignore[arg-type]


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    counts = convert(Path(sys.argv[1]), Path(sys.argv[2]), TARGET)
    print(f"{len(counts)} languages written to {TARGET}: {counts}")
