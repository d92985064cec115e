"""Alembic environment: async engine, ringi's metadata, batch mode for SQLite.

The one place that says how ringi migrates, whichever way Alembic is started: ``db.migrate`` (``ringi migrate``,
tests, the installed wheel) passes the URL; the ``alembic`` command (``alembic.ini`` at the repository root, for
``alembic revision --autogenerate``) leaves it to ``RINGI_DATABASE_URL`` as the app reads it.  A new revision is
numbered after the head (``0002_slug.py``, ``Revision ID: 0002``), as tests/db/test_migration_order.py demands.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from alembic.operations.ops import MigrationScript
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from core.settings import Settings
from db.models import Base, UtcDateTime
from db.search_index import in_models
from db.session import create_engine

config = context.config
target_metadata = Base.metadata


def _database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings().database_url


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write our UTC type as the plain column type it stores, so a revision needs no import of db.models."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _number_next(context: MigrationContext, revision: Any, directives: list[MigrationScript]) -> None:
    """Number a new revision one after the head (unless ``--rev-id`` was given): the chain stays in order."""
    if getattr(config.cmd_opts, "rev_id", None) or not directives:
        return
    head = ScriptDirectory.from_config(config).get_current_head()
    directives[0].rev_id = f"{int(head or 0) + 1:04d}"


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_item=_render_item,
        process_revision_directives=_number_next,
        include_name=in_models,
        **kwargs,
    )


def _run(connection: Connection) -> None:
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(_database_url(), foreign_keys=False)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


def _run_in_thread() -> None:
    # Alembic may be called from inside a running event loop (tests, `ringi dev`): run ours in a thread.
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_run_async())
        return
    import threading

    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(_run_async())
        except BaseException as exc:  # re-raised below in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


if context.is_offline_mode():
    _configure(url=_database_url())
    with context.begin_transaction():
        context.run_migrations()
else:
    _run_in_thread()
