"""What a test needs from outside the project, and the rule when it is absent: skip with the
reason, or fail when CI's flag (`LOTWISE_REQUIRE_*`, set by `.ci/run`) makes it required.

A plain module (not a conftest) so every test folder can import it, whatever conftest it has.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DIR = Path(
    os.environ.get("LOTWISE_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared")
)


def require_or_skip(reason: str, env_flag: str) -> None:
    """Skip with `reason`, or fail when `env_flag` says the component is required (CI)."""
    if os.environ.get(env_flag) == "1":
        pytest.fail(f"{reason} (required because {env_flag}=1)")
    pytest.skip(reason)


def require_shared(path: Path) -> Path:
    """`path` under ../shared, or a skip (a failure under LOTWISE_REQUIRE_SHARED=1) naming it."""
    if not path.exists():
        require_or_skip(f"{path} absent (set LOTWISE_SHARED_DIR)", "LOTWISE_REQUIRE_SHARED")
    return path
