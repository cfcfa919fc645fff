"""Digest fixtures: a seeded database on SQLite and PostgreSQL, and a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from digest_fixtures import ScriptedHandler, Seeder, SmtpServer, free_port
from sqlalchemy import Engine


@pytest.fixture
def seed(engine: Engine) -> Seeder:
    return Seeder(engine)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """aiosmtpd on 127.0.0.1, on a free port."""
    server = SmtpServer(port=free_port(), handler=ScriptedHandler())
    server.start()
    yield server
    server.stop()
