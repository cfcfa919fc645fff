"""Draw the pool of real notices to judge for each profile (how labels.toml was built).

    .venv/bin/python benchmarks/real_match/draw_pools.py [PROFILE ...] [--out DIR]

Prints (or writes to DIR/<profile>.txt) each profile's pool, notice by notice, with the
stratum that drew it and what a person needs to judge it (show.py's compact view). This
script never grades anything: the grades in labels.toml come from a person reading each
notice against the profile. Strata (TREC-style pooling, then a stratified sample, seeded by
the profile id so the same pools come back while corpus and profiles stay the same):

- pool:<rankers>     the top 10 of the matcher as on main, the BM25 baseline and the
                     keyword + code heuristic (every ranker that has it in its top 10)
- cpv-division       4 notices sharing a CPV division with the profile (for a profile
                     without codes: the divisions of its trade, SAMPLING_DIVISIONS below)
- near-miss-region   3 notices of those divisions, or sharing a word with the profile's
                     keywords, but outside the profile's countries and regions
- random             3 notices from anywhere

Already-judged notices (in labels.toml for that profile) are marked, so a later pass can
judge only what is new.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from show import SAMPLES, describe  # noqa: E402

from scanner.evaluation.baselines import geography_fit, words  # noqa: E402
from scanner.evaluation.ranking import load_labels  # noqa: E402
from scanner.services.evaluation_real import (  # noqa: E402
    REAL_LABELS,
    prepare_real_set,
    real_rankings,
)
from scanner.services.matching import MatchingConfig  # noqa: E402
from scanner.splitter import load_thresholds  # noqa: E402

CONFIG = ROOT / "config"
SHORT = {"matcher": "matcher", "BM25": "bm25", "keyword + code heuristic": "heuristic"}
# The labeller's reading of the trade of profiles that give no CPV codes (used for sampling
# only, never for grading or ranking).
SAMPLING_DIVISIONS = {
    "ua-shkilnyi-svit": ("30", "39", "37", "22"),
    "ua-ekspert-otsinka": ("79", "70", "71"),
    "gb-northfield-evaluation": ("79", "73", "80"),
    "gb-levels-landscapes": ("77", "45", "90"),
    "de-ruhr-teilhabe": ("85", "80"),
    "pl-medpraca-lodz": ("85",),
    "pl-akademia-kompetencji": ("80",),
    "bg-shtit-ohrana": ("79", "35"),
    "be-bewaking-schelde": ("79",),
    "bg-volteks-ruse": ("31", "44", "38"),
    "cz-ostraha-vysehrad": ("79",),
    "gr-tilemetria-larisa": ("32", "38", "51"),
    "hu-borsodterv-mernokiroda": ("71",),
    "hu-signalwave-systems": ("32", "48", "51"),
    "it-terraferma-coop": ("85", "77"),
    "it-ecoinerti-monferrato": ("90", "14"),
    "fi-lakeuden-konetyo": ("90", "45", "77"),
    "fi-northbyte-helsinki": ("72", "48"),
    "ro-casa-sperantei-alba": ("85",),
    "ro-oltenia-print-mail": ("79", "64", "22"),
    "ro-skyroute-aero": ("71", "79", "63"),
    "sk-potraviny-hron": ("15", "03"),
    "sk-etiketa-nitra": ("22", "30", "79"),
    "dk-jobbroen-fredericia": ("79", "80", "85"),
    "dk-vestsjaellands-ledningsarbejde": ("45",),
    "ee-pajaroog-toitlustus": ("55", "15"),
    "se-kattegatt-itpartner": ("72", "48"),
    "pt-sabores-sado": ("55", "15"),
    "si-krajinska-delavnica": ("71", "77"),
    "si-ambulanta-gorica": ("85",),
    "lt-renginiu-fabrikas": ("79", "92"),
    "hr-jadranski-okusi": ("55", "15"),
    "lv-kurzemes-apsardze": ("79", "50"),
}


def _divisions(org_cpv: tuple[str, ...], org_id: str) -> set[str]:
    return {c[:2] for c in org_cpv} or set(SAMPLING_DIVISIONS.get(org_id, ()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profiles", nargs="*", help="profile ids (default: all)")
    parser.add_argument("--out", type=Path, help="write one file per profile into this folder")
    args = parser.parse_args()
    config = MatchingConfig.load(CONFIG / "matching.toml", CONFIG / "rates.toml")
    real = prepare_real_set(config, load_thresholds(CONFIG / "thresholds.toml"), SAMPLES)
    rankings = real_rankings(real, config.weights, 10)
    judged = load_labels(REAL_LABELS).profiles if REAL_LABELS.exists() else {}
    documents = {d.key: d for d in real.documents}
    items = real.corpus.items
    keys = list(items)
    for org in real.orgs:
        if args.profiles and org.id not in args.profiles:
            continue
        pool: dict[str, str] = {}
        for ranker, by_profile in rankings.items():
            for key in by_profile[org.id]:
                pool[key] = (
                    f"{pool[key]}+{SHORT[ranker]}" if key in pool else f"pool:{SHORT[ranker]}"
                )
        rng = random.Random(org.id)
        divisions = _divisions(org.cpv, org.id)
        keyword_words = {w for k in org.keywords for w in words(k) if len(w) > 3}
        topical = [
            k
            for k in keys
            if divisions & {c[:2] for c in items[k].tender.cpv_codes}
            or keyword_words & set(words(documents[k].text))
        ]
        same_division = [k for k in keys if divisions & {c[:2] for c in items[k].tender.cpv_codes}]
        away = [k for k in topical if geography_fit(org, documents[k]) <= 0.2]
        for stratum, candidates, count in (
            ("cpv-division", same_division, 4),
            ("near-miss-region", away, 3),
            ("random", keys, 3),
        ):
            fresh = [k for k in candidates if k not in pool]
            for key in rng.sample(fresh, min(count, len(fresh))):
                pool[key] = stratum
        lines = [
            f"##### {org.id} ({len(pool)} notices)",
            f"  {org.name} | {org.description}",
            f"  CAPABILITIES: {org.capabilities}",
            f"  KEYWORDS: {', '.join(org.keywords)} | EXCLUSIONS: {', '.join(org.exclusions)}",
            f"  CPV {' '.join(org.cpv)} NAICS {' '.join(org.naics)} | regions "
            f"{','.join(org.regions)} national={org.national} remote={org.remote} | value "
            f"{org.value_min}-{org.value_max} GBP",
        ]
        done = judged.get(org.id, {})
        for number, (key, via) in enumerate(pool.items(), start=1):
            mark = f"[judged {done[key].grade}] " if key in done else ""
            lines.append(f"\n--- #{number} {mark}via {via}\n{describe(items[key], 450)}")
        text = "\n".join(lines) + "\n"
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{org.id}.txt").write_text(text, encoding="utf-8")
            numbered = {str(n): [key, via] for n, (key, via) in enumerate(pool.items(), start=1)}
            (args.out / f"{org.id}.json").write_text(json.dumps(numbered, indent=1), "utf-8")
        else:
            print(text)


if __name__ == "__main__":
    main()
