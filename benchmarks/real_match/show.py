"""Print notices of the real-data corpus compactly, for a person judging them against a profile.

    .venv/bin/python benchmarks/real_match/show.py KEY_OR_SUBSTRING ...   # matching items
    .venv/bin/python benchmarks/real_match/show.py --grep WORD            # items whose text has WORD
    .venv/bin/python benchmarks/real_match/show.py --long KEY             # without truncation

Shows what a person needs to judge: title, description, items, lots with values, buyer,
regions, language, procedure, notice type, value and what kind of value it is (the tender's
estimate, a lot's, a framework's ceiling), deadline window and status, and whether the tender
or a lot is reserved (Art. 20 / 77, in its text or only in the form's box: rubric R5).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scanner.evaluation.real_corpus import RealItem, load_real_corpus  # noqa: E402
from scanner.matching.reserved import reserved_of  # noqa: E402

SAMPLES = Path(os.environ.get("LOTWISE_SHARED_DIR", ROOT.parent / "shared")) / "samples"
FRAMEWORK_RE = re.compile(
    r"framework|dynamic purchasing|\bDPS\b|rammeavtal|accord-cadre|umowa ramowa|raamovereenkomst"
    r"|rahmenvertrag|puitejärjest|рамков",
    re.I,
)


def _cut(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _money(amount: object, currency: str | None) -> str:
    return "-" if amount is None else f"{currency or '?'} {float(str(amount)):,.0f}"


def describe(item: RealItem, limit: int = 700) -> str:
    t = item.tender
    window = (t.deadline_at - t.published_at).days if t.deadline_at and t.published_at else None
    text = f"{t.title} {t.description or ''}"
    kind = "framework/DPS ceiling?" if FRAMEWORK_RE.search(text) else "estimate"
    lines = [
        f"== {item.key}",
        f"   {item.source} | lang {item.declared_language}/{item.detected_language} | "
        f"{t.notice_type or ''} {t.procedure_type or ''} | status {t.status} | "
        f"window {window} d | published {item.published:%Y-%m-%d}"
        if item.published
        else f"   {item.source}",
        f"   TITLE: {_cut(t.title, 300)}",
        f"   BUYER: {_cut(t.buyer_name, 120)} | regions {','.join(t.regions) or '-'} | "
        f"countries {','.join(t.countries) or '-'}",
        f"   VALUE: {_money(t.value_amount, t.currency)} ({kind}) | CPV {' '.join(t.cpv_codes[:8])}"
        f" | SME {t.suitable_sme}",
    ]
    reserved = reserved_of(t)
    if reserved:
        lines.append(f"   RESERVED to {', '.join(reserved)} (text or the form's box: rubric R5)")
    if t.description:
        lines.append("   DESC: " + _cut(t.description, limit))
    for lot in t.lots[:12]:
        own = reserved_of(t, lot)
        lines.append(
            f"   LOT {lot.lot_id}: {_cut(lot.title, 120)} | {_money(lot.value_amount, lot.currency)}"
            + (f" | RESERVED to {', '.join(own)}" if own and own != reserved else "")
            + f" | {_cut(lot.description, 200)}"
        )
    if len(t.lots) > 12:
        lines.append(f"   ... {len(t.lots) - 12} more lots")
    if not t.lots:
        for entry in t.items[:6]:
            lines.append(f"   ITEM: {_cut(entry.description, 160)}")
        if len(t.items) > 6:
            lines.append(f"   ... {len(t.items) - 6} more items")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("keys", nargs="*", help="item keys or parts of them")
    parser.add_argument("--grep", action="append", default=[], help="regex over title+text")
    parser.add_argument("--long", action="store_true", help="do not cut descriptions")
    args = parser.parse_args()
    corpus = load_real_corpus(SAMPLES)
    limit = 100_000 if args.long else 700
    for item in corpus.items.values():
        t = item.tender
        blob = " ".join(
            [t.title, t.description or "", *(f"{lot.title} {lot.description}" for lot in t.lots)]
        )
        if any(k in item.key for k in args.keys) or any(
            re.search(g, blob, re.I) for g in args.grep
        ):
            print(textwrap.dedent(describe(item, limit)))


if __name__ == "__main__":
    main()
