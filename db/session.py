"""Engine and session factory.  Built explicitly by the composition roots (worker, API, CLI), never at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

#: Execution options of a unit of work that writes: on SQLite it takes the write lock at BEGIN.
WRITE: dict[str, Any] = {"sqlite_begin": "IMMEDIATE"}
#: ``session.info`` key: the transaction that ``begin_write`` began as a writer.
_WRITER = "ringi.writer"


def create_engine(database_url: str, *, foreign_keys: bool = True, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout so API and worker can share the file.

    Migrations pass ``foreign_keys=False``: SQLite's batch mode rebuilds a table by dropping it, and with foreign
    keys on, that drop would cascade into every table that references it (audit events, route steps …).

    Every session's flush keeps the search index in step (``db.search_index.install``)."""
    from db.search_index import install  # db.models loads with the first engine, not at import

    install()
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas if foreign_keys else _sqlite_pragmas_no_fk)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_async_engine(database_url, **kwargs)
    event.listen(engine.sync_engine, "handle_error", _broken_is_a_disconnect)
    return engine


#: What asyncpg says of a connection broken in the middle of an operation (its backend terminated, its last
#: query cancelled half-way): the connection is unusable, though asyncpg does not (yet) call it closed.
_BROKEN = (
    "cannot switch to state",
    "another operation is in progress",
    "another operation is cancelling",
    "connection is closed",
    "not connected",
)


def connection_broken(exc: BaseException) -> bool:
    """Whether ``exc`` says the database connection under it is lost: invalidated by SQLAlchemy (a disconnect), or
    asyncpg's InterfaceError / InternalClientError of a connection broken mid-operation (found by bench/chaos.py's
    pg_terminate_backend, which answered 500 with "cannot switch to state …; another operation is in progress")."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    import asyncpg  # type: ignore[import-untyped]  # a dependency of ringi, only needed here

    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:  # SQLAlchemy's wrapper → the dialect's → asyncpg's own
        seen.add(id(error))
        if isinstance(error, asyncpg.InterfaceError | asyncpg.InternalClientError):
            message = str(error)
            return any(phrase in message for phrase in _BROKEN)
        error = getattr(error, "orig", None) or error.__cause__
    return False


def _broken_is_a_disconnect(context: ExceptionContext) -> None:
    """Such an error counts as a disconnect: SQLAlchemy invalidates the connection (the pool discards it, and the
    connections checked in before it) and marks the raised error ``connection_invalidated``; on a pre-ping, the
    pool reconnects instead of failing the checkout."""
    if not context.is_disconnect and connection_broken(context.original_exception):
        context.is_disconnect = True


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
    """Start ``session``'s transaction as a writer (call first thing in a writing unit of work).

    A no-op when the transaction already began as one (a ``writing`` unit that calls a helper which asks too)."""
    if session.in_transaction() and session.info.get(_WRITER) is session.get_transaction():
        return
    await session.connection(execution_options=WRITE)
    session.info[_WRITER] = session.get_transaction()


async def release(session: AsyncSession) -> None:
    """End ``session``'s transaction so far (it commits what it holds) and give its connection back to the pool.

    A request's one session calls this before it waits on another system (HR, Temporal), so that no pooled
    connection is held while they answer, and so that its next read starts a new transaction: on SQLite (WAL)
    a transaction keeps the snapshot of its first read, and would not see what the worker committed meanwhile.
    The rows read so far are detached (still readable): a later read loads them afresh instead of handing back
    the identity map's older copy.
    """
    if session.in_transaction():
        await session.commit()
    session.expunge_all()


async def start_writing(session: AsyncSession) -> None:
    """End the request's reads so far (sign-in, visibility) and begin a writer transaction: a SQLite read snapshot
    cannot become a writer, and a connection already begun ignores the writer's options.  The unit that follows
    commits (or rolls back) as the caller decides; ``writing`` does both for a block."""
    await release(session)
    await begin_write(session)


@asynccontextmanager
async def writing(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """A writing unit of work in a request's one session: whole or not at all.

    The reads before it (sign-in, visibility) end first: a SQLite read snapshot cannot become a writer, so the
    unit begins as one (``begin_write``).  It commits when the block succeeds and rolls back when it raises,
    whatever the caller then does with the exception (a page that shows the refusal must not commit half of it).
    """
    await start_writing(session)
    try:
        yield session
    except BaseException:
        await session.rollback()
        raise
    await session.commit()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
