"""Idempotency-Keys as first used (``idempotency_keys``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import IdempotencyKeyRow


class IdempotencyKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(
        self, *, staff_id: str, scope: str, key: str, operation: str, fingerprint: str, at: datetime
    ) -> tuple[IdempotencyKeyRow, bool]:
        """The key's first use, and whether it is this one (recorded now) or an earlier one (left as it was)."""
        insert = pg_insert if self._session.get_bind().dialect.name == "postgresql" else sqlite_insert
        identity = {"staff_id": staff_id, "scope": scope, "key": key}
        stmt = insert(IdempotencyKeyRow).values(
            {**identity, "operation": operation, "fingerprint": fingerprint, "created_at": at}
        )
        result = await self._session.execute(stmt.on_conflict_do_nothing(index_elements=list(identity)))
        fresh = isinstance(result, CursorResult) and result.rowcount == 1
        row = await self._session.get(IdempotencyKeyRow, (staff_id, scope, key), populate_existing=True)
        assert row is not None
        return row, fresh

    async def forget(self, *, staff_id: str, scope: str, key: str) -> None:
        await self._session.execute(
            delete(IdempotencyKeyRow).where(
                IdempotencyKeyRow.staff_id == staff_id, IdempotencyKeyRow.scope == scope, IdempotencyKeyRow.key == key
            )
        )
