"""The reports' queries: the pending steps of in-review documents, overdue 回答期限, the facts of who may read a
report and what it may name, and the month's 起案 / 決裁 / 収受 (the counting is ``domain.pending``'s)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    CirculationReaderRow,
    DocumentRow,
    OrgUnitRow,
    PostAssignmentRow,
    PostReviewRow,
    PostRow,
    ReceiptRow,
    RouteStepRow,
    StaffRow,
)
from domain.pending import HeldPost, ReportScope
from domain.receipts import REPLY_OWED_OUTCOMES
from domain.statuses import DECIDED


@dataclass(frozen=True)
class Holder:
    """A staff member in the post they hold on the report's day (the first, for 兼務)."""

    name: str
    org_unit_code: str
    org_unit_name: str
    post_code: str
    post_name: str


def _in_force(as_of: date) -> ColumnElement[bool]:
    return and_(
        PostAssignmentRow.effective_from <= as_of,
        or_(PostAssignmentRow.effective_to.is_(None), PostAssignmentRow.effective_to > as_of),
    )


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def posts_held(self, staff_id: str, *, as_of: date) -> list[HeldPost]:
        stmt = select(PostAssignmentRow.org_unit_code, PostAssignmentRow.post_code).where(
            PostAssignmentRow.staff_id == staff_id, _in_force(as_of)
        )
        return [HeldPost(org_unit_code=u, post_code=p) for u, p in (await self._session.execute(stmt)).all()]

    async def divisions_of(self, departments: Collection[str]) -> dict[str, frozenset[str]]:
        """The divisions (and 室) under each department."""
        if not departments:
            return {}
        stmt = select(OrgUnitRow.parent_code, OrgUnitRow.code).where(OrgUnitRow.parent_code.in_(sorted(departments)))
        found: dict[str, set[str]] = defaultdict(set)
        for parent, code in (await self._session.execute(stmt)).all():
            if parent is not None:
                found[parent].add(code)
        return {k: frozenset(v) for k, v in found.items()}

    async def pending_steps(self, scope: ReportScope) -> list[tuple[RouteStepRow, DocumentRow]]:
        """Every pending step of the in-review documents of the scope's units (one row per assignee)."""
        stmt = (
            select(RouteStepRow, DocumentRow)
            .join(DocumentRow, DocumentRow.id == RouteStepRow.document_id)
            .where(DocumentRow.status == "in_review", RouteStepRow.state == "pending")
            .order_by(RouteStepRow.since, RouteStepRow.document_id, RouteStepRow.stage_index, RouteStepRow.assignee_id)
        )
        if not scope.everything:
            stmt = stmt.where(DocumentRow.org_unit_code.in_(sorted(scope.units)))
        return [(step, doc) for step, doc in (await self._session.execute(stmt)).all()]

    async def overdue_receipts(self, scope: ReportScope, *, today: date) -> list[ReceiptRow]:
        """Receipts of the scope's units whose 回答期限 is before ``today`` and no reply or closure settled."""
        stmt = (
            select(ReceiptRow)
            .where(ReceiptRow.reply_by.is_not(None), ReceiptRow.reply_by < today)
            .where(ReceiptRow.outcome.in_(sorted(REPLY_OWED_OUTCOMES)))
            .order_by(ReceiptRow.reply_by, ReceiptRow.id)
        )
        if not scope.everything:
            stmt = stmt.where(ReceiptRow.assigned_unit.in_(sorted(scope.units)))
        return list((await self._session.scalars(stmt)).all())

    async def holders(self, staff_ids: Collection[str], *, as_of: date) -> dict[str, Holder]:
        """Each staff member's name and the post they hold on ``as_of`` (the highest-ranked, for 兼務)."""
        if not staff_ids:
            return {}
        stmt = (
            select(StaffRow.id, StaffRow.name, OrgUnitRow.code, OrgUnitRow.name, PostRow.code, PostRow.name)
            .join(PostAssignmentRow, PostAssignmentRow.staff_id == StaffRow.id)
            .join(OrgUnitRow, OrgUnitRow.code == PostAssignmentRow.org_unit_code)
            .join(PostRow, PostRow.code == PostAssignmentRow.post_code)
            .where(StaffRow.id.in_(sorted(staff_ids)), _in_force(as_of))
            .order_by(StaffRow.id, PostRow.rank.desc(), PostAssignmentRow.id)
        )
        found: dict[str, Holder] = {}
        for staff_id, name, unit, unit_name, post, post_name in (await self._session.execute(stmt)).all():
            found.setdefault(staff_id, Holder(name, unit, unit_name, post, post_name))
        missing = set(staff_ids) - set(found)
        if missing:  # no post today (retired, moved out): the name only
            rows = await self._session.execute(select(StaffRow.id, StaffRow.name).where(StaffRow.id.in_(missing)))
            for staff_id, name in rows.all():
                found[staff_id] = Holder(name, "", "", "", "")
        return found

    async def unit_names(self, codes: Collection[str]) -> dict[str, str]:
        if not codes:
            return {}
        stmt = select(OrgUnitRow.code, OrgUnitRow.name).where(OrgUnitRow.code.in_(sorted(codes)))
        return {code: name for code, name in (await self._session.execute(stmt)).all()}

    async def routes(self, document_ids: Collection[str]) -> dict[str, list[RouteStepRow]]:
        """Every step of the documents (the audience of a 機密性2+ one)."""
        found: dict[str, list[RouteStepRow]] = defaultdict(list)
        if document_ids:
            stmt = select(RouteStepRow).where(RouteStepRow.document_id.in_(sorted(document_ids)))
            for step in (await self._session.scalars(stmt)).all():
                found[step.document_id].append(step)
        return found

    async def post_reviewers(self, document_ids: Collection[str]) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        if document_ids:
            stmt = select(PostReviewRow.document_id, PostReviewRow.staff_id).where(
                PostReviewRow.document_id.in_(sorted(document_ids))
            )
            for document_id, staff_id in (await self._session.execute(stmt)).all():
                found[document_id].add(staff_id)
        return {k: frozenset(v) for k, v in found.items()}

    async def receipt_readers(self, receipt_ids: Collection[str]) -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        if receipt_ids:
            stmt = select(CirculationReaderRow.receipt_id, CirculationReaderRow.reader_id).where(
                CirculationReaderRow.receipt_id.in_(sorted(receipt_ids))
            )
            for receipt_id, reader_id in (await self._session.execute(stmt)).all():
                found[receipt_id].add(reader_id)
        return {k: frozenset(v) for k, v in found.items()}

    # --- 事務報告 -------------------------------------------------------------------------------------------------

    async def drafted_in(self, start: datetime, end: datetime) -> list[str]:
        """The 起案課 of each document first submitted in [start, end)."""
        stmt = select(DocumentRow.org_unit_code).where(
            DocumentRow.submitted_at >= start, DocumentRow.submitted_at < end
        )
        return list((await self._session.scalars(stmt)).all())

    async def decided_in(self, start: datetime, end: datetime) -> list[str]:
        """The 起案課 of each document decided (決裁済) in [start, end)."""
        stmt = select(DocumentRow.org_unit_code).where(
            DocumentRow.decided_at >= start, DocumentRow.decided_at < end, DocumentRow.status.in_(sorted(DECIDED))
        )
        return list((await self._session.scalars(stmt)).all())

    async def received_in(self, first: date, last: date) -> list[str]:
        """The 担当課 of each receipt received on ``first`` .. ``last``."""
        stmt = select(ReceiptRow.assigned_unit).where(ReceiptRow.received_on >= first, ReceiptRow.received_on <= last)
        return list((await self._session.scalars(stmt)).all())
