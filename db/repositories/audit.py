"""Audit events: an append-only, per-document hash chain (改ざん検知)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import GENESIS_HASH, event_hash
from db.models import AuditEventRow, AuditHeadRow, DocumentRow


@dataclass(frozen=True)
class AuditEntry:
    """One event to append: what was done, by whom, when, to which version of the content."""

    action: str
    actor_id: str
    at: datetime
    version: int
    content_hash: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class ChainCheck:
    verified: bool
    problem: str | None = None


def recompute(row: AuditEventRow, *, prev_hash: str) -> str:
    return event_hash(
        prev_hash=prev_hash,
        document_id=row.document_id,
        seq=row.seq,
        action=row.action,
        actor_id=row.actor_id,
        at=row.at,
        version=row.version,
        content_hash=row.content_hash,
        detail=row.detail,
    )


def verify_chain(rows: Sequence[AuditEventRow]) -> ChainCheck:
    """Each row must link to its predecessor and hash to its own stored value; seqs run 1..n without gaps."""
    prev = GENESIS_HASH
    for expected_seq, row in enumerate(rows, start=1):
        if row.seq != expected_seq:
            return ChainCheck(False, f"event {expected_seq} is missing (found seq {row.seq})")
        if row.prev_hash != prev:
            return ChainCheck(False, f"event {row.seq} does not link to event {row.seq - 1}")
        if recompute(row, prev_hash=prev) != row.hash:
            return ChainCheck(False, f"event {row.seq} was altered")
        prev = row.hash
    return ChainCheck(True)


def verify_with_head(rows: Sequence[AuditEventRow], head: AuditHeadRow | None) -> ChainCheck:
    """``verify_chain``, and the chain must end where its head says: a deleted or an added last event shows."""
    check = verify_chain(rows)
    if not check.verified or (head is None and not rows):
        return check
    if head is None:
        return ChainCheck(False, "the chain's head record is missing")
    last_seq, last_hash = (rows[-1].seq, rows[-1].hash) if rows else (0, GENESIS_HASH)
    if head.seq > last_seq:
        return ChainCheck(False, f"event {last_seq + 1} is missing (the chain ends at event {head.seq})")
    if head.seq < last_seq:
        return ChainCheck(False, f"event {head.seq + 1} was added after the chain's last event {head.seq}")
    if head.hash != last_hash:
        return ChainCheck(False, f"event {last_seq} was replaced (it does not match the chain's head)")
    return ChainCheck(True)


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def last(self, document_id: str) -> AuditEventRow | None:
        stmt = (
            select(AuditEventRow)
            .where(AuditEventRow.document_id == document_id)
            .order_by(AuditEventRow.seq.desc())
            .limit(1)
        )
        return (await self._session.scalars(stmt)).one_or_none()

    async def append_for(
        self, row: DocumentRow, action: str, actor_id: str, at: datetime, detail: dict[str, Any]
    ) -> AuditEventRow:
        """``append`` for ``row`` as it stands (its version and content hash)."""
        return await self.append(
            document_id=row.id,
            action=action,
            actor_id=actor_id,
            at=at,
            version=row.version,
            content_hash=row.content_hash,
            detail=detail,
        )

    async def append(
        self,
        *,
        document_id: str,
        action: str,
        actor_id: str,
        at: datetime,
        version: int,
        content_hash: str,
        detail: dict[str, Any],
    ) -> AuditEventRow:
        """Link a new event to the document's last one (``extend`` with one entry)."""
        entry = AuditEntry(action, actor_id, at, version, content_hash, detail)
        (row,) = await self.extend(document_id, [entry])
        return row

    async def extend(self, document_id: str, entries: Sequence[AuditEntry]) -> list[AuditEventRow]:
        """Link ``entries``, in order, to the document's last event; one read of the chain's head, one write of
        its new head and one insert for them all.

        Appenders (the projection, the API's views and uploads) are serialised per document so the chain cannot
        fork: on PostgreSQL by a row lock on the head (or, for a chain's first event, on the document), taken
        here; on SQLite by the write lock of the caller's ``begin_write`` transaction. Lock order on PostgreSQL:
        the document row FOR NO KEY UPDATE, then the head, then any key update of the document (its 文書番号):
        an appender holding the head needs KEY SHARE on the document for its foreign key.
        """
        if not entries:
            return []
        head = await self._locked_head(document_id)
        if head is not None:
            seq, prev_hash = head.seq, head.hash
        else:  # the chain's first event (no head to lock yet): lock the document, then look again
            await self._session.execute(
                select(DocumentRow.id).where(DocumentRow.id == document_id).with_for_update(key_share=True)
            )
            head = await self._locked_head(document_id)
            last = await self.last(document_id) if head is None else None
            if head is not None:
                seq, prev_hash = head.seq, head.hash
            else:
                seq, prev_hash = (last.seq, last.hash) if last is not None else (0, GENESIS_HASH)
        rows = []
        for entry in entries:
            seq += 1
            row = AuditEventRow(
                document_id=document_id,
                seq=seq,
                action=entry.action,
                actor_id=entry.actor_id,
                at=entry.at,
                version=entry.version,
                content_hash=entry.content_hash,
                detail=entry.detail,
                prev_hash=prev_hash,
            )
            row.hash = prev_hash = recompute(row, prev_hash=prev_hash)
            rows.append(row)
        self._session.add_all(rows)
        if head is None:
            self._session.add(AuditHeadRow(document_id=document_id, seq=seq, hash=prev_hash))
        else:
            head.seq, head.hash = seq, prev_hash
        await self._session.flush()
        return rows

    async def _locked_head(self, document_id: str) -> AuditHeadRow | None:
        """The chain's head as stored now (not the identity map's copy), locked for this transaction."""
        stmt = (
            select(AuditHeadRow)
            .where(AuditHeadRow.document_id == document_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self._session.scalars(stmt)).one_or_none()

    async def head(self, document_id: str) -> AuditHeadRow | None:
        return await self._session.get(AuditHeadRow, document_id)

    async def has_any(self, document_id: str, actions: Iterable[str]) -> bool:
        """Whether the chain holds an event of one of ``actions`` (e.g. any approval, ever)."""
        stmt = (
            select(AuditEventRow.seq)
            .where(AuditEventRow.document_id == document_id, AuditEventRow.action.in_(list(actions)))
            .limit(1)
        )
        return (await self._session.scalar(stmt)) is not None

    async def list(self, document_id: str) -> list[AuditEventRow]:
        stmt = select(AuditEventRow).where(AuditEventRow.document_id == document_id).order_by(AuditEventRow.seq)
        return list((await self._session.scalars(stmt)).all())

    async def verify_all(self) -> Sequence[tuple[str, ChainCheck]]:
        """Every document's chain (events or a head), verified against its head: (document id, result), in order."""
        ids = await self._session.scalars(
            select(AuditEventRow.document_id).union(select(AuditHeadRow.document_id)).order_by("document_id")
        )
        return [
            (document_id, verify_with_head(await self.list(document_id), await self.head(document_id)))
            for document_id in ids.all()
        ]
