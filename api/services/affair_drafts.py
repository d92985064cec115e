"""庶務 drafting (the web form): the person's totals before submit, from the same services as
``GET /v1/documents/{id}/limits`` (api/services/limits.py) over the draft as typed (nothing is stored)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services.clerks import check_may_draft_for
from api.services.limits import document_limits
from core.errors import Conflict
from db.models import DocumentRow, StaffRow
from db.repositories.org import OrgRepository
from schemas.api.limits import DocumentLimits
from schemas.api.models import DocumentCreate


async def draft_limits(
    app: AppState, session: AsyncSession, staff: StaffRow, draft: DocumentCreate, *, today: date
) -> DocumentLimits:
    """What the request as typed would count against: the person's (``on_behalf_of`` for a 代理申請) overtime
    totals (month, 年度, 2–6-month averages, pending included) or leave balance by kind."""
    if draft.on_behalf_of is not None:
        person = await check_may_draft_for(session, staff.id, draft.on_behalf_of, matter=draft.matter, on=today)
    else:
        me = await OrgRepository(session).staff_ref(staff.id, as_of=today)
        if me is None:
            raise Conflict("you hold no post today, so you cannot draft a document")
        person = me
    row = DocumentRow(
        id="draft",
        matter=draft.matter,
        drafter_id=person.id,
        org_unit_code=person.org_unit.code,
        details=draft.details.model_dump(mode="json") if draft.details else None,
        status="draft",
    )
    book = await app.rulebooks.in_force(today)
    return await document_limits(app, session, row, book, today=today)
