"""Build the stop-word lists Lotwise ships, one per language, from their public sources.

    python scripts/convert_stopwords.py SNOWBALL_WEBSITE_GIT SPACY_GIT [UD_TREEBANK_GIT ...]

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
to it (`ADDED`: Slovenian "ter", "and").

Each `UD_TREEBANK_GIT` is a git directory of a Universal Dependencies treebank
(github.com/UniversalDependencies/UD_<Language>-<Name>, read at HEAD from a directory
`owner+name/repo`), whose words are tagged by hand with their part of speech: the words tagged
with a closed class in at least 90% of their occurrences are added to that language's list
(never taking a word away), unless they begin many CPV labels (`names_something`). A treebank
whose README gives a non-commercial licence is skipped.

Output: `scanner/reference/data/stopwords.json`,
`{"source": ..., "languages": {code: {"source": ..., "words": [...]}}}`, sorted, so the
conversion is repeatable. Provenance: docs/reference-data.md.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
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
# Universal Dependencies: the parts of speech of function words (closed classes; not NUM, whose
# words name quantities, nor ADV, which holds "online", "abroad", "together" beside "also").
UD_CLOSED = frozenset({"ADP", "AUX", "CCONJ", "DET", "PART", "PRON", "SCONJ"})
# A treebank word is a function word when at least this share of its occurrences are tagged
# with a closed class, and it occurs at least `UD_MIN_COUNT` times.
UD_SHARE = 0.9
UD_MIN_COUNT = 3
# A treebank's released files (not its `not-to-release/` working files); the prefix is the
# language, read with the code of its list ("no" is Norwegian Bokmål's treebank).
UD_FILE = re.compile(r"([a-z]{2,3})_[a-z0-9]+-ud-(?:train|dev|test)\.conllu")
UD_LANGUAGE = {"no": "nb"}
# A word as text analysis reads it (`scanner.reference.stopwords`): a treebank word written with
# a hyphen ("celle-ci", "-t-il") is several words there, and is not added (its pieces "ci", "t"
# are not function words by themselves); one with an apostrophe ("l'", "quell'") is read as its
# pieces.
_WORD = re.compile(r"[^\W_]+")
# A treebank word found in CPV labels may name something bought when it begins at least this
# share of them: function words begin almost none ("Other ..." labels aside: Finnish "muut" 28%,
# Latvian "citi" 29%), trade words many (English "air" 48%, "time" 45%, "mine" 83%).
HEAD_SHARE = 0.4
# Per CPV language: its label words' index and how many labels each word begins.
Labels = dict[str, tuple[dict[str, set[int]], Counter[str]]]


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


def ud_counts(conllu: str, counts: Counter[str], closed: Counter[str]) -> None:
    """Add the occurrences of each word of a CoNLL-U text (lower-cased FORM, as written: a
    contraction such as Portuguese "do", de + o, is one word, closed when all its parts are)
    to `counts`, and those tagged with a closed class to `closed`."""
    span_end, span_form, span_closed = 0, "", True
    for line in conllu.splitlines():
        fields = line.split("\t")
        if len(fields) != 10 or line.startswith("#") or "." in fields[0]:
            continue
        if "-" in fields[0]:
            span_end, span_form, span_closed = int(fields[0].split("-")[1]), fields[1], True
            continue
        is_closed = fields[3] in UD_CLOSED
        if int(fields[0]) <= span_end:
            span_closed = span_closed and is_closed
            if int(fields[0]) < span_end:
                continue
            form, is_closed, span_end = span_form, span_closed, 0
        else:
            form = fields[1]
        word = form.casefold()
        counts[word] += 1
        if is_closed:
            closed[word] += 1


def ud_function_words(counts: Counter[str], closed: Counter[str]) -> set[str]:
    """The words tagged with a closed class in at least `UD_SHARE` of their occurrences, seen
    at least `UD_MIN_COUNT` times, that text analysis reads as one word or as the pieces of an
    elision."""
    return {
        w
        for w, n in counts.items()
        if n >= UD_MIN_COUNT
        and closed[w] >= UD_SHARE * n
        and (len(_WORD.findall(w)) == 1 or "'" in w or "’" in w)
    }


def ud_licence(git_dir: Path) -> str:
    """The `License:` line of a treebank's README."""
    for name in ("README.md", "README.txt"):
        try:
            readme = _git(git_dir, "show", f"HEAD:{name}")
        except subprocess.CalledProcessError:
            continue
        for line in readme.splitlines():
            if line.lower().startswith("license:"):
                return line.split(":", 1)[1].strip()
    raise ValueError(f"{git_dir}: no License line in its README")


def ud_treebank(git_dir: Path) -> tuple[str, str, set[str]]:
    """A treebank's language (the code of its list), a description of what was read (repository,
    files, commit, licence) and its function words. Files the snapshot lacks are skipped and
    not named."""
    commit = _git(git_dir, "rev-parse", "HEAD").strip()
    counts: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    languages, read = set(), []
    for name in _git(git_dir, "ls-tree", "--name-only", "HEAD").split():
        match = UD_FILE.fullmatch(name)
        if not match:
            continue
        try:
            text = _git(git_dir, "show", f"HEAD:{name}")
        except subprocess.CalledProcessError:
            continue
        languages.add(UD_LANGUAGE.get(match[1], match[1]))
        read.append(name)
        ud_counts(text, counts, closed)
    if len(languages) != 1:
        raise ValueError(f"{git_dir}: treebank files of {sorted(languages) or 'no'} language")
    repository = git_dir.resolve().parent.name.replace("+", "/")
    return (
        languages.pop(),
        f"{repository} {', '.join(sorted(read))} @ {commit} ({ud_licence(git_dir)}; "
        f"{sum(counts.values())} words)",
        ud_function_words(counts, closed),
    )


def label_heads(language: str) -> Counter[str]:
    """How many CPV labels of `language` each (folded) word begins: a label names a thing, and
    in every language a label's first word is its head or a word of it ("Cans", "Mine
    detectors"), never a word such as "and" or "of"."""
    vocabulary = cpv_vocabulary()
    heads: Counter[str] = Counter()
    if language in vocabulary.languages:
        column = vocabulary.languages.index(language)
        for code in vocabulary.codes():
            label = fold(vocabulary.labels[code][column])
            words = "".join(c if c.isalnum() else " " for c in label).split()
            heads.update(words[:1])
    return heads


def names_something(word: str, index: dict[str, set[int]], heads: Counter[str]) -> bool:
    """A word found in a language's CPV labels (`index`) that begins (`heads`) at least
    `HEAD_SHARE` of the labels holding it, so may name something bought (English "can", "mine";
    Finnish "voi", butter; Swedish "ur", watch). A treebank word is asked of its own language's
    labels and of English ones: a text whose language is not known is read with every list, and
    Croatian "time" (with it), French "car" (because), Irish "air" (on) are English trade words
    there. (Not of every language's: German "Samt", velvet, would take "samt", and also, from
    Swedish, Danish and Norwegian.) The translation rule for spaCy's lists is not used here: a
    function word is in too few labels to be translated ("within", in one) or aligns with
    whatever it is often beside ("genom", through; Romanian "privind", regarding, in 65 labels),
    so that rule would leave out mostly prepositions and conjunctions."""
    folded = fold(word)
    return folded in index and heads[folded] >= HEAD_SHARE * len(index[folded])


def convert(
    snowball_git: Path, spacy_git: Path, target: Path, ud_gits: Sequence[Path] = ()
) -> dict[str, int]:
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
    labels: Labels = {
        code: (label_index(label_words(code)), label_heads(code))
        for code in cpv_vocabulary().languages
    }
    for git_dir in ud_gits:
        licence = ud_licence(git_dir)
        if "NC" in licence.split("-"):
            print(f"skipped {git_dir}: {licence} does not allow commercial use", file=sys.stderr)
            continue
        code, read, found = ud_treebank(git_dir)
        if code not in languages:
            print(f"skipped {git_dir}: no list for {code!r} to supplement", file=sys.stderr)
            continue
        entry = languages[code]
        listed = set(entry["words"])  # type: ignore[arg-type]
        new = {
            w
            for w in found - listed
            if not any(names_something(w, *labels[c]) for c in {code, "en"} & labels.keys())
        }
        for word in sorted(found - listed - new):
            print(
                f"{code}: left out {word!r}, found in CPV labels as a content word", file=sys.stderr
            )
        dropped = len(found - listed) - len(new)
        entry["words"] = sorted(listed | new)
        entry["source"] = (
            f"{entry['source']}; with {len(new)} function words of Universal Dependencies "
            f"{read}, {dropped} found in CPV labels as content words left out"
        )
    payload = {
        "source": "Stop words per language for Lotwise's text analysis "
        "(scripts/convert_stopwords.py; docs/reference-data.md)",
        "languages": dict(sorted(languages.items())),
    }
    target.write_text(json.dumps(payload, ensure_ascii=False, indent=0, sort_keys=False) + "\n")
    return {code: len(entry["words"]) for code, entry in languages.items()}  # type: ignore[arg-type]


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    counts = convert(Path(sys.argv[1]), Path(sys.argv[2]), TARGET, [Path(a) for a in sys.argv[3:]])
    print(f"{len(counts)} languages written to {TARGET}: {counts}")
