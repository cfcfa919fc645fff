"""Shared fixtures: real databases (SQLite file and PostgreSQL) with the migrated schema.

PostgreSQL tests run in a fresh schema per test. Without a server they are skipped with the
reason printed, unless `LOTWISE_REQUIRE_POSTGRES=1` (set by `.ci/run`), which turns the skip
into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from required import SHARED_DIR, require_or_skip
from schema_template import migrate
from seed_template import drop_templates
from sqlalchemy import Engine, text

from scanner.storage.database import make_engine

# pytest-xdist starts its workers with COLUMNS=80, and Rich fixes a console's width at import
# when COLUMNS is set: the tests that set their own width (monkeypatch) would get 80 columns.
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)

POSTGRES_URL = os.environ.get(
    "LOTWISE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def _postgres_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        engine = make_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {type(exc).__name__}: {exc}"
    return None


@pytest.fixture(scope="session", autouse=True)
def _seed_templates() -> Iterator[None]:
    """Drops the seeded templates (`seed_template`) this test process made."""
    yield
    drop_templates()


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with its cheapest parameters (`argon2.profiles.CHEAPEST`, made for tests), in
    every test process: every web test signs in, the CLI tests add and reset accounts, and the
    production cost (about 0.5 s a hash on this shared machine) was most of their time. The
    algorithm and every code path stay the real ones; the production parameters are asserted
    in tests/web/test_web_auth.py. A `lotwise` subprocess hashes at the production cost."""
    from argon2 import PasswordHasher, profiles

    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
    monkeypatch.setattr("scanner.services.users._hasher", cheap)
    dummy = cheap.hash("unknown address")
    monkeypatch.setattr("scanner.services.users._dummy_hash", lambda: dummy)


@pytest.fixture(autouse=True)
def root_logging_restored() -> Iterator[None]:
    """The root logger as it was before each test: a command run in process (`lotwise
    schedule`) installs its handler on the stream the CLI runner gave it, which is closed
    after that test; left in place, every later log line in that worker printed a "Logging
    error" into whatever the next in-process command wrote to stderr."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(scope="session")
def postgres_unavailable() -> str | None:
    return _postgres_available()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'lotwise.sqlite'}"


@contextmanager
def _fresh_postgres_schema(unavailable: str | None) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    if unavailable:
        require_or_skip(unavailable, "LOTWISE_REQUIRE_POSTGRES")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_unavailable: str | None) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped after the test."""
    with _fresh_postgres_schema(postgres_unavailable) as url:
        yield url


@pytest.fixture
def another_postgres_url(postgres_unavailable: str | None) -> Iterator[str]:
    """A second fresh schema, for tests that compare two databases."""
    with _fresh_postgres_schema(postgres_unavailable) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Runs the test once on SQLite and once on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database on each backend."""
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def shared_samples() -> Path:
    """`../shared/samples`, or a skip naming why it is absent."""
    samples = SHARED_DIR / "samples"
    if not samples.is_dir():
        require_or_skip(
            f"shared samples not found at {samples} (set LOTWISE_SHARED_DIR)",
            "LOTWISE_REQUIRE_SHARED",
        )
    return samples
