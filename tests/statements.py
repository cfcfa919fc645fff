"""The SQL statements an engine sends while a block runs, for tests that count queries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event


@contextmanager
def recorded_statements(
    engine: Engine, keep: Callable[[str], bool] = lambda _statement: True
) -> Iterator[list[str]]:
    """The statements `engine` sends while the block runs (those `keep` accepts)."""
    found: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if keep(statement):
            found.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", record)
