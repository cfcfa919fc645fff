"""A pooled PostgreSQL connection is pinged on checkout only after it sat idle (issue 16: a
ping on every checkout was a tenth of a tender page's samples), and one the server closed
while it sat idle is still replaced before use, as `pool_pre_ping` did."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, text

from scanner.storage.database import PING_AFTER_IDLE, make_engine


def _counting_pings(engine: Engine) -> list[int]:
    """The dialect's own ping, counted (each call still pings the server)."""
    calls: list[int] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        calls.append(1)
        return ping(dbapi_connection)

    engine.dialect.do_ping = counted  # type: ignore[method-assign]
    return calls


def _pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT pg_backend_pid()")))


def test_a_connection_taken_again_at_once_is_not_pinged_one_left_idle_is(
    postgres_url: str,
) -> None:
    engine = make_engine(postgres_url, pool_size=1, max_overflow=0)
    pings = _counting_pings(engine)
    first = _pid(engine)  # a new connection: never pinged
    assert [_pid(engine) for _ in range(3)] == [first] * 3
    assert pings == []
    time.sleep(PING_AFTER_IDLE + 0.2)
    assert _pid(engine) == first
    assert len(pings) == 1
    engine.dispose()


def test_a_connection_the_server_closed_while_idle_is_replaced_before_use(
    postgres_url: str,
) -> None:
    engine = make_engine(postgres_url, pool_size=1, max_overflow=0)
    admin = make_engine(postgres_url)
    pings = _counting_pings(engine)
    first = _pid(engine)
    with admin.begin() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    time.sleep(PING_AFTER_IDLE + 0.2)
    second = _pid(engine)  # no error: the ping found it closed and a new one was made
    assert second != first
    assert len(pings) == 1
    engine.dispose()
    admin.dispose()
