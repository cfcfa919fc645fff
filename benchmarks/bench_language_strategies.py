"""How to read languages, measured on real notices: the language detector's two modes, and the
analysis of Ukrainian, which has no Snowball stemmer.

1. Detection (lingua-language-detector, limited to `matchers.detect.LANGUAGES`): build time,
   resident memory, notices per second, and how many notices are read in their known language:
   the Prozorro sample (Ukrainian, ../shared/samples/prozorro) and the multi-lot eForms
   notices, whose language is in their file name (FIN, POL, FRA...). Each mode runs in its own
   process so its memory is its own.
2. Ukrainian analysis: for each CPV group (3 digits) with at least `MIN_GROUP` tenders in the
   Prozorro sample, the Ukrainian DK021 labels of its codes (as the notices' items carry them)
   are the query and the tenders of that group the relevant documents; BM25 over every tender's
   title and description ranks them, and precision@10 and mean average precision are averaged
   over the groups, for: words as they are, the first 5 or 6 letters, the Russian Snowball
   stemmer (what `matchers.analysis` uses), character 4-grams, and pymorphy3 lemmas (with
   its Ukrainian dictionaries, when installed).

    .venv/bin/python benchmarks/bench_language_strategies.py [--tenders N]

Prints figures; asserts nothing. The sample's labels also appear in some titles ("ДК 021:2015:
45450000-6 Інші завершальні будівельні роботи"), which helps every strategy alike.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLES = ROOT.parent / "shared" / "samples"
PROZORRO = SAMPLES / "prozorro" / "prozorro_lviv_2026-10_release_package.json.gz"
EFORMS = SAMPLES / "multi-lot-eforms"
MIN_GROUP = 8
LANGUAGE_OF_FILE = {
    "FIN": "fi", "POL": "pl", "FRA": "fr", "NLD": "nl", "SPA": "es", "ENG": "en", "DEU": "de",
    "ITA": "it", "NOB": "nb", "NOR": "nb", "ELL": "el", "SWE": "sv", "DAN": "da", "CES": "cs",
}  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")

DETECT_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
from matchers.detect import LANGUAGES
texts = json.load(open(sys.argv[2]))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
builder = LanguageDetectorBuilder.from_languages(
    *[Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in LANGUAGES]
).with_minimum_relative_distance(0.05)
if sys.argv[3] == "low":
    builder = builder.with_low_accuracy_mode()
detector = builder.with_preloaded_language_models().build()
built = time.perf_counter() - started
started = time.perf_counter()
found = detector.detect_languages_in_parallel_of([t for t, _l in texts])
spent = time.perf_counter() - started
rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
right = sum(1 for f, (_t, want) in zip(found, texts) if f and f.iso_code_639_1.name.lower() == want)
print(json.dumps({"build_s": built, "rss_mb": rss, "per_s": len(texts) / spent,
                  "right": right, "total": len(texts)}))
"""


def prozorro_tenders(limit: int) -> list[tuple[str, set[str], list[str]]]:
    """(title + description, CPV groups, item labels) of each tender with codes."""
    data = json.loads(gzip.decompress(PROZORRO.read_bytes()))
    found = []
    for release in data["releases"][:limit]:
        tender = release.get("tender") or {}
        text = f"{tender.get('title') or ''} {tender.get('description') or ''}"
        groups: set[str] = set()
        labels: list[str] = []
        for item in tender.get("items") or []:
            classification = item.get("classification") or {}
            code = str(classification.get("id") or "")
            if classification.get("scheme") == "CPV" and len(code) >= 3:
                groups.add(code[:3])
                labels.append(str(classification.get("description") or ""))
        if groups:
            found.append((text, groups, labels))
    return found


def eforms_texts() -> list[tuple[str, str]]:
    from scanner.ingest.eforms import parse_eforms_notice

    texts = []
    for path in sorted(EFORMS.glob("*.xml")):
        code = path.name.split("_")[2]
        language = LANGUAGE_OF_FILE.get(code)
        if language is None:
            continue
        tender = parse_eforms_notice(path.read_bytes(), source="ted")
        texts.append((f"{tender.title} {tender.description or ''}", language))
    return texts


def detection(texts: list[tuple[str, str]]) -> None:
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / "lotwise_detect_texts.json"
    scratch.write_text(json.dumps(texts, ensure_ascii=False))
    for mode in ("low", "high"):
        out = subprocess.run(
            [sys.executable, "-c", DETECT_CHILD, str(ROOT), str(scratch), mode],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        figures = json.loads(out)
        print(
            f"  {mode:4s} accuracy mode: built in {figures['build_s']:.2f} s, "
            f"+{figures['rss_mb']:.0f} MB resident, {figures['per_s']:,.0f} texts/s, "
            f"{figures['right']}/{figures['total']} in their known language"
        )
    scratch.unlink()
    from matchers.detect import detect_many

    started = time.perf_counter()
    found = detect_many([t for t, _l in texts])
    spent = time.perf_counter() - started
    right = sum(1 for f, (_t, want) in zip(found, texts, strict=True) if f == want)
    print(
        f"  matchers.detect (low mode + Cyrillic rules): {right}/{len(texts)} right, "
        f"{len(texts) / spent:,.0f} texts/s; read as: {Counter(found).most_common(6)}"
    )


def strategies() -> dict[str, Callable[[str], list[str]]]:
    import Stemmer

    from matchers.analysis import terms
    from scanner.reference.stopwords import stopwords

    stops = stopwords("uk")
    russian = Stemmer.Stemmer("russian")
    # Ukrainian letters Russian spells otherwise, mapped before the Russian stemmer (tried).
    as_russian = str.maketrans({"є": "е", "і": "и", "ї": "и", "ґ": "г"})

    def words(text: str) -> list[str]:
        return [w for w in _WORD.findall(text.casefold()) if w not in stops and len(w) > 1]

    def grams(text: str) -> list[str]:
        out = []
        for word in words(text):
            padded = f"_{word}_"
            out.extend(padded[i : i + 4] for i in range(max(1, len(padded) - 3)))
        return out

    return {
        "words as they are": words,
        "first 5 letters": lambda t: [w[:5] for w in words(t)],
        "first 6 letters": lambda t: [w[:6] for w in words(t)],
        "Russian Snowball stemmer": lambda t: [russian.stemWord(w) for w in words(t)],
        "Russian Snowball, Ukrainian letters mapped (є і ї ґ: е и и г)": lambda t: [
            russian.stemWord(w.translate(as_russian)) for w in words(t)
        ],
        "character 4-grams": grams,
        "matchers.analysis (chosen)": lambda t: terms(t, "uk"),
        **_lemmas(words),
    }


def _lemmas(words: Callable[[str], list[str]]) -> dict[str, Callable[[str], list[str]]]:
    """pymorphy3's dictionary lemmas, when pymorphy3 and its Ukrainian dictionaries are
    installed (`pip install pymorphy3 pymorphy3-dicts-uk`; not a dependency of Lotwise)."""
    try:
        import pymorphy3
    except ImportError:
        print("  (pymorphy3 not installed: its lemmas are not measured)")
        return {}
    morph = pymorphy3.MorphAnalyzer(lang="uk")
    cache: dict[str, str] = {}

    def lemma(word: str) -> str:
        if word not in cache:
            cache[word] = morph.parse(word)[0].normal_form
        return cache[word]

    return {"pymorphy3 lemmas": lambda t: [lemma(w) for w in words(t)]}


def bm25_rankings(
    docs: list[list[str]], queries: dict[str, list[str]], top: int
) -> dict[str, list[int]]:
    n = len(docs)
    average = sum(len(d) for d in docs) / n
    postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, doc in enumerate(docs):
        for term, count in Counter(doc).items():
            postings[term].append((i, count))
    rankings = {}
    for name, query in queries.items():
        scores: dict[int, float] = defaultdict(float)
        for term in set(query):
            found = postings.get(term, [])
            idf = math.log(1 + (n - len(found) + 0.5) / (len(found) + 0.5))
            for i, count in found:
                norm = 1.2 * (0.25 + 0.75 * len(docs[i]) / average)
                scores[i] += idf * count * 2.2 / (count + norm)
        rankings[name] = sorted(scores, key=lambda i: -scores[i])[:top]
    return rankings


def ukrainian(tenders: list[tuple[str, set[str], list[str]]]) -> None:
    members: dict[str, set[int]] = defaultdict(set)
    labels: dict[str, list[str]] = defaultdict(list)
    for i, (_text, groups, item_labels) in enumerate(tenders):
        for group in groups:
            members[group].add(i)
        for group in groups:
            labels[group].extend(item_labels)
    chosen = {g for g, m in members.items() if len(m) >= MIN_GROUP}
    print(f"  {len(tenders)} tenders with codes, {len(chosen)} CPV groups of {MIN_GROUP}+ tenders")
    for name, analyse in strategies().items():
        started = time.perf_counter()
        docs = [analyse(text) for text, _g, _l in tenders]
        spent = time.perf_counter() - started
        queries = {g: analyse(" ".join(dict.fromkeys(labels[g]))) for g in chosen}
        rankings = bm25_rankings(docs, queries, top=max(len(members[g]) for g in chosen))
        p10, ap = [], []
        for group, ranked in rankings.items():
            relevant = members[group]
            p10.append(sum(1 for i in ranked[:10] if i in relevant) / 10)
            hits, total = 0, 0.0
            for position, i in enumerate(ranked, start=1):
                if i in relevant:
                    hits += 1
                    total += hits / position
            ap.append(total / len(relevant))
        vocabulary = len({t for d in docs for t in d})
        print(
            f"  {name:28s} P@10 {sum(p10) / len(p10):.3f}  MAP {sum(ap) / len(ap):.3f}  "
            f"vocabulary {vocabulary:6,d}  {len(tenders) / spent:8,.0f} notices/s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tenders", type=int, default=6000)
    args = parser.parse_args()
    if not PROZORRO.exists():
        sys.exit(f"{PROZORRO} not found: this benchmark reads ../shared/samples")
    print(f"load average {os.getloadavg()[0]:.2f}")
    tenders = prozorro_tenders(args.tenders)
    print("1. language detection")
    texts = [(text, "uk") for text, _g, _l in tenders] + eforms_texts()
    detection(texts)
    print("2. Ukrainian analysis (CPV groups of the Prozorro sample as queries)")
    ukrainian(tenders)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
