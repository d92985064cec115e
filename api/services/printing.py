"""原議 PDF: gather what the printed original shows (names, posts, seals, attachments) and render it.

Anyone who may read the document may print it; a draft prints too, marked 未決裁.  Printing a 機密性2+
document is a view in its audit chain.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services.audit_trail import record_view
from api.services.documents import DocumentService
from core.calendar import JST
from core.clock import today_in_japan
from core.errors import RingiError
from core.fonts import JapaneseFontMissing, find_japanese_font
from core.print_original import render_original
from db.models import DocumentRow, PostReviewRow, RouteStepRow, StaffRow
from db.repositories.attachments import AttachmentRepository
from db.repositories.org import OrgRepository
from schemas.org import StaffRef
from schemas.printing import PrintableDocument, PrintedAttachment, SealBox

CAPACITY_MARKS = {"substitute": "代決", "pull_up": "引上げ"}


class PrintingUnavailable(RingiError):
    status = 503
    title = "Service unavailable"


def _local(at: datetime | None) -> date | None:
    return at.astimezone(JST).date() if at is not None else None


def post_title(ref: StaffRef) -> str:
    """総務課 + 課長 -> 総務課長, 総務部 + 部長 -> 総務部長; otherwise the unit and the post side by side."""
    unit, post = ref.org_unit.name, ref.post.name
    if unit and post.startswith(unit[-1]):
        return unit + post[1:]
    return f"{unit} {post}"


def marks_of(step: RouteStepRow, reviews: list[PostReviewRow]) -> list[str]:
    """代決 / 引上げ (the capacity the seal was pressed in), 異議, and the 後閲 the box's assignee owes or gave."""
    marks = []
    if step.state == "done" and step.capacity in CAPACITY_MARKS:
        marks.append(CAPACITY_MARKS[step.capacity])
    if step.response == "object":
        marks.append("異議")
    for review in reviews:
        if review.staff_id == step.assignee_id and review.stage_index == step.stage_index:
            marks.append("後閲済" if review.acknowledged_at else "後閲未了")
    return marks


class PrintService:
    def __init__(self, app: AppState, session: AsyncSession) -> None:
        self._app = app
        self._session = session

    async def original(self, staff: StaffRow, document_id: str) -> bytes:
        """The 原議 PDF of a document ``staff`` may read."""
        row, steps, reviews = await DocumentService(self._app, self._session).read(staff, document_id)
        try:
            font = find_japanese_font(self._app.settings.pdf_font_path)
        except JapaneseFontMissing as exc:
            raise PrintingUnavailable(exc.detail) from exc
        printable = await self._printable(self._session, row, steps, reviews)
        await record_view(self._session, staff, row, what="print")
        return await asyncio.to_thread(render_original, printable, font_path=font)

    @staticmethod
    async def _printable(
        session: AsyncSession, row: DocumentRow, steps: list[RouteStepRow], reviews: list[PostReviewRow]
    ) -> PrintableDocument:
        org = OrgRepository(session)
        names = await org.names([row.drafter_id, *(s.assignee_id for s in steps), *(s.acted_by or "" for s in steps)])
        drafted_on = _local(row.created_at) or today_in_japan()
        drafter = await org.staff_ref(row.drafter_id, as_of=drafted_on)
        seals = []
        for step in steps:
            acted_on = _local(step.acted_at)
            assignee = await org.staff_ref(step.assignee_id, as_of=acted_on or today_in_japan())
            seals.append(
                SealBox(
                    stage_kind=step.stage_kind,  # a StageKind, stored as text
                    title=post_title(assignee) if assignee else step.actor_post,
                    assignee_name=names.get(step.assignee_id, step.assignee_id),
                    acted_by_name=names.get(step.acted_by, step.acted_by) if step.acted_by else None,
                    acted_on=acted_on,
                    marks=marks_of(step, reviews),
                    state=step.state,
                )
            )
        attachments = await AttachmentRepository(session).for_document(row.id)
        return PrintableDocument(
            document_id=row.id,
            number=None,  # 文書番号: wired here once documents carry their number
            title=row.title,
            body=row.body,
            amount_yen=row.amount_yen,
            status=row.status,
            drafted_on=drafted_on,
            decided_on=_local(row.decided_at),
            drafter_name=names.get(row.drafter_id, row.drafter_id),
            drafter_post=drafter.post.name if drafter else "",
            division=drafter.org_unit.name if drafter else row.org_unit_code,
            retention_years=row.retention_years,
            confidentiality=row.confidentiality,
            content_hash=row.content_hash,
            seals=seals,
            attachments=[
                PrintedAttachment(n=a.n, filename=a.filename, size_bytes=a.size_bytes, sha256=a.sha256)
                for a in attachments
            ],
        )
