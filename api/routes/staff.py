"""Staff look-ups (職員検索) and the signed-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentStaff, SessionDep
from api.paging import Paging
from core.clock import today_in_japan
from core.errors import NotFound
from db.repositories.org import OrgRepository
from schemas.api.paging import Page
from schemas.org import StaffRef

router = APIRouter(prefix="/v1", tags=["staff"])

CodeQuery = Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9_.]+$")]


@router.get("/staff")
async def list_staff(
    session: SessionDep, _: CurrentStaff, page: Paging, org_unit: CodeQuery = None, post: CodeQuery = None
) -> Page[StaffRef]:
    """Staff holding a post today, filtered by org unit and/or post code, by staff id."""
    refs, total = await OrgRepository(session).page_staff(
        as_of=today_in_japan(), org_unit=org_unit, post=post, limit=page.limit, offset=page.offset
    )
    return page.page(refs, total)


@router.get("/me")
async def me(session: SessionDep, staff: CurrentStaff) -> StaffRef:
    """The signed-in staff member and the post they hold today."""
    ref = await OrgRepository(session).staff_ref(staff.id, as_of=today_in_japan())
    if ref is None:
        raise NotFound("you hold no post today")
    return ref
