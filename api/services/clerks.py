"""代理申請: granting the 庶務担当 right, and checking it when a clerk drafts or submits for a colleague."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Forbidden, Invalid, NotFound
from db.models import ClerkGrantRow, OrgUnitRow, StaffRow
from db.repositories.clerks import ClerkGrantRepository
from db.repositories.org import OrgRepository
from db.repositories.visibility import roles_held
from db.session import writing
from domain import clerks
from domain.absences import HR_ADMIN_ROLE
from schemas.api.clerks import ClerkGrantCreate, ClerkGrantRead
from schemas.org import StaffRef

log = structlog.get_logger("ringi.clerks")


async def check_may_draft_for(
    session: AsyncSession, actor_id: str, target_id: str, *, matter: str, on: date
) -> StaffRef:
    """The person's post on ``on`` if ``actor_id`` may file a ``matter`` request for them (403 with the reason)."""
    them = await OrgRepository(session).staff_ref(target_id, as_of=on)
    grants = await ClerkGrantRepository(session).grants_of(actor_id)
    reason = clerks.refusal_to_draft_for(
        actor_id=actor_id,
        target_id=target_id,
        matter=matter,
        target_unit=them.org_unit.code if them else None,
        grants=grants,
        on=on,
    )
    if reason is not None or them is None:
        raise Forbidden(reason or f"{target_id} は本日いずれの所属にも配置されていません")
    return them


class ClerkGrantService:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def grant(self, staff: StaffRow, body: ClerkGrantCreate) -> ClerkGrantRead:
        """付与: an administrator or 人事担当 names the 庶務担当 of a unit for a period."""
        if not staff.is_admin and HR_ADMIN_ROLE not in await roles_held(self._session, staff.id):
            raise Forbidden("庶務担当の権限を付与できるのは管理者または人事担当だけです")
        problem = clerks.check_grant_period(body.valid_from, body.valid_to)
        if problem:
            raise Invalid(problem)
        async with writing(self._session) as session:
            if await OrgRepository(session).get_staff(body.staff_id) is None:
                raise NotFound(f"no staff member {body.staff_id}")
            if await session.get(OrgUnitRow, body.org_unit) is None:
                raise NotFound(f"no org unit {body.org_unit}")
            row = ClerkGrantRow(
                id=str(uuid.uuid4()),
                staff_id=body.staff_id,
                org_unit_code=body.org_unit,
                valid_from=body.valid_from,
                valid_to=body.valid_to,
                granted_by=staff.id,
                granted_at=datetime.now(UTC),
            )
            ClerkGrantRepository(session).add(row)
        log.info("clerk_grant.created", grant_id=row.id, staff_id=row.staff_id, org_unit=row.org_unit_code, by=staff.id)
        return ClerkGrantRead(
            id=row.id,
            staff_id=row.staff_id,
            org_unit=row.org_unit_code,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            granted_by=row.granted_by,
            granted_at=row.granted_at,
        )
