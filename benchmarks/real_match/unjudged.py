"""List the real notices a ranking puts in a profile's top k that labels.toml has not judged.

    .venv/bin/python benchmarks/real_match/unjudged.py [PROFILE ...] [--k 10] [--show]

For every profile (default: all in profiles.toml), ranks the real corpus with the matcher as it
is in this checkout, the BM25 baseline and the keyword + code heuristic, and prints each notice
in some ranking's top k that has no judgement for that profile, with the rankings and ranks
that surfaced it. Unjudged notices count as not relevant in `lotwise eval --set real`, so a
matcher that finds relevant notices nobody pooled is under-scored until they are judged: run
this after changing the matcher, read each listed notice against the profile (`--show` prints
the compact view show.py gives), and add the judgements to labels.toml with
`via = "pool:<rankings>"` as the README says. This script never grades anything.

Exit status: 0 when every top k is fully judged, 1 when something is listed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from show import SAMPLES, describe  # noqa: E402

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profiles", nargs="*", help="profile ids (default: all)")
    parser.add_argument("--k", type=int, default=10, help="depth of each top list (default 10)")
    parser.add_argument("--labels", type=Path, default=REAL_LABELS, help="labels file")
    parser.add_argument("--show", action="store_true", help="print each notice compactly")
    args = parser.parse_args()

    config = MatchingConfig.load(CONFIG / "matching.toml", CONFIG / "rates.toml")
    real = prepare_real_set(config, load_thresholds(CONFIG / "thresholds.toml"), SAMPLES)
    labels = load_labels(
        args.labels, known_profiles={o.id for o in real.orgs}, known_tenders=set(real.corpus.items)
    )
    rankings = real_rankings(real, config.weights, args.k)
    wanted = args.profiles or [o.id for o in real.orgs]
    unknown = sorted(set(wanted) - {o.id for o in real.orgs})
    if unknown:
        parser.error(f"unknown profile(s): {', '.join(unknown)}")
    listed = 0
    for profile_id in wanted:
        judged = labels.profiles.get(profile_id, {})
        found: dict[str, list[str]] = {}
        for name, by_profile in rankings.items():
            for rank, key in enumerate(by_profile.get(profile_id, [])[: args.k], 1):
                if key not in judged:
                    found.setdefault(key, []).append(f"{SHORT.get(name, name)}#{rank}")
        for key, where in found.items():
            listed += 1
            print(f"{profile_id}\t{key}\tpool:{'+'.join(w.split('#')[0] for w in where)}", end="")
            title = " ".join(real.corpus.items[key].tender.title.split())[:80]
            print(f"\t{' '.join(where)}\t{title}")
            if args.show:
                print(describe(real.corpus.items[key]))
    print(f"# {listed} unjudged notice(s) in the top {args.k} of some ranking", file=sys.stderr)
    return 1 if listed else 0


if __name__ == "__main__":
    raise SystemExit(main())
