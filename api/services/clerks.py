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
from schemas.api.clerks import ClerkGrantCreate, ClerkGrantRead
from schemas.api.paging import Page, PageRequest
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

    async def _may_grant(self, staff: StaffRow) -> bool:
        return clerks.may_grant(is_admin=staff.is_admin, roles=await roles_held(self._session, staff.id))

    async def grant(self, staff: StaffRow, body: ClerkGrantCreate) -> ClerkGrantRead:
        """付与: an administrator or 人事担当 names the 庶務担当 of a unit for a period."""
        if not await self._may_grant(staff):
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
        return _read(row)

    async def list(
        self, staff: StaffRow, *, staff_id: str | None, org_unit: str | None, page: PageRequest
    ) -> Page[ClerkGrantRead]:
        """The grants (filtered by holder and unit): every one for an administrator or 人事担当, else one's own."""
        if not await self._may_grant(staff):
            if staff_id not in (None, staff.id):
                raise Forbidden("他の職員の庶務担当の権限を見られるのは管理者または人事担当だけです")
            staff_id = staff.id
        rows, total = await ClerkGrantRepository(self._session).page(
            staff_id=staff_id, org_unit=org_unit, limit=page.limit, offset=page.offset
        )
        return page.page([_read(r) for r in rows], total)

    async def revoke(self, staff: StaffRow, grant_id: str) -> None:
        """取消し: the grant ends now (what was filed under it keeps its 代理申請 record in the audit chain)."""
        if not await self._may_grant(staff):
            raise Forbidden("庶務担当の権限を取り消せるのは管理者または人事担当だけです")
        async with writing(self._session) as session:
            grants = ClerkGrantRepository(session)
            row = await grants.get(grant_id)
            if row is None:
                raise NotFound(f"no clerk grant {grant_id}")
            revoked = _read(row)
            await grants.delete(row)
        log.info(
            "clerk_grant.revoked",
            grant_id=revoked.id,
            staff_id=revoked.staff_id,
            org_unit=revoked.org_unit,
            valid_from=revoked.valid_from.isoformat(),
            valid_to=revoked.valid_to.isoformat() if revoked.valid_to else None,
            granted_by=revoked.granted_by,
            by=staff.id,
        )


def _read(row: ClerkGrantRow) -> ClerkGrantRead:
    return ClerkGrantRead(
        id=row.id,
        staff_id=row.staff_id,
        org_unit=row.org_unit_code,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        granted_by=row.granted_by,
        granted_at=row.granted_at,
    )
