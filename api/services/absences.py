"""不在 (absences: 休暇, 出張) registered through ringi and kept in HR, where routing and 代決 look them up.

Staff register their own; an administrator, an HR administrator (the ``hr_admin`` role), or a 庶務 superior of
the same 課 (係長 and above, ranked above the person) may register or cancel them for others
(``domain.absences.may_register_for``).
"""

from __future__ import annotations

from datetime import date

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services.idempotency import idempotent
from core.errors import Forbidden, Invalid, NotFound, Unavailable
from db.models import StaffRow
from db.repositories.org import OrgRepository
from db.repositories.visibility import roles_held
from db.session import release
from domain.absences import may_register_for
from integrations.hr import HrInvalid, HrNotFound
from schemas.api.absences import AbsenceCreate
from schemas.org import Absence

log = structlog.get_logger("ringi.absences")


class AbsenceService:
    def __init__(self, app: AppState, session: AsyncSession) -> None:
        self._app = app
        self._session = session

    async def register(self, staff: StaffRow, body: AbsenceCreate, *, key: str | None, today: date) -> Absence:
        target = body.staff_id or staff.id
        await self._authorise(staff, target, today=today)
        async with idempotent(self._session, staff, key, scope="absences", operation="absence", body=body):
            return await self._register(staff, target, body, key=key)

    async def _register(self, staff: StaffRow, target: str, body: AbsenceCreate, *, key: str | None) -> Absence:
        await release(self._session)  # HR answers next, with no connection held
        try:
            absence = await self._app.hr.add_absence(
                target,
                kind=body.kind,
                start=body.start,
                end=body.end,
                note=body.note,
                idempotency_key=f"{staff.id}:{key}" if key else None,
            )
        except HrInvalid as exc:
            raise Invalid(str(exc)) from exc
        except httpx.HTTPError as exc:
            raise _hr_down() from exc
        log.info("absence.registered", staff_id=target, by=staff.id, absence_id=absence.id)
        return absence

    async def list(self, *, staff_id: str | None, on: date | None) -> list[Absence]:
        """Who is away is no secret in a city hall (the 在席表): anyone signed in may look.  By start date, then id."""
        await release(self._session)
        try:
            absences = await self._app.hr.list_absences(staff_id=staff_id, on=on)
            return sorted(absences, key=lambda a: (a.start, a.id))
        except httpx.HTTPError as exc:
            raise _hr_down() from exc

    async def cancel(self, staff: StaffRow, absence_id: int, *, today: date) -> None:
        await release(self._session)
        try:
            absence = await self._app.hr.get_absence(absence_id)
            await self._authorise(staff, absence.staff_id, today=today)
            await self._app.hr.delete_absence(absence_id)
        except HrNotFound as exc:
            raise NotFound(f"no absence {absence_id}") from exc
        except httpx.HTTPError as exc:
            raise _hr_down() from exc
        log.info("absence.cancelled", absence_id=absence_id, by=staff.id)

    async def _authorise(self, staff: StaffRow, target: str, *, today: date) -> None:
        if target == staff.id or staff.is_admin:
            return
        repo = OrgRepository(self._session)
        me = await repo.staff_ref(staff.id, as_of=today)
        them = await repo.staff_ref(target, as_of=today)
        if them is None and await repo.get_staff(target) is None:
            raise Forbidden(f"you may register absences only for yourself (unknown staff {target!r})")
        roles = await roles_held(self._session, staff.id)
        await release(self._session)  # HR may answer next: no connection held
        if not may_register_for(staff.id, target, is_admin=staff.is_admin, roles=roles, actor=me, target=them):
            raise Forbidden(
                "you may register absences only for yourself (or as 庶務 of their 課, an HR administrator or an admin)"
            )


def _hr_down() -> Unavailable:
    return Unavailable("the HR system (人事給与) is not answering; retry later")
