"""Where the XML parser tests find their inputs: our own fixtures, and the real notices in
../shared/samples when present (listed at collection time, so a test per sample file)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(os.environ.get("LOTWISE_SHARED_DIR", Path(__file__).resolve().parents[3] / "shared"))
SAMPLES = SHARED / "samples"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def sample_params(folders: Sequence[str]) -> list[Any]:
    """Every XML sample under `folders`, relative to the samples folder; one skipped
    parameter naming the folder when there are none."""
    found = sorted(
        path.relative_to(SAMPLES).as_posix()
        for folder in folders
        for path in (SAMPLES / folder).glob("*.xml")
    )
    return found or [pytest.param("", marks=pytest.mark.skip(reason=f"no samples under {SAMPLES}"))]
