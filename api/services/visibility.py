"""Who may see a document (機密性 confidentiality): the facts for ``domain.visibility.sees``, and the refusal.

The rule (drafter, route, 後閲, 代決者 of a pending step, the drafter's division, the records office (the
``records_office`` role), administrators) lives in domain/visibility.py; this module gathers its facts and
says what a refusal looks like: 403 for 機密性1 (its existence is no secret), 404 for 機密性2 and 3 — the same
answer as for a document that does not exist — and lists leave such documents out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services.temporal_calls import not_found
from core.clock import today_in_japan
from core.errors import Forbidden, RingiError
from db.models import DocumentRow, RouteStepRow, StaffRow
from db.repositories.visibility import owes_post_review, viewer_on
from domain.visibility import Audience, Viewer, is_secret, sees
from integrations.hr import HrNotFound

UNSEEN = "you are neither the drafter nor on this document's route, nor in the drafter's division or the records office"


def refusal(row: DocumentRow) -> RingiError:
    """Not visible: 404 for 機密性2+ (existence not revealed), 403 otherwise."""
    return not_found(row.id) if is_secret(row.confidentiality) else Forbidden(UNSEEN)


def audience(row: DocumentRow, steps: list[RouteStepRow]) -> Audience:
    """The document's facts the visibility rule reads, but its 後閲 (looked up only when needed)."""
    return Audience(
        drafter_id=row.drafter_id,
        org_unit_code=row.org_unit_code,
        route=frozenset(s.assignee_id for s in steps) | frozenset(s.acted_by for s in steps if s.acted_by),
        pending=frozenset(s.assignee_id for s in steps if s.state == "pending"),
    )


async def may_see(
    app: AppState, session: AsyncSession, staff: StaffRow, row: DocumentRow, steps: list[RouteStepRow]
) -> bool:
    """Everything but 代決 (``substitutes_on``, which asks HR).  The rule is monotone, so it is asked with the
    facts in hand first (most readers are the drafter or on the route), then with the 後閲 and the viewer's posts."""
    document = audience(row, steps)
    if sees(Viewer(staff_id=staff.id, is_admin=staff.is_admin), document):
        return True
    if await owes_post_review(session, row.id, staff.id):
        return sees(Viewer(staff_id=staff.id), replace(document, post_reviewers=frozenset({staff.id})))
    return sees(await _posts_of(app, session, staff, today=today_in_japan()), document)


async def substitutes_on(app: AppState, staff: StaffRow, steps: list[RouteStepRow]) -> bool:
    """代決者 of an absent assignee may see the document they may decide (the one fact ``may_see`` left out)."""
    pending = frozenset(s.assignee_id for s in steps if s.state == "pending")
    if not pending:
        return False
    standing_in = Viewer(staff_id=staff.id, substituting_for=await _substituting_for(app, staff, today_in_japan()))
    # Only the pending steps matter here: ``may_see`` has asked the rule with every other fact already.
    return sees(standing_in, Audience(drafter_id="", org_unit_code="", pending=pending))


async def viewer(app: AppState, session: AsyncSession, staff: StaffRow, *, today: date) -> Viewer:
    """The staff member as the list filter needs them (one HR call for whom they stand in for)."""
    posts = await _posts_of(app, session, staff, today=today)
    if posts.sees_all:
        return posts
    return replace(posts, substituting_for=await _substituting_for(app, staff, today))


async def _posts_of(app: AppState, session: AsyncSession, staff: StaffRow, *, today: date) -> Viewer:
    """The viewer with the org units they hold today and their roles (so whether they are the records office)."""
    return await viewer_on(session, staff, as_of=today)


async def _substituting_for(app: AppState, staff: StaffRow, today: date) -> frozenset[str]:
    try:
        absent = await app.hr.substituting(staff.id, on=today)
    except (httpx.HTTPError, HrNotFound):
        return frozenset()
    return frozenset(a.id for a in absent)
