"""HTTP models of 電子申請の収受: what intake answers, the queue, routing by hand, and a CSV batch's outcomes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.intake import IntakeBranch
from schemas.text import OneLine

IntakeState = Literal["queued", "registered", "routed"]
RowOutcome = Literal["registered", "queued", "duplicate", "invalid"]


class IntakeRead(BaseModel):
    """One received application: the receipt it became, or why it waits in the intake queue."""

    id: str
    source: str
    application_id: str
    form_id: str
    submitted_at: datetime
    received_at: datetime
    state: IntakeState
    queue_reason: str
    receipt_id: str | None
    receipt_number: str | None = Field(None, description="収受番号 (null while queued)")
    intended_branch: str | None = Field(None, description="reply (起案) | circulation (供覧) | receipt_only (受付のみ)")
    category: str | None
    mapping_version: str | None
    resent: bool = Field(False, description="true when this answers a resend of an application already received")


class QueueItem(BaseModel):
    """An application waiting for the records office to route it (機密性2: the queue is the records office's)."""

    id: str
    source: str
    application_id: str
    form_id: str
    submitted_at: datetime
    received_at: datetime
    applicant_name: str
    queue_reason: str
    attachments: int


class RouteByHand(BaseModel):
    """Route a queued application by hand: the unit that takes it, and optionally what the mapping would say."""

    model_config = ConfigDict(extra="forbid")

    assigned_unit: str = Field(min_length=1, max_length=64, description="担当課")
    title: OneLine | None = Field(None, min_length=1, max_length=400, description="件名 (default: form and applicant)")
    category: str | None = Field(None, min_length=1, max_length=40, description="決裁区分 for a later 起案")
    branch: IntakeBranch = Field("reply", description="reply (起案) | circulation (供覧) | receipt_only (受付のみ)")
    confidentiality: int = Field(2, ge=2, le=3, description="機密性 (personal data: 2 at least)")


class BatchRow(BaseModel):
    """One data row of an imported CSV: its line in the file and what became of it."""

    line: int
    application_id: str
    outcome: RowOutcome
    reason: str = ""
    intake_id: str | None = None
    receipt_number: str | None = None


class BatchResult(BaseModel):
    """Every row's outcome, and the counts."""

    source: str
    encoding: str
    rows: list[BatchRow]
    registered: int
    queued: int
    duplicate: int
    invalid: int
