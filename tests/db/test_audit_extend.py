"""The audit chain grows from its head: several events in one append link in order, and appenders racing on one
document never fork the chain (on PostgreSQL by the head's row lock, on SQLite by the write lock)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from core.settings import Settings
from db.repositories.audit import AuditEntry, AuditRepository, verify_with_head
from db.seed import seed_demo
from db.session import begin_write, create_engine, create_sessionmaker
from tests.support.documents import document_row
from tests.support.stack import holder

DRAFTER = holder("somu.somu", "staff")
AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def entry(action: str, n: int = 0) -> AuditEntry:
    return AuditEntry(action, DRAFTER, AT, 1, "h" * 64, {"n": n})


async def test_events_appended_together_and_apart_form_one_verified_chain(database_url: str, tmp_path: Path) -> None:
    await seed_demo(Settings(database_url=database_url, data_dir=tmp_path))
    engine = create_engine(database_url)
    sessions = create_sessionmaker(engine)
    try:
        async with sessions() as session, session.begin():
            doc = document_row(id="doc-x", drafter_id=DRAFTER)
            session.add(doc)
            await session.flush()
            await AuditRepository(session).append_for(doc, "create", DRAFTER, AT, {})
        async with sessions() as session, session.begin():
            await begin_write(session)
            rows = await AuditRepository(session).extend("doc-x", [entry("submit"), entry("approve"), entry("edit")])
            assert [r.seq for r in rows] == [2, 3, 4]
            assert await AuditRepository(session).extend("doc-x", []) == []
        async with sessions() as session:
            audit = AuditRepository(session)
            chain = await audit.list("doc-x")
            head = await audit.head("doc-x")
            assert [e.action for e in chain] == ["create", "submit", "approve", "edit"]
            assert head is not None and (head.seq, head.hash) == (4, chain[-1].hash)
            assert verify_with_head(chain, head).verified
    finally:
        await engine.dispose()


async def test_racing_appenders_do_not_fork_the_chain(database_url: str, tmp_path: Path) -> None:
    await seed_demo(Settings(database_url=database_url, data_dir=tmp_path))
    engine = create_engine(database_url)
    sessions = create_sessionmaker(engine)
    try:
        async with sessions() as session, session.begin():
            doc = document_row(id="doc-y", drafter_id=DRAFTER)
            session.add(doc)
            await session.flush()
            await AuditRepository(session).append_for(doc, "create", DRAFTER, AT, {})

        async def view(n: int) -> None:
            async with sessions() as session, session.begin():
                await begin_write(session)
                await AuditRepository(session).extend("doc-y", [entry("view", n)])

        await asyncio.gather(*(view(n) for n in range(8)))
        async with sessions() as session:
            audit = AuditRepository(session)
            chain = await audit.list("doc-y")
            assert [e.seq for e in chain] == list(range(1, 10))
            assert sorted(e.detail["n"] for e in chain[1:]) == list(range(8))
            assert verify_with_head(chain, await audit.head("doc-y")).verified
    finally:
        await engine.dispose()
