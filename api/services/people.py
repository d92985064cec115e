"""Who is who (職員): names and posts of the people a page mentions, as of a date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from db.repositories.org import OrgRepository
from schemas.org import StaffRef


async def people(session: AsyncSession, staff_ids: Iterable[str], *, as_of: date) -> dict[str, StaffRef]:
    """Each known staff member holding a post on ``as_of``; the unknown are left out."""
    found: dict[str, StaffRef] = {}
    repository = OrgRepository(session)
    for staff_id in sorted(set(staff_ids)):
        ref = await repository.staff_ref(staff_id, as_of=as_of)
        if ref is not None:
            found[staff_id] = ref
    return found
