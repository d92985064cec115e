"""The HR system's own wire format (人事給与システム): what it answers and what it accepts.

Written from the HR side, not imported from ringi: ringi's client (``integrations.hr``) keeps its own models, and
the contract tests (tests/contracts/) hold the two against each other, so a field renamed on one side fails there.
Requests refuse fields HR does not know (``extra="forbid"``), as a strict counterpart would.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

OrgUnitKind = Literal["executive", "department", "division"]
AbsenceKind = Literal["leave", "trip"]

_CODE = r"^[a-z0-9_.]+$"
_STAFF = r"^[A-Za-z0-9_.-]+$"


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True)


class _Request(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Health(_Answer):
    status: str


class OrgUnitRef(_Answer):
    code: str
    name: str


class PostRef(_Answer):
    code: str
    name: str


class StaffRef(_Answer):
    """A staff member in the post they hold on the day asked about."""

    id: str
    name: str
    org_unit: OrgUnitRef
    post: PostRef


class OrgUnit(_Request):
    """部・課・室: ``parent_code`` is the department of a division, ``symbol`` its 文書記号."""

    code: str
    name: str
    kind: OrgUnitKind
    parent_code: str | None = None
    symbol: str | None = None


class Post(_Request):
    """職位: ``rank`` orders the line of superiors (larger = higher)."""

    code: str
    name: str
    rank: int


class Assignment(_Request):
    """A staff member in a post of an org unit from ``effective_from`` until ``effective_to`` (exclusive)."""

    staff_id: str
    org_unit_code: str
    post_code: str
    effective_from: date
    effective_to: date | None = None


class StaffMember(_Request):
    id: str
    name: str
    is_admin: bool = False


class Organisation(_Request):
    """What an empty HR database is loaded with: the whole organisation as of its first day."""

    name: str
    org_units: tuple[OrgUnit, ...]
    posts: tuple[Post, ...]
    staff: tuple[StaffMember, ...]
    assignments: tuple[Assignment, ...]


class Absence(_Answer):
    """不在 (休暇 ``leave`` or 出張 ``trip``) from ``start`` to ``end``, both inclusive (local dates)."""

    id: int
    staff_id: str
    kind: AbsenceKind
    start: date
    end: date
    note: str


class AbsenceCreate(_Request):
    """不在 to register: ``start`` to ``end``, both inclusive (local dates)."""

    staff_id: str
    kind: AbsenceKind
    start: date
    end: date
    note: str = Field("", max_length=2000)

    @model_validator(mode="after")
    def _end_not_before_start(self) -> AbsenceCreate:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self


class StaffAbsence(_Answer):
    """Whether a staff member is away on a day, and the absences that cover it."""

    absent: bool
    absences: list[Absence]


class Substitution(_Answer):
    """A post whose holder is absent and for which someone is a 代決 substitute (``order`` 1 = first in line)."""

    absent: StaffRef
    org_unit: str
    post: str
    order: int


class Posting(_Answer):
    """A record sent to HR (休暇 leave, 時間外勤務 overtime, 出張 trip), stored as received."""

    id: int
    kind: str
    payload: dict[str, Any]
    idempotency_key: str | None
    received_at: datetime


class PostingCreated(_Answer):
    id: int


class Position(_Request):
    """A post in one org unit."""

    org_unit: str = Field(max_length=64, pattern=_CODE)
    post: str = Field(max_length=40, pattern=_CODE)


class TransferAssignment(Position):
    """One staff member leaving (``end``) or taking up (``start``) a position on the effective date."""

    staff_id: str = Field(max_length=40, pattern=_STAFF)


class TransferLeaver(_Request):
    """A staff member leaving the service on the effective date (退職 / 離職): kept on record."""

    staff_id: str = Field(max_length=40, pattern=_STAFF)
    reason: Literal["retired", "left"] = "retired"


class TransferPlan(_Request):
    """人事異動: the next org chart, as differences from the one in force the day before ``effective_on``.

    HR writes the ends, starts, new units and new posts; what is abolished it keeps on record only.
    """

    effective_on: date
    note: str = Field("", max_length=2000)
    end: tuple[TransferAssignment, ...] = Field((), max_length=50_000)
    start: tuple[TransferAssignment, ...] = Field((), max_length=50_000)
    new_org_units: tuple[OrgUnit, ...] = Field((), max_length=1000)
    abolished_org_units: tuple[str, ...] = Field((), max_length=1000)
    new_posts: tuple[Post, ...] = Field((), max_length=100)
    abolished_posts: tuple[Position, ...] = Field((), max_length=5000)
    leavers: tuple[TransferLeaver, ...] = Field((), max_length=50_000)


class AnnualLeave(_Answer):
    """年次有給休暇 of one calendar year: granted, carried over (繰越) from the year before, used, remaining."""

    granted_days: float
    carried_over_days: float
    used_days: float  # hours taken by the hour count as hours / hours_per_day days
    remaining_days: float


class HourlyLeave(_Answer):
    """時間単位の年次有給休暇: up to ``limit_hours`` a year (5 days' hours), counted in the annual days too."""

    hours_per_day: float
    limit_hours: float
    used_hours: float
    remaining_hours: float


class SpecialLeave(_Answer):
    """One kind of 特別休暇 with a yearly allowance (e.g. 夏季休暇)."""

    kind: str
    name: str
    granted_days: float
    used_days: float
    remaining_days: float


class LeaveBalances(_Answer):
    """A staff member's leave balances in one calendar year, from the postings HR holds."""

    staff_id: str
    year: int
    annual: AnnualLeave
    hourly: HourlyLeave
    special: list[SpecialLeave]


class LeaveGrants(_Request):
    """What HR grants a staff member in ``year`` (a test sets it; unset values keep the defaults)."""

    year: int = Field(ge=2000, le=2200)
    annual_days: float | None = Field(None, ge=0, le=40)
    carried_over_days: float | None = Field(None, ge=0, le=20)
    special: dict[str, float] = Field(default_factory=dict)  # 特別休暇 kind -> days
