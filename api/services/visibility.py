"""Who may see a document (機密性 confidentiality).

Every document is visible to its drafter, everyone on its route (assignees — 回議, 合議 members, the decider,
供覧 readers —, whoever acted on a step, who owes its 後閲), a 代決者 standing in for the holder of a pending step,
the staff of the drafter's org unit at drafting (its division), the records office (文書担当課,
``RINGI_RECORDS_OFFICE_UNITS``) and administrators.  Others are refused: for 機密性1 with 403 (its existence is
no secret), for 機密性2 and 3 with 404 — the same answer as for a document that does not exist — and lists
leave such documents out.
"""

from __future__ import annotations

from datetime import date, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services.temporal_calls import not_found
from core.calendar import JST
from core.errors import Forbidden, RingiError
from core.settings import split_codes
from db.models import DocumentRow, RouteStepRow, StaffRow
from db.repositories.visibility import Viewer, owes_post_review, units_held
from integrations.hr import HrNotFound

UNSEEN = "you are neither the drafter nor on this document's route, nor in the drafter's division or the records office"


def refusal(row: DocumentRow) -> RingiError:
    """Not visible: 404 for 機密性2+ (existence not revealed), 403 otherwise."""
    return not_found(row.id) if row.confidentiality >= 2 else Forbidden(UNSEEN)


async def may_see(
    app: AppState, session: AsyncSession, staff: StaffRow, row: DocumentRow, steps: list[RouteStepRow]
) -> bool:
    """Everything but 代決 (``substitutes_on``, which asks HR), the cheapest checks first: most readers are the
    drafter or on the route."""
    if staff.is_admin or staff.id == row.drafter_id:
        return True
    if any(staff.id in (s.assignee_id, s.acted_by) for s in steps):
        return True
    if await owes_post_review(session, row.id, staff.id):
        return True
    units = await units_held(session, staff.id, as_of=datetime.now(JST).date())
    return row.org_unit_code in units or bool(units & set(split_codes(app.settings.records_office_units)))


async def substitutes_on(app: AppState, staff: StaffRow, steps: list[RouteStepRow]) -> bool:
    """代決者 of an absent assignee may see the document they may decide."""
    pending = {s.assignee_id for s in steps if s.state == "pending"}
    if not pending:
        return False
    return bool(pending & await _substituting_for(app, staff, datetime.now(JST).date()))


async def viewer(app: AppState, session: AsyncSession, staff: StaffRow, *, today: date) -> Viewer:
    """The staff member as the list filter needs them (one HR call for whom they stand in for)."""
    units = await units_held(session, staff.id, as_of=today)
    records_office = bool(units & set(split_codes(app.settings.records_office_units)))
    sees_all = staff.is_admin or records_office
    return Viewer(
        staff_id=staff.id,
        is_admin=staff.is_admin,
        units=units,
        records_office=records_office,
        substituting_for=frozenset() if sees_all else await _substituting_for(app, staff, today),
    )


async def _substituting_for(app: AppState, staff: StaffRow, today: date) -> frozenset[str]:
    try:
        absent = await app.hr.substituting(staff.id, on=today)
    except (httpx.HTTPError, HrNotFound):
        return frozenset()
    return frozenset(a.id for a in absent)
