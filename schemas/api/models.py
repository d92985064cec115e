"""Request and response bodies of API v1."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from schemas.document import ActionName, Matter, StageKind, Status, StepState
from schemas.org import StaffRef

T = TypeVar("T")

RETENTION_YEARS = (1, 3, 5, 10, 30)


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TokenRequest(_Request):
    staff_id: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=200)


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

    @field_validator("retention_years")
    @classmethod
    def _known_retention(cls, value: int) -> int:
        if value not in RETENTION_YEARS:
            raise ValueError(f"retention_years must be one of {RETENTION_YEARS}")
        return value


class ActionCreate(_Request):
    action: ActionName
    comment: str = Field(default="", max_length=4000)


class StepRead(BaseModel):
    stage_index: int
    stage_kind: StageKind
    assignee_id: str
    state: StepState
    since: datetime | None
    acted_at: datetime | None


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
    document_id: str
    title: str
    stage_kind: StageKind
    since: datetime | None


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
