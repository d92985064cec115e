"""Receipts (収受): the 収受簿, each receipt's event chain (改ざん検知), and 供覧 readers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import GENESIS_HASH, event_hash
from db.models import CirculationReaderRow, ReceiptEventRow, ReceiptRow
from db.repositories.paging import page_of


class ReceiptRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: ReceiptRow) -> None:
        self._session.add(row)

    async def get(self, receipt_id: str, *, for_update: bool = False) -> ReceiptRow | None:
        if "\x00" in receipt_id:
            return None
        stmt = select(ReceiptRow).where(ReceiptRow.id == receipt_id)
        if for_update:  # FOR NO KEY UPDATE: its events' foreign-key checks (KEY SHARE) need not wait (no deadlock)
            stmt = stmt.with_for_update(key_share=True)
        return (await self._session.scalars(stmt)).one_or_none()

    async def register_page(
        self, *, fiscal_year: int | None, unit: str | None, limit: int, offset: int
    ) -> tuple[list[ReceiptRow], int]:
        """A page of the 収受簿, in number order."""
        stmt = select(ReceiptRow).order_by(ReceiptRow.fiscal_year, ReceiptRow.number_symbol, ReceiptRow.receipt_serial)
        if fiscal_year is not None:
            stmt = stmt.where(ReceiptRow.fiscal_year == fiscal_year)
        if unit is not None:
            stmt = stmt.where(ReceiptRow.assigned_unit == unit)
        return await page_of(self._session, stmt, limit=limit, offset=offset)

    async def events(self, receipt_id: str) -> list[ReceiptEventRow]:
        stmt = select(ReceiptEventRow).where(ReceiptEventRow.receipt_id == receipt_id).order_by(ReceiptEventRow.seq)
        return list((await self._session.scalars(stmt)).all())

    async def append(
        self, *, receipt_id: str, action: str, actor_id: str, at: datetime, detail: dict[str, Any]
    ) -> None:
        """Link a new event to the receipt's last one (callers hold the receipt's row lock or SQLite's write lock)."""
        last = (
            await self._session.scalars(
                select(ReceiptEventRow)
                .where(ReceiptEventRow.receipt_id == receipt_id)
                .order_by(ReceiptEventRow.seq.desc())
                .limit(1)
            )
        ).one_or_none()
        prev_hash = last.hash if last else GENESIS_HASH
        seq = (last.seq if last else 0) + 1
        digest = event_hash(
            prev_hash=prev_hash,
            document_id=receipt_id,
            seq=seq,
            action=action,
            actor_id=actor_id,
            at=at,
            version=0,
            content_hash="",
            detail=detail,
        )
        self._session.add(
            ReceiptEventRow(
                receipt_id=receipt_id,
                seq=seq,
                action=action,
                actor_id=actor_id,
                at=at,
                detail=detail,
                prev_hash=prev_hash,
                hash=digest,
            )
        )
        await self._session.flush()

    async def readers(self, receipt_id: str) -> list[CirculationReaderRow]:
        stmt = (
            select(CirculationReaderRow)
            .where(CirculationReaderRow.receipt_id == receipt_id)
            .order_by(CirculationReaderRow.reader_id)
        )
        return list((await self._session.scalars(stmt)).all())

    def add_reader(self, row: CirculationReaderRow) -> None:
        self._session.add(row)

    async def circulating_for(self, reader_id: str) -> list[tuple[ReceiptRow, CirculationReaderRow]]:
        """供覧 waiting for ``reader_id``: receipts in circulation that they have not confirmed, oldest first."""
        stmt = (
            select(ReceiptRow, CirculationReaderRow)
            .join(CirculationReaderRow, CirculationReaderRow.receipt_id == ReceiptRow.id)
            .where(
                CirculationReaderRow.reader_id == reader_id,
                CirculationReaderRow.read_at.is_(None),
                ReceiptRow.branch == "circulation",
                ReceiptRow.outcome == "circulating",
            )
            .order_by(CirculationReaderRow.since, ReceiptRow.id)
        )
        return [(r, c) for r, c in (await self._session.execute(stmt)).all()]
