"""`ringi audit verify`: intact chains pass; an altered, a deleted and a moved event are each named."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog
from sqlalchemy import delete, update
from typer.testing import CliRunner

from cli.main import app
from core.audit import content_hash
from core.settings import Settings
from db.migrate import upgrade
from db.models import AuditEventRow, DocumentRow
from db.repositories.audit import AuditRepository
from db.seed import seed_demo
from db.session import create_engine, create_sessionmaker
from tests.support.stack import holder

DRAFTER = holder("somu.somu", "staff")


async def _documents_with_chains(url: str, count: int) -> list[str]:
    engine = create_engine(url)
    ids = []
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            for n in range(count):
                now = datetime.now(UTC)
                doc = DocumentRow(
                    id=f"doc-{n}",
                    title="t",
                    body="b",
                    matter="spending",
                    amount_yen=1,
                    confidentiality=1,
                    retention_years=5,
                    drafter_id=DRAFTER,
                    org_unit_code="somu.somu",
                    status="draft",
                    version=1,
                    content_hash=content_hash(title="t", body="b", amount_yen=1, matter="spending"),
                    projected_seq=0,
                    created_at=now,
                    updated_at=now,
                )
                session.add(doc)
                await session.flush()
                for action in ("create", "submit", "approve"):
                    await AuditRepository(session).append(
                        document_id=doc.id,
                        action=action,
                        actor_id=DRAFTER,
                        at=now,
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
            await session.execute(
                update(AuditEventRow)
                .where(AuditEventRow.document_id == "doc-0", AuditEventRow.seq == 2)
                .values(actor_id="someone-else")
            )
            await session.execute(
                delete(AuditEventRow).where(AuditEventRow.document_id == "doc-1", AuditEventRow.seq == 2)
            )
            await session.execute(
                update(AuditEventRow).where(AuditEventRow.document_id == "doc-2", AuditEventRow.seq == 3).values(seq=4)
            )
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
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ringi.db'}"
    upgrade(url)
    asyncio.run(seed_demo(Settings(database_url=url, data_dir=tmp_path)))
    asyncio.run(_documents_with_chains(url, 4))
    monkeypatch.setenv("RINGI_DATABASE_URL", url)
    return url


def test_intact_chains_pass(database: str) -> None:
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "4 chains checked, 4 intact, 0 broken" in result.output


def test_altered_deleted_and_moved_events_are_named(database: str) -> None:
    asyncio.run(_tamper(database))
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "doc-0: event 2 was altered" in result.output
    assert "doc-1: event 2 is missing" in result.output
    assert "doc-2: event 3 is missing" in result.output  # a row moved to another place in the chain
    assert "doc-3" not in result.output
    assert "4 chains checked, 1 intact, 3 broken" in result.output
