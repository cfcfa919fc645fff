"""`column IN (values)` as each database reads it fastest.

SQLAlchemy expands `in_` into one parameter per value. On PostgreSQL a lookup of 500 keys is
then a statement of 500 placeholders, longer than psycopg's statement cache keeps (4 KB), so
psycopg rewrites its placeholders every time and the server parses and plans it anew;
`column = ANY(array)` is one parameter, the same text every time, prepared once per
connection. SQLite has no arrays: it keeps `in_`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, any_, bindparam
from sqlalchemy.dialects import postgresql

__all__ = ["among"]


def among(conn: Connection, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """`column` is one of `values` (a condition for `where`)."""
    if conn.dialect.name == "postgresql":
        array = bindparam(None, list(values), type_=postgresql.ARRAY(column.type))
        return cast(ColumnElement[bool], column == any_(array))
    return cast(ColumnElement[bool], column.in_(values))
