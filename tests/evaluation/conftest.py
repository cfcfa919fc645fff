"""The real-data corpus, built once per session from the shared samples (or skipped)."""

from __future__ import annotations

from pathlib import Path

import pytest
from required import SHARED_DIR, require_shared

from scanner.evaluation.real_corpus import RealCorpus


@pytest.fixture(scope="session")
def samples() -> Path:
    return require_shared(SHARED_DIR / "samples")


@pytest.fixture(scope="session")
def real_corpus(samples: Path) -> RealCorpus:
    from scanner.evaluation.real_corpus import load_real_corpus

    return load_real_corpus(samples)


@pytest.fixture(scope="session")
def gathered(samples: Path) -> Path:
    """The gathered Italian notices: not part of the shared samples everywhere (they are not
    committed here: benchmarks/real_match/GATHERED.md), so skipped, never required, when absent."""
    folder = samples / "gathered-it"
    if not folder.is_dir():
        pytest.skip(f"{folder} absent: the gathered Italian notices (GATHERED.md) are not here")
    return samples
