"""庶務 requests (general affairs): 休暇 (leave), 時間外勤務命令 (overtime), 出張 (business trip).

Their typed details travel on the document (stored as JSON), in the facts the route resolver sees, and to 人事給与
once decided.  A discriminated union on ``matter``; each model validates what it can on its own (dates in order,
no zero days, at most 24 hours).  What depends on the clock or on other documents (overtime ordered in advance,
the monthly total) is checked at submit.

These cross the Temporal boundary: while workflows are in flight, only add fields with defaults.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

AFFAIR_MATTERS: frozenset[str] = frozenset({"leave", "overtime", "trip"})

LeaveKind = Literal["annual", "special", "sick", "care", "childcare"]
LEAVE_KIND_NAMES: dict[str, str] = {
    "annual": "年次有給休暇",
    "special": "特別休暇",
    "sick": "病気休暇",
    "care": "介護休暇",
    "childcare": "育児休業",
}

HrPostingState = Literal["none", "posted", "refused"]


def _span_days(start: dt.date, end: dt.date) -> int:
    """Calendar days from ``start`` to ``end``, both inclusive."""
    return (end - start).days + 1


class _Details(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """PostgreSQL text cannot hold NUL: refuse it here (422) rather than fail in the database (500)."""
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL (U+0000) characters")
        return value


class LeaveDetails(_Details):
    """休暇: ``days`` within ``start``–``end`` (inclusive); half days (0.5) allowed.

    ``hours`` makes an 年次有給休暇 a 時間単位 leave of one day (``days`` still names the day for the deciders);
    ``special_kind`` names the 特別休暇 (e.g. ``summer`` 夏季休暇) whose balance HR keeps.
    """

    matter: Literal["leave"] = "leave"
    kind: LeaveKind
    start: dt.date
    end: dt.date
    days: float = Field(gt=0, le=366, multiple_of=0.5)
    note: str = Field(default="", max_length=2000)
    hours: float | None = Field(default=None, gt=0, le=8, multiple_of=0.25)  # 時間単位
    special_kind: str = Field(default="", max_length=40, pattern=r"^[a-z_]*$")  # 特別休暇の種類

    @model_validator(mode="after")
    def _dates(self) -> LeaveDetails:
        if self.end < self.start:
            raise ValueError("end is before start")
        if self.hours is not None and (self.kind != "annual" or self.start != self.end or self.days > 1):
            raise ValueError(
                "hours (時間単位) are for an annual leave (年次有給休暇) of one day (start = end, days ≤ 1)"
            )
        if self.special_kind and self.kind != "special":
            raise ValueError("special_kind names a 特別休暇: kind must be 'special'")
        if self.days > _span_days(self.start, self.end):
            raise ValueError(
                f"days ({self.days}) exceed the {_span_days(self.start, self.end)} day(s) from start to end"
            )
        return self


class OvertimeDetails(_Details):
    """時間外勤務命令: ordered before the work (事前命令) unless ``emergency`` (緊急), with its reason.

    ``special_case`` (特例業務, e.g. 大規模災害への対処) lets the order exceed the rulebook's caps (上限); its reason is
    required and recorded for 人事課's yearly review, and the order goes to the level the rulebook names.
    """

    matter: Literal["overtime"] = "overtime"
    work_date: dt.date
    start_time: dt.time
    end_time: dt.time  # before start_time: the work ends after midnight
    hours: float = Field(gt=0, le=24)
    reason: str = Field(min_length=1, max_length=2000)
    emergency: bool = False
    emergency_reason: str = Field(default="", max_length=2000)
    special_case: bool = False  # 特例業務
    special_case_reason: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _times(self) -> OvertimeDetails:
        if self.end_time == self.start_time:
            raise ValueError("end_time equals start_time")
        if self.hours > self.span_hours:
            raise ValueError(f"hours ({self.hours}) exceed the {self.span_hours:g} hours from start_time to end_time")
        if self.emergency and not self.emergency_reason:
            raise ValueError("an emergency (緊急) overtime order needs an emergency_reason")
        if self.special_case and not self.special_case_reason:
            raise ValueError("a 特例業務 (special_case) overtime order needs a special_case_reason")
        return self

    @property
    def span_hours(self) -> float:
        start = dt.datetime.combine(self.work_date, self.start_time)
        end = dt.datetime.combine(self.work_date, self.end_time)
        if end <= start:
            end += dt.timedelta(days=1)
        return (end - start).total_seconds() / 3600

    def starts_at(self, tz: dt.tzinfo) -> dt.datetime:
        return dt.datetime.combine(self.work_date, self.start_time, tzinfo=tz)


class TripDetails(_Details):
    """出張 (旅行命令): ``days`` within ``start``–``end`` (inclusive).

    ``transport`` (交通手段, e.g. 鉄道・公用車) and ``estimated_cost_yen`` (旅費の概算, integer yen) are what the
    deciders read; the 旅費 itself is settled by 財務会計 after the trip, so the request carries no ``amount_yen``.
    """

    matter: Literal["trip"] = "trip"
    destination: str = Field(min_length=1, max_length=200)
    within_prefecture: bool = False  # 県内出張 (the drafter says so; 一括承認 may take it)
    purpose: str = Field(min_length=1, max_length=2000)
    start: dt.date
    end: dt.date
    days: int = Field(ge=1, le=366)
    transport: str = Field(default="", max_length=200)  # 交通手段
    estimated_cost_yen: int | None = Field(default=None, ge=0, le=100_000_000)  # 旅費の概算

    @model_validator(mode="after")
    def _dates(self) -> TripDetails:
        if self.end < self.start:
            raise ValueError("end is before start")
        if self.days > _span_days(self.start, self.end):
            raise ValueError(
                f"days ({self.days}) exceed the {_span_days(self.start, self.end)} day(s) from start to end"
            )
        return self


AffairDetails = Annotated[LeaveDetails | OvertimeDetails | TripDetails, Field(discriminator="matter")]


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True)


class HrPostingRequest(_Payload):
    """Post one decided request to 人事給与, once per ``key``."""

    document_id: str
    staff_id: str
    decided_on: dt.date
    details: AffairDetails
    key: str

    def payload(self) -> dict[str, Any]:
        """The record HR stores: who, what, and which document decided it."""
        return {
            "document_id": self.document_id,
            "staff_id": self.staff_id,
            "decided_on": self.decided_on.isoformat(),
            **{k: v for k, v in self.details.model_dump(mode="json").items() if k not in _ADDED_FIELDS or v},
        }


#: Detail fields added later: sent to HR only when set, so a retried posting of an order decided before they
#: existed sends the very payload it sent first (HR compares a repeated key's payload).
_ADDED_FIELDS = frozenset(
    {"hours", "special_kind", "special_case", "special_case_reason", "transport", "estimated_cost_yen"}
)


class HrPostingResult(_Payload):
    posting_id: int


class DocumentHrPosting(_Payload):
    """The request's record in 人事給与: posted (with its id), or refused (with HR's reason)."""

    state: HrPostingState = "none"
    posting_id: int | None = None
    error: str = ""


class HrPostingProjection(_Payload):
    """The posting's outcome onto the document; a refusal is also notified to the drafter and 人事課."""

    document_id: str
    posting: DocumentHrPosting


def measured(details: AffairDetails | None) -> tuple[float | None, float | None]:
    """(days, hours): the quantities of a request the rulebook's bands measure."""
    if isinstance(details, OvertimeDetails):
        return None, details.hours
    if details is None:
        return None, None
    return details.days, None


class AnnualLeaveBalance(_Payload):
    """年次有給休暇 of one calendar year: granted, carried over (繰越), used (hours as days), remaining."""

    granted_days: float
    carried_over_days: float
    used_days: float
    remaining_days: float


class HourlyLeaveBalance(_Payload):
    """時間単位の年次有給休暇: the yearly hour limit, used and remaining (also counted in the annual days)."""

    hours_per_day: float
    limit_hours: float
    used_hours: float
    remaining_hours: float


class SpecialLeaveBalance(_Payload):
    """One kind of 特別休暇 with a yearly allowance (e.g. ``summer`` 夏季休暇)."""

    kind: str
    name: str
    granted_days: float
    used_days: float
    remaining_days: float


class LeaveBalances(_Payload):
    """What HR (人事給与) answers for a person's leave in one calendar year: only what it has been posted."""

    staff_id: str
    year: int
    annual: AnnualLeaveBalance
    hourly: HourlyLeaveBalance
    special: tuple[SpecialLeaveBalance, ...] = ()
