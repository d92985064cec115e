"""Who may see which document, in SQL: the document lists filter with the same rule as a single read.

The rule is ``domain.visibility.sees``; ``visible_to`` mirrors it clause by clause as a WHERE condition (a test,
tests/db/test_visibility_filter.py, holds the two together on sample data).  Change both or neither.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    CirculationReaderRow,
    DocumentRow,
    PostAssignmentRow,
    PostReviewRow,
    ReceiptRow,
    RouteStepRow,
    StaffRoleRow,
    StaffRow,
)
from domain.visibility import Viewer, viewer_of


async def units_held(session: AsyncSession, staff_id: str, *, as_of: date) -> frozenset[str]:
    stmt = select(PostAssignmentRow.org_unit_code).where(
        PostAssignmentRow.staff_id == staff_id,
        PostAssignmentRow.effective_from <= as_of,
        or_(PostAssignmentRow.effective_to.is_(None), PostAssignmentRow.effective_to > as_of),
    )
    return frozenset((await session.scalars(stmt)).all())


async def roles_held(session: AsyncSession, staff_id: str) -> frozenset[str]:
    stmt = select(StaffRoleRow.role).where(StaffRoleRow.staff_id == staff_id)
    return frozenset((await session.scalars(stmt)).all())


async def viewer_on(session: AsyncSession, staff: StaffRow, *, as_of: date) -> Viewer:
    """``staff`` as the visibility rule sees them on ``as_of``: their posts' units and their role grants."""
    units = await units_held(session, staff.id, as_of=as_of)
    roles = await roles_held(session, staff.id)
    return viewer_of(staff.id, is_admin=staff.is_admin, units=units, roles=roles)


async def owes_post_review(session: AsyncSession, document_id: str, staff_id: str) -> bool:
    stmt = select(PostReviewRow.id).where(PostReviewRow.document_id == document_id, PostReviewRow.staff_id == staff_id)
    return (await session.scalar(stmt.limit(1))) is not None


def visible_to(viewer: Viewer) -> ColumnElement[bool]:
    """``domain.visibility.sees`` as SQL: the documents ``viewer`` may see — all for an administrator or the
    records office; else drafted by them or in their unit, with them on the route (assignee, actor), owing a
    後閲, or with a pending step of someone they stand in for (代決)."""
    if viewer.sees_all:
        return true()
    on_route = exists().where(
        RouteStepRow.document_id == DocumentRow.id,
        or_(RouteStepRow.assignee_id == viewer.staff_id, RouteStepRow.acted_by == viewer.staff_id),
    )
    post_review = exists().where(PostReviewRow.document_id == DocumentRow.id, PostReviewRow.staff_id == viewer.staff_id)
    substitute = (
        exists().where(
            RouteStepRow.document_id == DocumentRow.id,
            RouteStepRow.state == "pending",
            RouteStepRow.assignee_id.in_(viewer.substituting_for),
        )
        if viewer.substituting_for
        else false()
    )
    return or_(
        DocumentRow.drafter_id == viewer.staff_id,
        DocumentRow.org_unit_code.in_(viewer.units) if viewer.units else false(),
        on_route,
        post_review,
        substitute,
    )


def receipt_visible_to(viewer: Viewer) -> ColumnElement[bool]:
    """``domain.visibility.sees`` for a receipt as SQL, with the facts ``ReceiptService._visible`` gives it: the
    registrar as drafter, the assigned unit as the unit, the 供覧 readers as the route."""
    if viewer.sees_all:
        return true()
    reader = exists().where(
        CirculationReaderRow.receipt_id == ReceiptRow.id, CirculationReaderRow.reader_id == viewer.staff_id
    )
    return or_(
        ReceiptRow.registered_by == viewer.staff_id,
        ReceiptRow.assigned_unit.in_(viewer.units) if viewer.units else false(),
        reader,
    )


async def visible_page(
    session: AsyncSession, viewer: Viewer, *, statuses: Collection[str] = (), limit: int, offset: int
) -> tuple[list[DocumentRow], int]:
    """A page of the documents ``viewer`` may see, newest first, and how many there are."""
    where = and_(visible_to(viewer), DocumentRow.status.in_(statuses) if statuses else true())
    total = await session.scalar(select(func.count()).select_from(DocumentRow).where(where))
    stmt = (
        select(DocumentRow)
        .where(where)
        .order_by(DocumentRow.created_at.desc(), DocumentRow.id)
        .limit(limit)
        .offset(offset)
    )
    return list((await session.scalars(stmt)).all()), int(total or 0)
