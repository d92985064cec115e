"""Migration 0005 gives the audit chains that already exist their heads, so they verify afterwards."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import delete, select

from core.settings import Settings
from db.migrate import alembic_config, downgrade, upgrade
from db.models import AuditHeadRow
from db.repositories.audit import AuditRepository
from db.seed import seed_demo
from db.session import create_engine, create_sessionmaker
from tests.support.documents import document_row
from tests.support.stack import holder

DRAFTER = holder("somu.somu", "staff")


async def test_existing_chains_get_their_heads(database_url: str, tmp_path: Path) -> None:
    await seed_demo(Settings(database_url=database_url, data_dir=tmp_path))
    engine = create_engine(database_url)
    try:
        sessions = create_sessionmaker(engine)
        async with sessions() as session, session.begin():
            for d, events in (("doc-a", 3), ("doc-b", 1)):
                now = datetime.now(UTC)
                session.add(document_row(id=d, amount_yen=1, drafter_id=DRAFTER))
                await session.flush()
                for _ in range(events):
                    await AuditRepository(session).append(
                        document_id=d, action="x", actor_id=DRAFTER, at=now, version=1, content_hash="", detail={}
                    )
            expected = {(h.document_id, h.seq, h.hash) for h in (await session.scalars(select(AuditHeadRow))).all()}
            await session.execute(delete(AuditHeadRow))  # as before migration 0005
    finally:
        await engine.dispose()

    before_0005 = ScriptDirectory.from_config(alembic_config(database_url)).get_revision("0005").down_revision
    assert isinstance(before_0005, str)
    downgrade(database_url, before_0005)
    upgrade(database_url)

    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            heads = {(h.document_id, h.seq, h.hash) for h in (await session.scalars(select(AuditHeadRow))).all()}
            results = await AuditRepository(session).verify_all()
    finally:
        await engine.dispose()
    assert heads == expected and {d for d, _, _ in heads} == {"doc-a", "doc-b"}
    assert [(d, c.verified) for d, c in results] == [("doc-a", True), ("doc-b", True)]
