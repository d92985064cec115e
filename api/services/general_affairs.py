"""庶務 requests (leave, overtime, trip) where they meet the API: details on edit, the checks and facts of submit.

時間外勤務 must be ordered before the work (事前命令): a request whose hours have begun is refused at submit unless
flagged 緊急 with a reason.  A person's overtime in one calendar month (pending and decided requests, this one
included) over 20 hours escalates the decision one level up: the total and the escalation go into the facts the
route resolver sees (at submit, resubmit and in the route preview).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import JST
from core.errors import Invalid
from db.models import DocumentRow
from db.repositories.general_affairs import GeneralAffairsRepository
from schemas.api.models import DocumentUpdate
from schemas.document import DocumentFacts
from schemas.general_affairs import AFFAIR_MATTERS, OvertimeDetails

#: Overtime requests that count towards the month: pending (回議中) and decided ones.
COUNTED_STATUSES = ("in_review", "approved", "circulating", "completed")
_OVERTIME = TypeAdapter(OvertimeDetails)


def affair_changes(row: DocumentRow, changes: DocumentUpdate) -> dict[str, Any]:
    """The fields a PATCH sets (details as JSON); details that do not fit the document's matter are refused."""
    values = changes.model_dump(exclude_unset=True, exclude={"details"})
    if "details" in changes.model_fields_set:
        details = changes.details
        if row.matter not in AFFAIR_MATTERS:
            if details is not None:
                raise Invalid(f"details: a {row.matter} document has no details")
        elif details is None or details.matter != row.matter:
            raise Invalid(f"details: a {row.matter} request needs details with matter {row.matter!r}")
        values["details"] = details.model_dump(mode="json") if details is not None else None
    if row.matter in AFFAIR_MATTERS and (values.get("amount_yen") or values.get("budget_code")):
        raise Invalid(f"a {row.matter} request carries no amount_yen or budget_code")
    return values


def check_ordered_in_advance(details: OvertimeDetails, now: datetime) -> None:
    """事前命令: the order must come before the work, unless it is an emergency (緊急) with its reason."""
    starts_at = details.starts_at(JST)
    if starts_at <= now and not details.emergency:
        raise Invalid(
            f"overtime must be ordered before the work (事前命令): it starts at {starts_at:%Y-%m-%d %H:%M}, "
            "which has passed; flag it as an emergency (緊急) with an emergency_reason if it could not be ordered "
            "in advance"
        )


async def month_total_hours(session: AsyncSession, row: DocumentRow, details: OvertimeDetails) -> float:
    """The drafter's overtime hours in the calendar month of ``details``, this request included."""
    others = await GeneralAffairsRepository(session).overtime_requests(
        drafter_id=row.drafter_id, statuses=COUNTED_STATUSES, exclude_id=row.id
    )
    month = (details.work_date.year, details.work_date.month)
    total = details.hours
    for other in others:
        if other.details is None:
            continue
        theirs = _OVERTIME.validate_python(other.details)
        if (theirs.work_date.year, theirs.work_date.month) == month:
            total += theirs.hours
    return total


async def affair_facts(
    session: AsyncSession, row: DocumentRow, facts: DocumentFacts, *, now: datetime, at_submit: bool
) -> DocumentFacts:
    """``facts`` with what only submit can know: overtime ordered in advance (at submit), its monthly total."""
    details = facts.details
    if not isinstance(details, OvertimeDetails):
        return facts
    if at_submit:
        check_ordered_in_advance(details, now)
    total = await month_total_hours(session, row, details)
    # the rulebook bands the month's total (月20時間を超えるもの: 部長)
    return facts.model_copy(update={"monthly_overtime_hours": total})
