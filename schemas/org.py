"""Organisation (組織): org units (部・課), posts (職位) and staff (職員) as every layer sees them."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from schemas.text import OneLine

OrgUnitKind = Literal["executive", "department", "division"]

#: Post codes, highest first.  ``rank`` orders the line of superiors (larger = higher).
POST_RANKS: dict[str, int] = {
    "mayor": 100,  # 市長
    "deputy_mayor": 90,  # 副市長
    "superintendent": 80,  # 教育長
    "director": 70,  # 部長 (局長, 事務局長, 会計管理者)
    "manager": 60,  # 課長 (室長)
    "assistant_manager": 50,  # 課長補佐
    "chief": 40,  # 係長
    "staff": 10,  # 主事
}


#: Roles granted to a person in the org data, apart from their posts (an explicit 指定, not a unit membership):
#: ``records_office`` — 文書担当 (the records office: 文書取扱規程's 総務課長 and the staff it designates), who
#: see every document and hold the records powers (収受, 簿冊, 廃棄・移管); ``hr_admin`` — 人事担当 (人事課's
#: designated administrators), who may register absences (不在) for anyone.
StaffRole = Literal["records_office", "hr_admin"]
STAFF_ROLES: tuple[StaffRole, ...] = ("records_office", "hr_admin")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class OrgUnitRef(_Frozen):
    code: str
    name: str


class PostRef(_Frozen):
    code: str
    name: str


class StaffRef(_Frozen):
    """One staff member in one post (their primary assignment)."""

    id: str
    name: str
    org_unit: OrgUnitRef
    post: PostRef


class OrgUnit(_Frozen):
    """部・課・室: ``parent_code`` is the department of a division; ``symbol`` its 文書記号 (e.g. 萩総)."""

    code: str
    name: str
    kind: OrgUnitKind
    parent_code: str | None = None
    symbol: str | None = None


class Post(_Frozen):
    code: str
    name: str
    rank: int


class Assignment(_Frozen):
    """A staff member holding a post in an org unit over a date range (effective_to exclusive; None = open)."""

    staff_id: str
    org_unit_code: str
    post_code: str
    effective_from: date
    effective_to: date | None = None


class StaffMember(_Frozen):
    id: str
    name: OneLine  # 氏名, as HR sends it: one line (it reaches mail subjects and chat)
    is_admin: bool = False
    #: Explicit grants (see ``StaffRole``).
    roles: tuple[StaffRole, ...] = ()


class City(_Frozen):
    """A whole organisation: what the demo generator produces and what HR and ringi's database are seeded from."""

    name: str
    org_units: tuple[OrgUnit, ...]
    posts: tuple[Post, ...]
    staff: tuple[StaffMember, ...]
    assignments: tuple[Assignment, ...]


AbsenceKind = Literal["leave", "trip"]


class Absence(_Frozen):
    """不在: a staff member away on 休暇 (``leave``) or 出張 (``trip``) from ``start`` to ``end``, both inclusive.

    Dates are local (Japan) dates as HR records them.  While absent, the holder's 代決 substitutes may decide.
    """

    id: int
    staff_id: str
    kind: AbsenceKind
    start: date
    end: date
    note: str = ""

    def covers(self, day: date) -> bool:
        """Whether the staff member is away on ``day``."""
        return self.start <= day <= self.end
