"""The real-data corpus, built once per session from the shared samples (or skipped)."""

from __future__ import annotations

from pathlib import Path

import pytest
from required import SHARED_DIR, require_shared

from scanner.evaluation.real_corpus import RealCorpus


@pytest.fixture(scope="session")
def samples() -> Path:
    require_shared(SHARED_DIR / "samples" / "gathered-it")  # the gathered Italian notices
    return require_shared(SHARED_DIR / "samples")


@pytest.fixture(scope="session")
def real_corpus(samples: Path) -> RealCorpus:
    from scanner.evaluation.real_corpus import load_real_corpus

    return load_real_corpus(samples)
