"""Request and response bodies of API v1."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from schemas.document import (
    ActionName,
    Capacity,
    FinanceState,
    Flag,
    Matter,
    ResponseKind,
    StageKind,
    Status,
    StepState,
)
from schemas.org import StaffRef

T = TypeVar("T")

RETENTION_YEARS = (1, 3, 5, 10, 30)
OrgCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_.]+$")]
StaffId = Annotated[str, Field(min_length=1, max_length=40)]
BudgetCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z-]+$")]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """PostgreSQL text cannot hold NUL: refuse it here (422) rather than fail in the database (500)."""
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL (U+0000) characters")
        return value


class TokenRequest(_Request):
    staff_id: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=200)
    #: The authenticator app's one-time code, or a recovery code: needed from outside the office network.
    otp: str | None = Field(default=None, max_length=40)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class DocumentCreate(_Request):
    """起案: a new draft."""

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=100_000)
    matter: Matter
    amount_yen: StrictInt = Field(ge=0, le=10**13)
    confidentiality: Literal[1, 2, 3] = 1
    retention_years: int = 5
    flags: list[Flag] = Field(default_factory=list, max_length=4)
    pre_instructed: bool = False
    urgent_reason: str = Field(default="", max_length=2000)
    desired_by: date | None = None  # 希望期限
    consult_units: list[OrgCode] = Field(default_factory=list, max_length=20)  # 合議先 (their 課長 consult)
    consult_quorum: int | None = Field(default=None, ge=1, le=20)  # answers needed (None = all)
    readers: list[StaffId] = Field(default_factory=list, max_length=100)  # 供覧先
    budget_code: BudgetCode | None = None  # 予算科目: reserved at submit, committed at the decision
    fiscal_year: int | None = Field(default=None, ge=2000, le=2200)  # 年度, only to name the previous one (4/1–5/31)

    @model_validator(mode="after")
    def _quorum_fits(self) -> DocumentCreate:
        if self.consult_quorum is not None and self.consult_quorum > len(self.consult_units):
            raise ValueError("consult_quorum cannot exceed the number of consult_units")
        return self

    @field_validator("retention_years")
    @classmethod
    def _known_retention(cls, value: int) -> int:
        if value not in RETENTION_YEARS:
            raise ValueError(f"retention_years must be one of {RETENTION_YEARS}")
        return value


class DocumentUpdate(_Request):
    """Edit a draft or a sent-back document (the version goes up; approvals of older versions lapse)."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    body: str | None = Field(default=None, max_length=100_000)
    amount_yen: StrictInt | None = Field(default=None, ge=0, le=10**13)
    flags: list[Flag] | None = Field(default=None, max_length=4)
    pre_instructed: bool | None = None
    urgent_reason: str | None = Field(default=None, max_length=2000)
    desired_by: date | None = None
    consult_units: list[OrgCode] | None = Field(default=None, max_length=20)
    consult_quorum: int | None = Field(default=None, ge=1, le=20)
    readers: list[StaffId] | None = Field(default=None, max_length=100)
    budget_code: BudgetCode | None = None
    fiscal_year: int | None = Field(default=None, ge=2000, le=2200)


class ActionCreate(_Request):
    action: ActionName
    comment: str = Field(default="", max_length=4000)
    target_step: int | None = Field(default=None, ge=0, le=100)  # send_back: where routing resumes
    on_behalf_of: str | None = Field(default=None, max_length=40)  # substitute / reject by 代決


class ResubmitCreate(_Request):
    comment: str = Field(default="", max_length=4000)


class StepRead(BaseModel):
    """One assignee's step: who acted, in which capacity (self / 代決 for X / 引上げ over X), post, when, version."""

    stage_index: int
    stage_kind: StageKind
    assignee_id: str
    state: StepState
    since: datetime | None
    acted_at: datetime | None
    acted_by: str | None = None
    capacity: Capacity | None = None
    response: ResponseKind | None = None
    actor_post: str = ""
    comment: str = ""
    version: int | None = None
    remind_at: datetime | None = None
    escalate_at: datetime | None = None
    reminded_at: datetime | None = None
    escalated_at: datetime | None = None


class FinanceRead(BaseModel):
    """The budget in 財務会計: none, reserved (仮押さえ), released, committed (支出負担行為), commit_failed."""

    state: FinanceState
    reservation_id: str | None
    reserved_yen: int
    fiscal_year: int | None
    voucher_id: str | None
    error: str


class PostReviewRead(BaseModel):
    staff_id: str
    stage_index: int
    reason: Literal["substitute", "pull_up"]
    acted_by: str
    owed_since: datetime
    acknowledged_at: datetime | None


class DocumentRead(BaseModel):
    id: str
    title: str
    body: str
    matter: Matter
    amount_yen: int
    confidentiality: int
    retention_years: int
    drafter_id: str
    org_unit: str
    status: Status
    version: int
    content_hash: str
    pending: list[str]
    steps: list[StepRead]
    flags: list[Flag]
    pre_instructed: bool
    urgent_reason: str
    desired_by: date | None
    sent_back_to: int | None
    consult_failed: bool
    copied_from: str | None
    consult_units: list[str]
    consult_quorum: int | None
    readers: list[str]
    budget_code: str | None
    fiscal_year: int | None
    finance: FinanceRead
    post_reviews: list[PostReviewRead]
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class StageRead(BaseModel):
    kind: StageKind
    assignees: list[StaffRef]
    reason: str


class RoutePreview(BaseModel):
    stages: list[StageRead]


class InboxItem(BaseModel):
    """A step waiting for me: mine, one I may take as 代決者 for an absent decider, or a 後閲 I owe."""

    document_id: str
    title: str
    kind: Literal["step", "substitute", "post_review"] = "step"
    stage_index: int
    stage_kind: StageKind
    since: datetime | None
    on_behalf_of: str | None = None


class AuditEventRead(BaseModel):
    seq: int
    action: str
    actor_id: str
    at: datetime
    version: int
    content_hash: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class AuditRead(BaseModel):
    events: list[AuditEventRead]
    verified: bool
    problem: str | None = None


class NotificationRead(BaseModel):
    """A notice addressed to me: 督促 (remind), 期限超過 (escalate), 要確認 (records)."""

    id: int
    document_id: str
    kind: str
    subject: str
    created_at: datetime
    read_at: datetime | None
