"""Draw the pool of demo tenders to judge for each demo organisation (how labels.toml was built).

Run once before judging: `.venv/bin/python benchmarks/match_labels/draw_pools.py [PROFILE...]`.
It prints each profile's pool, tender by tender, with the stratum that drew it. The grades in
labels.toml were then given by a person reading each tender against the profile; this script
never grades anything. Strata, in drawing order (seeded by the profile id, so the same pools come
back while the corpus and profiles stay the same):

- keyword:          title or lot title holds one of the profile's first two keywords, in region
- cpv:              a CPV code starts with one of the profile's CPV prefixes, in region
- keyword (cont.):  any profile keyword in title, description or lots, in region
- near-miss-region: topical (same CPV group or a keyword) but outside the profile's regions
- near-miss-topic:  inside the profile's regions but not topical
- random:           any tender
- topical-fill:     topical tenders from anywhere, up to 34 in all

After judging the pool, a title sweep added open tenders whose title or lot names the profile's
core service (README.md lists the patterns), so that few good tenders stay unjudged.
"""

from __future__ import annotations

import random
import sys
import tomllib
from pathlib import Path
from typing import Any

from scanner.evaluation.demo_corpus import load_demo_tenders
from scanner.ingest.tender import NormalisedTender

ORGANISATIONS = Path(__file__).resolve().parents[2] / "scanner" / "demo" / "organisations.toml"
POOL_SIZE = 34


def _text(tender: NormalisedTender) -> str:
    lots = " ".join(lot.title or "" for lot in tender.lots)
    return f"{tender.title} {tender.description or ''} {lots}".lower()


def _titles(tender: NormalisedTender) -> str:
    return f"{tender.title} {' '.join(lot.title or '' for lot in tender.lots)}".lower()


def in_region(tender: NormalisedTender, org: dict[str, Any]) -> bool:
    """A tender region inside (or containing) one of the profile's; a country code covers it all."""
    if any(code in tender.countries for code in org["regions"] if len(code) == 2):
        return True
    wanted = [code for code in org["regions"] if len(code) > 2]
    return any(r.startswith(w) or w.startswith(r) for r in tender.regions for w in wanted)


def draw(org: dict[str, Any], tenders: list[NormalisedTender]) -> dict[int, str]:
    """Tender index -> stratum, for one profile."""
    rng = random.Random(org["id"])
    keywords = [k.lower() for k in org.get("keywords", [])]
    groups = {c[:3] for c in org.get("cpv", [])}
    everything = range(len(tenders))
    by_group = [i for i in everything if any(c[:3] in groups for c in tenders[i].cpv_codes)]
    by_keyword = [i for i in everything if any(k in _text(tenders[i]) for k in keywords)]
    by_prefix = [
        i
        for i in everything
        if any(c.startswith(p) for c in tenders[i].cpv_codes for p in org.get("cpv", []))
    ]
    by_title = [i for i in everything if any(k in _titles(tenders[i]) for k in keywords[:2])]
    topical = sorted(set(by_group) | set(by_keyword))
    local = [i for i in everything if in_region(tenders[i], org)]
    pool: dict[int, str] = {}

    def take(candidates: list[int] | range, count: int, stratum: str) -> None:
        left = [i for i in candidates if i not in pool]
        for i in rng.sample(left, max(0, min(count, len(left)))):
            pool[i] = stratum

    take([i for i in by_title if i in local], 10, "keyword")
    take([i for i in by_prefix if i in local], 8, "cpv")
    take([i for i in by_keyword if i in local], 4, "keyword")
    take([i for i in topical if i not in local], 5, "near-miss-region")
    take([i for i in local if i not in topical], 3, "near-miss-topic")
    take(everything, 4, "random")
    take(topical, POOL_SIZE - len(pool), "topical-fill")
    take(everything, 32 - len(pool), "random")
    return dict(sorted(pool.items()))


def main(wanted: list[str]) -> None:
    tenders = list(load_demo_tenders().values())
    orgs = tomllib.loads(ORGANISATIONS.read_text(encoding="utf-8"))["organisation"]
    for org in orgs:
        if wanted and org["id"] not in wanted:
            continue
        pool = draw(org, tenders)
        print(f"== {org['id']}: {len(pool)} tenders")
        for index, stratum in pool.items():
            t = tenders[index]
            value = f"£{t.value_amount:,.0f}" if t.value_amount is not None else "no value"
            print(f"  {t.ocid}  {stratum:16}  {t.status:9}  {value:>11}  {','.join(t.regions)}")
            print(f"      {t.title}")


if __name__ == "__main__":
    main(sys.argv[1:])
