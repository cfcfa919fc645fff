"""Build the stop-word lists Lotwise ships, one per language, from their public sources.

    python scripts/convert_stopwords.py SNOWBALL_WEBSITE_GIT SPACY_GIT

`SNOWBALL_WEBSITE_GIT` is a git directory of github.com/snowballstem/snowball-website (the
Snowball project's own stop lists, `algorithms/<language>/stop.txt`, BSD-3-Clause), used for
the 14 languages it covers; `SPACY_GIT` one of github.com/explosion/spaCy
(`spacy/lang/<code>/stop_words.py`, MIT) for the other languages Lotwise reads. Both are read
at their HEAD commit, which is written into the output.

The spaCy lists come partly from stopwords-iso and hold some content words (Czech "design",
Slovenian "datum"); a word of 5 letters or more that appears in the language's CPV labels
names something bought, so it is dropped from those lists (the Snowball lists are function
words only and are kept whole). Output: `scanner/reference/data/stopwords.json`,
`{"source": ..., "languages": {code: {"source": ..., "words": [...]}}}`, sorted, so the
conversion is repeatable. Provenance: docs/reference-data.md.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
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


def label_words(language: str) -> set[str]:
    vocabulary = cpv_vocabulary()
    found: set[str] = set()
    for code in vocabulary.codes():
        label = (
            vocabulary.labels[code][vocabulary.languages.index(language)]
            if (language in vocabulary.languages)
            else ""
        )
        found.update("".join(c if c.isalnum() else " " for c in fold(label)).split())
    return found


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
    for code in SPACY:
        path = f"spacy/lang/{code}/stop_words.py"
        words = {w.casefold() for w in spacy_words(_git(spacy_git, "show", f"HEAD:{path}"))}
        content = label_words(code)
        kept = {w for w in words if len(w) < CONTENT_WORD_LENGTH or fold(w) not in content}
        languages[code] = {
            "source": f"explosion/spaCy {path} @ {spacy_commit} (MIT); "
            f"{len(words) - len(kept)} content words found in CPV labels dropped",
            "words": sorted(kept),
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
