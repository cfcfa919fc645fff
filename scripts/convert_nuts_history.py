"""Build the table that reads older NUTS codes as today's regions ("HU101", Budapest in NUTS
2013, is "HU110" now; "FR241", Cher, is "FRB01"), so a notice published under an older NUTS
version is placed where it is, not only in the wide region a prefix of its code still names.

    python scripts/convert_nuts_history.py MATRICES_DIR

The source is the JRC's NUTS converter matrices (Joint Research Centre, release 2025.08, as
kept in `data-raw/_JRC_NUTSconverter_Matrices_rel.2025.08/` of the rOpenSci package `nuts`):
one CSV per level and pair of versions, each row the part of an older region that lies in a
newer one, with its population in 2021 (`pop21`) and its area. Read here: every code of NUTS
2006, 2010, 2013, 2016 and 2021 that the regions Lotwise ships (`data/nuts.json`: NUTS 2024,
and the UK's NUTS 2018) do not hold, with the regions it lies in now (NUTS 2024; for the UK,
NUTS 2016, the last version that has it) and the share of its 2021 population in each (its
area's share where nobody lives there); slivers under 1 % (boundary redrawing) are dropped. A
code several versions use keeps the newest version's reading. Output:
`scanner/reference/data/nuts-history.json`, `{"source": ..., "codes": {old: [[new, share],
...]}}`, sorted, so the conversion is repeatable. Provenance: docs/reference-data.md.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CURRENT = ROOT / "scanner" / "reference" / "data" / "nuts.json"
TARGET = ROOT / "scanner" / "reference" / "data" / "nuts-history.json"
OLDER = ("2006", "2010", "2013", "2016", "2021")  # oldest first: a newer reading replaces it
SLIVER = 0.01
SOURCE = (
    "JRC NUTS converter matrices, release 2025.08 (European Commission, Joint Research Centre; "
    "https://urban.jrc.ec.europa.eu/nutsconverter), as kept in data-raw/"
    "_JRC_NUTSconverter_Matrices_rel.2025.08/ of the rOpenSci package nuts "
    "(https://github.com/ropensci/nuts, commit 5509ff02266d9e3ebfbe51fc0d6457f34e59a0d8); "
    "shares of each older region's 2021 population"
)


def shares(path: Path, old_column: str, new_column: str) -> dict[str, list[tuple[str, float]]]:
    """Older code -> [(newer code, share of its population)], slivers dropped."""
    people: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    area: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            old, new = row[old_column].strip(), row[new_column].strip()
            people[old][new] += float(row["pop21"] or 0)
            area[old][new] += float(row["areaKm"] or 0)
    read: dict[str, list[tuple[str, float]]] = {}
    for old in people:
        weights = people[old] if sum(people[old].values()) > 0 else area[old]
        total = sum(weights.values())
        if total <= 0:
            continue
        kept = sorted(
            ((new, round(weight / total, 3)) for new, weight in weights.items()),
            key=lambda item: (-item[1], item[0]),
        )
        read[old] = [(new, share) for new, share in kept if share >= SLIVER]
    return read


def history(folder: Path, current: set[str]) -> dict[str, list[tuple[str, float]]]:
    codes: dict[str, list[tuple[str, float]]] = {}
    for version in OLDER:
        for level in ("1", "2", "3"):
            for target in ("2024", "2016"):
                path = folder / f"n{level}_cm_v{version}_v{target}.csv"
                if not path.exists():
                    continue
                read = shares(path, f"code_v{version}", f"code_v{target}")
                for old, parts in read.items():
                    uk = old.startswith("UK")
                    if old in current or uk != (target == "2016"):
                        continue  # the UK left NUTS after 2016; others read as NUTS 2024
                    kept = [(new, share) for new, share in parts if new in current]
                    if kept:
                        codes[old] = kept
    return dict(sorted(codes.items()))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    current = {code for code, _level, _name in json.loads(CURRENT.read_text("utf-8"))["regions"]}
    codes = history(Path(argv[1]), current)
    payload = {
        "source": SOURCE,
        "codes": {old: [list(p) for p in new] for old, new in codes.items()},
    }
    TARGET.write_text(
        json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    print(f"{len(codes)} older codes -> {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
