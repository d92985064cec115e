"""HTTP models of the 庶務 limits: a request's overtime totals against the caps, a leave's balance, and the
特例業務 list 人事課 reviews each 年度."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from schemas.general_affairs import LeaveBalances
from schemas.rules import OvertimeCaps


class WindowAverageRead(BaseModel):
    """The highest average over ``months`` consecutive months including the request's month (複数月平均)."""

    months: int
    first_month: str  # 2026-04
    last_month: str
    average_hours: float


class OvertimeTotalsRead(BaseModel):
    """The person's hours (pending and decided orders) around the request's month."""

    month: str  # 2026-05
    month_hours: float
    pending_month_hours: float  # of which still undecided
    fiscal_year: int
    fiscal_year_label: str  # 令和8年度
    year_hours: float
    averages: list[WindowAverageRead]
    months_over: int  # months of the 年度 with more than ``over_hours``
    over_hours: float


class OvertimeLimitsRead(BaseModel):
    """An overtime order against the caps of its section's class (一般 / 他律的)."""

    limit_class: str
    limit_class_name: str
    caps: OvertimeCaps
    hours: float  # this order
    without_request: OvertimeTotalsRead  # the person's other orders
    with_request: OvertimeTotalsRead
    exceeded: list[str]  # each cap it exceeds, in words
    special_case: bool  # 特例業務: it may exceed them
    allowed: bool


class LeaveHeldRead(BaseModel):
    """One balance a leave request is held against (年次有給休暇, 時間単位, a 特別休暇)."""

    what: str
    unit: str  # 日 / 時間
    granted: float
    carried_over: float
    used: float  # posted to HR
    pending: float  # requested in ringi, not yet in HR
    remaining: float  # before this request
    requested: float
    reason: str
    allowed: bool


class LeaveLimitsRead(BaseModel):
    balances: LeaveBalances  # as HR answers now
    held: list[LeaveHeldRead]
    allowed: bool


class DocumentLimits(BaseModel):
    """GET /v1/documents/{id}/limits: what the request counts against (null: not this matter's)."""

    document_id: str
    matter: str
    rulebook_version: str | None
    overtime: OvertimeLimitsRead | None = None
    leave: LeaveLimitsRead | None = None


class OvertimeSpecialCaseRead(BaseModel):
    """One 特例業務 order beyond the caps, for 人事課's yearly review (要因の整理・分析)."""

    document_id: str
    title: str
    staff_id: str
    org_unit_code: str
    status: str
    work_date: date
    hours: float
    special_case_reason: str
    submitted_at: datetime | None
