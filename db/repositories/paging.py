"""One page of a query in SQL: ``LIMIT``/``OFFSET`` on the ordered statement, and a ``COUNT`` of what it matches."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

R = TypeVar("R")


async def page_of(session: AsyncSession, stmt: Select[R], *, limit: int, offset: int) -> tuple[list[R], int]:
    """The rows of ``stmt`` (which must be ordered with a unique tie-breaker) from ``offset``, at most ``limit``, and
    how many it matches in all."""
    counted: Select[Any] = select(func.count()).select_from(stmt.order_by(None).subquery())
    total = int(await session.scalar(counted) or 0)
    rows = (await session.scalars(stmt.limit(limit).offset(offset))).all()
    return list(rows), total
