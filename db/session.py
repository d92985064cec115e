"""Engine and session factory.  Built explicitly by the composition roots (worker, API, CLI), never at import."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

#: Execution options of a unit of work that writes: on SQLite it takes the write lock at BEGIN.
WRITE: dict[str, Any] = {"sqlite_begin": "IMMEDIATE"}


def create_engine(database_url: str, *, foreign_keys: bool = True, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout so API and worker can share the file.

    Migrations pass ``foreign_keys=False``: SQLite's batch mode rebuilds a table by dropping it, and with foreign
    keys on, that drop would cascade into every table that references it (audit events, route steps …)."""
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas if foreign_keys else _sqlite_pragmas_no_fk)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(database_url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, foreign_keys: bool = True) -> None:
    # We emit BEGIN ourselves (below); the driver's implicit one would be a plain deferred BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_pragmas_no_fk(dbapi_connection: Any, record: Any) -> None:
    _sqlite_pragmas(dbapi_connection, record, foreign_keys=False)


def _sqlite_begin(connection: Connection) -> None:
    """A deferred transaction that reads, then writes, fails at once with "database is locked" when another
    writer committed in between (WAL snapshots cannot be upgraded); a writing unit of work therefore asks for
    the lock up front (BEGIN IMMEDIATE), and then waits its turn under the busy timeout."""
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


async def begin_write(session: AsyncSession) -> None:
    """Start ``session``'s transaction as a writer (call first thing in a writing unit of work)."""
    await session.connection(execution_options=WRITE)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
