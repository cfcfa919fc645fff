"""The real-data corpus, built once from the shared samples (or skipped) and shared by the test
processes through a file keyed by what it is built from (`corpus_cache`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_cache import cached_real_corpus
from required import SHARED_DIR, require_shared

from scanner.evaluation.real_corpus import RealCorpus


@pytest.fixture(scope="session")
def samples() -> Path:
    return require_shared(SHARED_DIR / "samples")


@pytest.fixture(scope="session")
def real_corpus(samples: Path) -> RealCorpus:
    """`load_real_corpus(samples)`: built by the first test process that asks for it, read
    from that build by the others (it took 7 s of CPU in every worker that needed it)."""
    return cached_real_corpus(samples)


def _gathered(samples: Path, folder: str, provenance: str) -> Path:
    """A gathered folder is not part of the shared samples everywhere (fetched data is never
    committed here), so its tests are skipped, never required, when it is absent."""
    if not (samples / folder).is_dir():
        pytest.skip(f"{samples / folder} absent: the gathered notices ({provenance}) are not here")
    return samples


@pytest.fixture(scope="session")
def gathered(samples: Path) -> Path:
    """The samples, with the gathered Italian notices (benchmarks/real_match/GATHERED.md)."""
    return _gathered(samples, "gathered-it", "GATHERED.md")


@pytest.fixture(scope="session")
def gathered_fr(samples: Path) -> Path:
    """The samples, with the gathered French notices (benchmarks/real_match/GATHERED-FR.md)."""
    return _gathered(samples, "gathered-fr", "GATHERED-FR.md")


@pytest.fixture(scope="session")
def gathered_es(samples: Path) -> Path:
    """The samples, with the gathered Spanish notices (benchmarks/real_match/GATHERED-ES.md)."""
    return _gathered(samples, "gathered-es", "GATHERED-ES.md")


@pytest.fixture(scope="session")
def gathered_de(samples: Path) -> Path:
    """The samples, with the gathered German notices (benchmarks/real_match/GATHERED-DE.md)."""
    return _gathered(samples, "gathered-de", "GATHERED-DE.md")


@pytest.fixture(scope="session")
def gathered_pl(samples: Path) -> Path:
    """The samples, with the gathered Polish notices (benchmarks/real_match/GATHERED-PL.md)."""
    return _gathered(samples, "gathered-pl", "GATHERED-PL.md")


@pytest.fixture(scope="session")
def gathered_bg(samples: Path) -> Path:
    """The samples, with the gathered Bulgarian notices (benchmarks/real_match/GATHERED-BG.md)."""
    return _gathered(samples, "gathered-bg", "GATHERED-BG.md")


@pytest.fixture(scope="session")
def gathered_cs(samples: Path) -> Path:
    """The samples, with the gathered Czech notices (benchmarks/real_match/GATHERED-CS.md)."""
    return _gathered(samples, "gathered-cs", "GATHERED-CS.md")


@pytest.fixture(scope="session")
def gathered_el(samples: Path) -> Path:
    """The samples, with the gathered Greek notices (benchmarks/real_match/GATHERED-EL.md)."""
    return _gathered(samples, "gathered-el", "GATHERED-EL.md")


@pytest.fixture(scope="session")
def gathered_nl(samples: Path) -> Path:
    """The samples, with the gathered Dutch notices (benchmarks/real_match/GATHERED-NL.md)."""
    return _gathered(samples, "gathered-nl", "GATHERED-NL.md")


@pytest.fixture(scope="session")
def gathered_hu(samples: Path) -> Path:
    """The samples, with the gathered Hungarian notices (benchmarks/real_match/GATHERED-HU.md)."""
    return _gathered(samples, "gathered-hu", "GATHERED-HU.md")


@pytest.fixture(scope="session")
def gathered_fi(samples: Path) -> Path:
    """The samples, with the gathered Finnish notices (benchmarks/real_match/GATHERED-FI.md)."""
    return _gathered(samples, "gathered-fi", "GATHERED-FI.md")


@pytest.fixture(scope="session")
def gathered_ro(samples: Path) -> Path:
    """The samples, with the gathered Romanian notices (benchmarks/real_match/GATHERED-RO.md)."""
    return _gathered(samples, "gathered-ro", "GATHERED-RO.md")


@pytest.fixture(scope="session")
def gathered_sk(samples: Path) -> Path:
    """The samples, with the gathered Slovak notices (benchmarks/real_match/GATHERED-SK.md)."""
    return _gathered(samples, "gathered-sk", "GATHERED-SK.md")


@pytest.fixture(scope="session")
def gathered_da(samples: Path) -> Path:
    """The samples, with the gathered Danish notices (benchmarks/real_match/GATHERED-DA.md)."""
    return _gathered(samples, "gathered-da", "GATHERED-DA.md")


@pytest.fixture(scope="session")
def gathered_et(samples: Path) -> Path:
    """The samples, with the gathered Estonian notices (benchmarks/real_match/GATHERED-ET.md)."""
    return _gathered(samples, "gathered-et", "GATHERED-ET.md")


@pytest.fixture(scope="session")
def gathered_sv(samples: Path) -> Path:
    """The samples, with the gathered Swedish notices (benchmarks/real_match/GATHERED-SV.md)."""
    return _gathered(samples, "gathered-sv", "GATHERED-SV.md")


@pytest.fixture(scope="session")
def gathered_pt(samples: Path) -> Path:
    """The samples, with the gathered Portuguese notices (benchmarks/real_match/GATHERED-PT.md)."""
    return _gathered(samples, "gathered-pt", "GATHERED-PT.md")


@pytest.fixture(scope="session")
def gathered_sl(samples: Path) -> Path:
    """The samples, with the gathered Slovenian notices (benchmarks/real_match/GATHERED-SL.md)."""
    return _gathered(samples, "gathered-sl", "GATHERED-SL.md")


@pytest.fixture(scope="session")
def gathered_lt(samples: Path) -> Path:
    """The samples, with the gathered Lithuanian notices (benchmarks/real_match/GATHERED-LT.md)."""
    return _gathered(samples, "gathered-lt", "GATHERED-LT.md")


@pytest.fixture(scope="session")
def gathered_hr(samples: Path) -> Path:
    """The samples, with the gathered Croatian notices (benchmarks/real_match/GATHERED-HR.md)."""
    return _gathered(samples, "gathered-hr", "GATHERED-HR.md")


@pytest.fixture(scope="session")
def gathered_lv(samples: Path) -> Path:
    """The samples, with the gathered Latvian notices (benchmarks/real_match/GATHERED-LV.md)."""
    return _gathered(samples, "gathered-lv", "GATHERED-LV.md")
