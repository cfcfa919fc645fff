"""Engine creation and schema management (Alembic migrations run by `lotwise init`)."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:  # alembic is imported when migrating only: a crawl process never does
    from alembic.config import Config
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from scanner.settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def dump_json(value: Any) -> str:
    """JSON columns are written with orjson (several times faster than `json.dumps`); values
    orjson refuses, such as integers beyond 64 bits in a payload, fall back to the stdlib."""
    try:
        return orjson.dumps(value, default=_json_default).decode()
    except TypeError:
        return json.dumps(value, default=_json_default)


def dump_json_bytes(value: Any) -> bytes | str:
    """`dump_json` for PostgreSQL: psycopg sends bytes as they are, so orjson's output skips a
    decode and psycopg's encode of every JSON value."""
    try:
        return orjson.dumps(value, default=_json_default)
    except TypeError:
        return json.dumps(value, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def make_engine(
    url: str,
    *,
    connect_timeout: float | None = None,
    statement_timeout: float | None = None,
    **kwargs: Any,
) -> Engine:
    """An engine for `url`. For SQLite the parent directory is created, WAL mode and a busy
    timeout are set so a crawl writer and readers (CLI, web) do not block each other.

    On PostgreSQL, `connect_timeout` (seconds) bounds connecting, including a server that
    accepts the connection and never answers, and `statement_timeout` (seconds, 0 for none)
    is set on every connection, so no command hangs on the database forever. A pooled
    PostgreSQL connection is checked (pinged) before use when it sat idle in the pool for
    `PING_AFTER_IDLE` seconds or more (`ping_when_idle`)."""
    kwargs.setdefault("json_serializer", dump_json)
    kwargs.setdefault("json_deserializer", orjson.loads)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and kwargs["json_serializer"] is dump_json:
        kwargs["json_serializer"] = dump_json_bytes
    if connect_timeout is not None:
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args.setdefault("connect_timeout", max(1, math.ceil(connect_timeout)))
        kwargs["connect_args"] = connect_args
    engine = create_engine(url, **kwargs)
    ping_when_idle(engine)
    if statement_timeout:
        milliseconds = int(statement_timeout * 1000)
        event.listen(engine, "connect", lambda dbapi, _record: _set_timeout(dbapi, milliseconds))
    return engine


def settings_engine(settings: Settings, **kwargs: Any) -> Engine:
    """The engine of every Lotwise process (CLI, `lotwise serve`, the scheduler, the crawl
    child): `settings.database_url` with the connect and statement timeouts of the settings,
    so none of them waits on the database forever, and the pool sizes of the settings (not for
    an in-memory SQLite database, which is one connection by nature)."""
    parsed = make_url(settings.database_url)
    if not (parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")):
        kwargs.setdefault("pool_size", settings.database_pool_size)
        kwargs.setdefault("max_overflow", settings.database_max_overflow)
        kwargs.setdefault("pool_timeout", settings.database_pool_timeout)
    return make_engine(
        settings.database_url,
        connect_timeout=settings.database_connect_timeout,
        statement_timeout=settings.database_statement_timeout,
        **kwargs,
    )


def database_failure(exc: OperationalError | PoolTimeout) -> str:
    """One line for a database that cannot be reached, a statement cut off or a pool with no
    free connection, naming the setting that decided it when a timeout fired."""
    if not hasattr(exc, "orig"):  # the pool's own timeout: no driver error behind it
        return (
            "Database busy: no free pooled connection (LOTWISE_DATABASE_POOL_SIZE, "
            f"LOTWISE_DATABASE_MAX_OVERFLOW, LOTWISE_DATABASE_POOL_TIMEOUT): {exc}"
        )
    first = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
    if "statement timeout" in first:
        return f"Database statement timed out (LOTWISE_DATABASE_STATEMENT_TIMEOUT): {first}"
    if "timeout expired" in first or "timed out" in first:
        return f"Database unavailable: no answer (LOTWISE_DATABASE_CONNECT_TIMEOUT): {first}"
    return f"Database unavailable: {first}"


# Seconds a pooled connection may sit unused before it is pinged on its next checkout.
PING_AFTER_IDLE = 1.0


def ping_when_idle(engine: Engine, after: float = PING_AFTER_IDLE) -> None:
    """Ping a pooled connection on checkout (as `pool_pre_ping`) only when it was given back
    `after` seconds ago or more: a server restart or a connection closed by the server or a
    firewall while it sat idle is then found and replaced before use, as before, and a busy
    server's connections, taken again within moments, skip the round trip (a ping on every
    checkout was about a tenth of a PostgreSQL tender page's samples, issue 16). A
    connection lost within the last moments fails its request as it could after a ping;
    SQLAlchemy then replaces every pooled connection older than the failure."""
    dialect = engine.dialect

    def given_back(_dbapi_connection: Any, record: Any) -> None:
        record.info["lotwise_idle_since"] = time.monotonic()

    def taken(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("lotwise_idle_since", None)
        if since is None or time.monotonic() - since < after:
            return  # new, or given back moments ago
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as error:
            if dialect.is_disconnect(error, dbapi_connection, None):  # type: ignore[arg-type]
                raise exc.DisconnectionError(str(error)) from error
            raise
        if not alive:
            raise exc.DisconnectionError("the database did not answer a ping")

    event.listen(engine, "checkin", given_back)
    event.listen(engine, "checkout", taken)


def _set_timeout(dbapi_connection: Any, milliseconds: int) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"SET statement_timeout = {int(milliseconds)}")
    cursor.close()
    dbapi_connection.commit()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade_schema(engine: Engine, target: str = "head") -> None:
    """Create or upgrade the schema to the latest migration (or to `target`)."""
    from alembic import command

    with _migrating(engine) as config:
        command.upgrade(config, target)


def downgrade_schema(engine: Engine, target: str) -> None:
    """Take the schema back to revision `target`, under the same care as an upgrade."""
    from alembic import command

    with _migrating(engine) as config:
        command.downgrade(config, target)


@contextmanager
def _migrating(engine: Engine) -> Iterator[Config]:
    """An Alembic config bound to one transaction of `engine`.

    On SQLite, foreign keys are off while migrating: Alembic's batch mode changes a column by
    copying the table and dropping the original, and with foreign keys on, that drop runs the
    ON DELETE actions of every row pointing at it (every lot and assessment of every tender).
    The pragma only changes outside a transaction, hence its own statement and commit; a
    foreign-key check must find nothing before the migration commits."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                config = alembic_config(engine)
                config.attributes["connection"] = connection
                yield config
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left rows without their parent: {broken}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


class StatisticsRefresher:
    """Keeps PostgreSQL's planner statistics current during a bulk load.

    Autovacuum refreshes statistics a minute or more after a table grows; until then the
    `ocid IN (...)` lookups of each batch can be planned as scans of the whole table (seen:
    re-ingest three times slower). ANALYZE is cheap, so it runs whenever the rows written
    by this run have grown `factor`-fold since the last refresh, starting at `first` rows.
    Other databases need nothing.
    """

    TABLES = ("releases", "tenders", "lots")

    def __init__(self, first: int = 2000, factor: int = 4) -> None:
        self.written = 0
        self.next_at = first
        self.factor = factor

    def after_write(self, conn: Connection, rows: int) -> bool:
        """Count `rows` written in `conn`'s transaction; True when statistics were refreshed."""
        self.written += rows
        if conn.dialect.name != "postgresql" or self.written < self.next_at:
            return False
        conn.execute(text(f"ANALYZE {', '.join(self.TABLES)}"))
        self.next_at = self.written * self.factor
        return True
