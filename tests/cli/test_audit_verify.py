"""`ringi audit verify`: intact chains pass; an altered, a deleted, a moved, an inserted, two swapped, a deleted
last and an appended event are each named."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from sqlalchemy import update
from typer.testing import CliRunner

from cli.main import app
from core.settings import Settings
from db.models import AuditEventRow
from db.repositories.audit import AuditRepository
from db.seed import seed_demo
from db.session import create_engine, create_sessionmaker
from tests.support.documents import document_row
from tests.support.stack import holder
from tests.support.tamper import append_event, delete_event, edit_event, insert_event, swap_events

DRAFTER = holder("somu.somu", "staff")


async def _documents_with_chains(url: str, count: int) -> list[str]:
    engine = create_engine(url)
    ids = []
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            for n in range(count):
                doc = document_row(id=f"doc-{n}", amount_yen=1, drafter_id=DRAFTER)
                session.add(doc)
                await session.flush()
                for action in ("create", "submit", "approve"):
                    await AuditRepository(session).append(
                        document_id=doc.id,
                        action=action,
                        actor_id=DRAFTER,
                        at=doc.created_at,
                        version=1,
                        content_hash=doc.content_hash,
                        detail={},
                    )
                ids.append(doc.id)
    finally:
        await engine.dispose()
    return ids


async def _tamper(url: str) -> None:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            await edit_event(session, "doc-0", 2)
            await delete_event(session, "doc-1", 2)
            await session.execute(
                update(AuditEventRow).where(AuditEventRow.document_id == "doc-2", AuditEventRow.seq == 3).values(seq=4)
            )
            await insert_event(session, "doc-4", 2)
            await swap_events(session, "doc-5", 2, 3)
            await delete_event(session, "doc-6", 3)
            await append_event(session, "doc-7")
    finally:
        await engine.dispose()


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The command configures logging onto CliRunner's stderr, which closes afterwards: undo it for later tests."""
    handlers = list(logging.getLogger().handlers)
    yield
    structlog.reset_defaults()
    for handler in logging.getLogger().handlers[:]:
        if handler not in handlers:
            logging.getLogger().removeHandler(handler)


@pytest.fixture
def database(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Eight documents with three events each, on SQLite and on PostgreSQL."""
    asyncio.run(seed_demo(Settings(database_url=database_url, data_dir=tmp_path)))
    asyncio.run(_documents_with_chains(database_url, 8))
    monkeypatch.setenv("RINGI_DATABASE_URL", database_url)
    return database_url


def test_intact_chains_pass(database: str) -> None:
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "8 chains checked, 8 intact, 0 broken" in result.output


def test_altered_deleted_moved_inserted_and_swapped_events_are_named(database: str) -> None:
    asyncio.run(_tamper(database))
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "doc-0: event 2 was altered" in result.output
    assert "doc-1: event 2 is missing" in result.output
    assert "doc-2: event 3 is missing" in result.output  # a row moved to another place in the chain
    assert "doc-3" not in result.output
    assert "doc-4: event 3 does not link to event 2" in result.output  # the one after the forged event
    assert "doc-5: event 2 does not link to event 1" in result.output
    assert "doc-6: event 3 is missing (the chain ends at event 3)" in result.output  # the last one
    assert "doc-7: event 4 was added after the chain's last event 3" in result.output
    assert "8 chains checked, 1 intact, 7 broken" in result.output
