"""An in-memory HR over a ``City`` for pure route-resolution tests: posts by date, no HTTP.

Records every ``as_of`` it is asked, so tests can check that a preview date reaches every look-up.
"""

from __future__ import annotations

from datetime import date

from integrations.hr import HrNotFound
from schemas.org import Assignment, City, OrgUnit, OrgUnitRef, PostRef, StaffRef


class CityHr:
    def __init__(self, city: City) -> None:
        self._city = city
        self._units = {u.code: u for u in city.org_units}
        self._posts = {p.code: p for p in city.posts}
        self._names = {s.id: s.name for s in city.staff}
        self.asked: list[date | None] = []

    def _ref(self, a: Assignment) -> StaffRef:
        unit, post = self._units[a.org_unit_code], self._posts[a.post_code]
        return StaffRef(
            id=a.staff_id,
            name=self._names[a.staff_id],
            org_unit=OrgUnitRef(code=unit.code, name=unit.name),
            post=PostRef(code=post.code, name=post.name),
        )

    def _in_force(self, as_of: date | None) -> list[Assignment]:
        self.asked.append(as_of)
        day = as_of or date.today()
        return [
            a
            for a in self._city.assignments
            if a.effective_from <= day and (a.effective_to is None or day < a.effective_to)
        ]

    async def get_staff(self, staff_id: str, *, as_of: date | None = None) -> StaffRef:
        mine = sorted((a for a in self._in_force(as_of) if a.staff_id == staff_id), key=lambda a: a.effective_from)
        if not mine:
            raise HrNotFound(f"no staff member {staff_id} in a post on {as_of}")
        return self._ref(mine[-1])

    async def get_org_unit(self, code: str, *, as_of: date | None = None) -> OrgUnit:
        self.asked.append(as_of)
        if code not in self._units:
            raise HrNotFound(f"no org unit {code}")
        return self._units[code]

    async def holders(self, org_unit: str, post: str, *, as_of: date | None = None) -> list[StaffRef]:
        if org_unit not in self._units:
            raise HrNotFound(f"no org unit {org_unit}")
        found = [a for a in self._in_force(as_of) if a.org_unit_code == org_unit and a.post_code == post]
        return [self._ref(a) for a in sorted(found, key=lambda a: a.staff_id)]
