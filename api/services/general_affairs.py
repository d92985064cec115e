"""庶務 requests (leave, overtime, trip) where they meet the API: details on edit, the checks and facts of submit.

The rules (details fit the matter, 事前命令, the month's overtime total) are ``domain.general_affairs``; this
module reads what they need and puts the month's total into the facts the route resolver sees (at submit,
resubmit and in the route preview).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Invalid
from db.models import DocumentRow
from db.repositories.general_affairs import GeneralAffairsRepository
from domain import general_affairs
from domain.errors import ChainError
from schemas.api.models import DocumentUpdate
from schemas.document import DocumentFacts
from schemas.general_affairs import OvertimeDetails

_OVERTIME = TypeAdapter(OvertimeDetails)


def affair_changes(row: DocumentRow, changes: DocumentUpdate) -> dict[str, Any]:
    """The fields a PATCH sets (details as JSON); details that do not fit the document's matter are refused."""
    values = changes.model_dump(exclude_unset=True, exclude={"details"})
    try:
        if "details" in changes.model_fields_set:
            general_affairs.check_details(row.matter, changes.details)
            values["details"] = changes.details.model_dump(mode="json") if changes.details is not None else None
        general_affairs.check_no_money(
            row.matter, amount_yen=values.get("amount_yen"), budget_code=values.get("budget_code")
        )
    except ChainError as exc:
        raise Invalid(exc.reason) from exc
    return values


async def month_total_hours(session: AsyncSession, row: DocumentRow, details: OvertimeDetails) -> float:
    """The drafter's overtime hours in the calendar month of ``details``, this request included."""
    others = await GeneralAffairsRepository(session).overtime_requests(
        drafter_id=row.drafter_id, statuses=general_affairs.COUNTED_STATUSES, exclude_id=row.id
    )
    theirs = [_OVERTIME.validate_python(other.details) for other in others if other.details is not None]
    return general_affairs.month_total_hours(details, theirs)


async def affair_facts(
    session: AsyncSession, row: DocumentRow, facts: DocumentFacts, *, now: datetime, at_submit: bool
) -> DocumentFacts:
    """``facts`` with what only submit can know: overtime ordered in advance (at submit), its monthly total."""
    details = facts.details
    if not isinstance(details, OvertimeDetails):
        return facts
    if at_submit:
        try:
            general_affairs.check_ordered_in_advance(details, now)
        except ChainError as exc:
            raise Invalid(exc.reason) from exc
    total = await month_total_hours(session, row, details)
    # the rulebook bands the month's total (月20時間を超えるもの: 部長)
    return facts.model_copy(update={"monthly_overtime_hours": total})
