"""Fixtures for the ingest tests: the shared sample payloads (real published data)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from required import require_or_skip

REPO = Path(__file__).resolve().parents[2]
SHARED_DIR = Path(os.environ.get("LOTWISE_SHARED_DIR", REPO.parent / "shared"))
SAMPLES_DIR = SHARED_DIR / "samples"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """`<shared>/samples`; tests needing it skip (with the path) when it is absent."""
    if not SAMPLES_DIR.is_dir():
        require_or_skip(
            f"shared samples not found at {SAMPLES_DIR} (set LOTWISE_SHARED_DIR)",
            "LOTWISE_REQUIRE_SHARED",
        )
    return SAMPLES_DIR


OCDS_SAMPLE_DIRS = (
    "ocds",
    "find-a-tender",
    "contracts-finder",
    "multi-lot-ocds",
    "open-tenders-en",
)


def ocds_sample_files() -> list[str]:
    """Every OCDS JSON sample, relative to the samples folder (empty when it is absent)."""
    return sorted(
        path.relative_to(SAMPLES_DIR).as_posix()
        for folder in OCDS_SAMPLE_DIRS
        for path in (SAMPLES_DIR / folder).glob("*.json")
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize `ocds_sample` over every OCDS sample file (one test each)."""
    if "ocds_sample" in metafunc.fixturenames:
        files = ocds_sample_files()
        if files:
            metafunc.parametrize("ocds_sample", files)
        else:
            skip = pytest.mark.skip(reason=f"no OCDS samples under {SAMPLES_DIR}")
            metafunc.parametrize("ocds_sample", [pytest.param(None, marks=skip)])
