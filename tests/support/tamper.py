"""Ways to tamper with an audit chain directly in the database, as someone with write access to it might.

Each bypasses the repository; the inserted event even carries a correctly computed hash of its own, so only
the chain's links can give it away.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEventRow
from db.repositories.audit import recompute


async def edit_event(session: AsyncSession, document_id: str, seq: int, *, actor_id: str = "someone-else") -> None:
    await session.execute(
        update(AuditEventRow)
        .where(AuditEventRow.document_id == document_id, AuditEventRow.seq == seq)
        .values(actor_id=actor_id)
    )


async def delete_event(session: AsyncSession, document_id: str, seq: int) -> None:
    await session.execute(
        delete(AuditEventRow).where(AuditEventRow.document_id == document_id, AuditEventRow.seq == seq)
    )


async def _set_seq(session: AsyncSession, document_id: str, old: int, new: int) -> None:
    await session.execute(
        update(AuditEventRow).where(AuditEventRow.document_id == document_id, AuditEventRow.seq == old).values(seq=new)
    )


async def insert_event(session: AsyncSession, document_id: str, seq: int) -> None:
    """A forged event at ``seq``, linked to (and hashed over) its predecessor; the later events move up one."""
    rows = (
        await session.scalars(
            select(AuditEventRow).where(AuditEventRow.document_id == document_id).order_by(AuditEventRow.seq.desc())
        )
    ).all()
    by_seq = {r.seq: r for r in rows}
    template = by_seq[seq]
    prev_hash = by_seq[seq - 1].hash if seq > 1 else template.prev_hash
    moved = [r.seq for r in rows if r.seq >= seq]
    session.expunge_all()
    for old in moved:  # from the last one down, so no two rows ever share a seq
        await _set_seq(session, document_id, old, old + 1)
    forged = AuditEventRow(
        document_id=document_id,
        seq=seq,
        action="approve",
        actor_id="forger",
        at=datetime.now(UTC),
        version=template.version,
        content_hash=template.content_hash,
        detail={"comment": "後から挿入"},
        prev_hash=prev_hash,
    )
    forged.hash = recompute(forged, prev_hash=prev_hash)
    session.add(forged)
    await session.flush()


async def append_event(session: AsyncSession, document_id: str) -> None:
    """A forged event after the last one, correctly linked and hashed (only the chain's head gives it away)."""
    last = (
        await session.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.document_id == document_id)
            .order_by(AuditEventRow.seq.desc())
            .limit(1)
        )
    ).one()
    forged = AuditEventRow(
        document_id=document_id,
        seq=last.seq + 1,
        action="approve",
        actor_id="forger",
        at=datetime.now(UTC),
        version=last.version,
        content_hash=last.content_hash,
        detail={},
        prev_hash=last.hash,
    )
    forged.hash = recompute(forged, prev_hash=last.hash)
    session.add(forged)
    await session.flush()


async def swap_events(session: AsyncSession, document_id: str, a: int, b: int) -> None:
    """Reorder: events ``a`` and ``b`` trade places (their content untouched)."""
    await _set_seq(session, document_id, a, -1)
    await _set_seq(session, document_id, b, a)
    await _set_seq(session, document_id, -1, b)
