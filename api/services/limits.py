"""庶務 limits where they meet the API: the overtime caps and the leave balance, checked at submit and resubmit
(before the workflow starts or routes again, so nothing is reserved, posted or shown to an approver), shown at
``GET /v1/documents/{id}/limits``, and the 特例業務 list 人事課 reviews each 年度.

The rules are ``domain.overtime`` and ``domain.leave``; this module reads what they need (the person's other
requests, the rulebook version, HR's balance) and maps their refusals to 422 (503 while HR does not answer).
"""

from __future__ import annotations

from datetime import date

import httpx
from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from core.errors import Forbidden, Invalid, Unavailable
from db.models import DocumentRow, StaffRow
from db.repositories.general_affairs import GeneralAffairsRepository
from db.repositories.visibility import roles_held
from db.session import release
from domain import leave, overtime
from domain.absences import HR_ADMIN_ROLE
from domain.errors import ChainError
from domain.fiscal import fiscal_year_end, fiscal_year_label, fiscal_year_start
from integrations.hr import HrNotFound
from schemas.api.limits import (
    DocumentLimits,
    LeaveHeldRead,
    LeaveLimitsRead,
    OvertimeLimitsRead,
    OvertimeSpecialCaseRead,
    OvertimeTotalsRead,
    WindowAverageRead,
)
from schemas.general_affairs import LeaveDetails, OvertimeDetails
from schemas.rules import LIMIT_CLASS_NAMES, Rulebook

_OVERTIME = TypeAdapter(OvertimeDetails)
_LEAVE = TypeAdapter(LeaveDetails)


async def overtime_verdict(
    session: AsyncSession, book: Rulebook | None, row: DocumentRow, details: OvertimeDetails, *, today: date
) -> overtime.OvertimeVerdict | None:
    """The order against the caps of ``book`` (None: the version sets none), the person's other counted orders
    (pending and decided, in any section) included."""
    if book is None or book.overtime_limits is None:
        return None
    limits = book.overtime_limits
    others = await GeneralAffairsRepository(session).overtime_requests(
        drafter_id=row.drafter_id, statuses=overtime.COUNTED_STATUSES, exclude_id=row.id
    )
    entries = [
        overtime.HourEntry(d.work_date, d.hours, document_id=o.id, pending=o.status == "in_review")
        for o in others
        if o.details is not None
        for d in (_OVERTIME.validate_python(o.details),)
    ]
    return overtime.verdict(
        limits,
        limit_class=overtime.limit_class_of(limits, row.org_unit_code, details.work_date),
        entries=entries,
        work_date=details.work_date,
        hours=details.hours,
        special_case=details.special_case,
        today=today,
    )


async def leave_verdicts(
    app: AppState, session: AsyncSession, row: DocumentRow, details: LeaveDetails
) -> tuple[list[leave.LeaveVerdict], LeaveLimitsRead]:
    """The request against HR's balance less the person's requests HR does not hold yet.  Releases ``session``
    before HR is asked; 503 while HR does not answer."""
    unposted = await GeneralAffairsRepository(session).unposted_leave(
        drafter_id=row.drafter_id,
        pending=leave.PENDING_STATUSES,
        decided=leave.UNPOSTED_DECIDED_STATUSES,
        exclude_id=row.id,
    )
    pending = [_LEAVE.validate_python(r.details) for r in unposted if r.details is not None]
    await release(session)  # HR answers next, with no connection held
    try:
        balances = await app.hr.leave_balances(row.drafter_id, year=details.start.year)
    except HrNotFound as exc:
        raise Invalid(f"HR (人事給与) does not know {row.drafter_id}: {exc}") from exc
    except httpx.HTTPError as exc:
        raise Unavailable(
            "the HR system (人事給与) is not answering, so the leave balance is unknown; retry later"
        ) from exc
    found = leave.verdicts(details, balances, pending)
    read = LeaveLimitsRead(
        balances=balances,
        held=[
            LeaveHeldRead(
                what=v.what,
                unit=v.unit,
                granted=v.granted,
                carried_over=v.carried_over,
                used=v.used,
                pending=v.pending,
                remaining=v.remaining,
                requested=v.requested,
                reason=v.reason,
                allowed=v.allowed,
            )
            for v in found
        ],
        allowed=all(v.allowed for v in found),
    )
    return found, read


async def check_limits(
    app: AppState, session: AsyncSession, row: DocumentRow, book: Rulebook | None, *, today: date
) -> None:
    """At submit and resubmit: an overtime order beyond a cap (unless 特例業務) or a leave beyond the balance is
    refused (422 with the numbers); nothing has been reserved or sent yet."""
    if row.details is None:
        return
    try:
        if row.matter == "overtime":
            result = await overtime_verdict(session, book, row, _OVERTIME.validate_python(row.details), today=today)
            if result is not None:
                overtime.check(result)
        elif row.matter == "leave" and leave.held_against_a_balance(details := _LEAVE.validate_python(row.details)):
            found, _ = await leave_verdicts(app, session, row, details)
            leave.check(found)
    except ChainError as exc:
        raise Invalid(exc.reason) from exc


def _totals(totals: overtime.OvertimeTotals) -> OvertimeTotalsRead:
    def month(m: overtime.Month) -> str:
        return f"{m[0]:04d}-{m[1]:02d}"

    return OvertimeTotalsRead(
        month=month(totals.month),
        month_hours=totals.month_hours,
        pending_month_hours=totals.pending_month_hours,
        fiscal_year=totals.fiscal_year,
        fiscal_year_label=fiscal_year_label(totals.fiscal_year),
        year_hours=totals.year_hours,
        averages=[
            WindowAverageRead(
                months=a.months, first_month=month(a.first), last_month=month(a.last), average_hours=a.average
            )
            for a in totals.averages
        ],
        months_over=totals.months_over,
        over_hours=totals.over_hours,
    )


async def document_limits(
    app: AppState, session: AsyncSession, row: DocumentRow, book: Rulebook | None, *, today: date
) -> DocumentLimits:
    """What a 庶務 request counts against now (for the drafter before submit, for the approver at the decision)."""
    answer = DocumentLimits(document_id=row.id, matter=row.matter, rulebook_version=None if book is None else book.id)
    if row.details is None:
        return answer
    if row.matter == "overtime" and book is not None and book.overtime_limits is not None:
        details = _OVERTIME.validate_python(row.details)
        result = await overtime_verdict(session, book, row, details, today=today)
        if result is not None:
            answer.overtime = OvertimeLimitsRead(
                limit_class=result.limit_class,
                limit_class_name=LIMIT_CLASS_NAMES.get(result.limit_class, result.limit_class),
                caps=book.overtime_limits.caps(result.limit_class),
                hours=details.hours,
                without_request=_totals(result.before),
                with_request=_totals(result.after),
                exceeded=[b.message for b in result.breaches],
                special_case=result.special_case,
                allowed=result.allowed,
            )
    elif row.matter == "leave":
        _, answer.leave = await leave_verdicts(app, session, row, _LEAVE.validate_python(row.details))
    return answer


async def special_cases(
    session: AsyncSession, staff: StaffRow, *, fiscal_year: int, today: date
) -> list[OvertimeSpecialCaseRead]:
    """特例業務 orders of ``fiscal_year`` (pending or decided), by work date: for 人事担当 (the ``hr_admin`` role
    granted in the org data, not every member of 人事課) or an admin only."""
    if not staff.is_admin and HR_ADMIN_ROLE not in await roles_held(session, staff.id):
        raise Forbidden("the 特例業務 list is for 人事担当 (the hr_admin role) or an admin")
    rows = await GeneralAffairsRepository(session).overtime_special_cases(
        statuses=overtime.COUNTED_STATUSES,
        work_from=fiscal_year_start(fiscal_year),
        work_to=fiscal_year_end(fiscal_year),
    )
    found = []
    for row in rows:
        if row.details is None:
            continue
        details = _OVERTIME.validate_python(row.details)
        found.append(
            OvertimeSpecialCaseRead(
                document_id=row.id,
                title=row.title,
                staff_id=row.drafter_id,
                org_unit_code=row.org_unit_code,
                status=row.status,
                work_date=details.work_date,
                hours=details.hours,
                special_case_reason=details.special_case_reason,
                submitted_at=row.submitted_at,
            )
        )
    return found
