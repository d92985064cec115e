"""HTTP models of the reports: 滞留 (where documents wait) and the monthly 事務報告 counts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class PendingItemRead(BaseModel):
    """One wait: a pending step of an in-review document (one line per assignee), or a receipt whose 回答期限 has
    passed unanswered (``reply_overdue``)."""

    kind: Literal["step", "reply_overdue"]
    document_id: str | None = None
    receipt_id: str | None = None
    receipt_number: str | None = None
    title: str | None = Field(description="null: withheld (機密性2+, and you are not in its audience)")
    title_withheld: bool = False
    confidentiality: int
    org_unit_code: str = Field(description="the document's 起案課, or the receipt's 担当課")
    org_unit_name: str
    stage_index: int | None = None
    stage_kind: str | None = None
    assignee_id: str | None = None
    assignee_name: str | None = None
    post_code: str | None = Field(default=None, description="the assignee's post today (職位)")
    post_name: str | None = None
    assignee_unit_code: str | None = None
    assignee_unit_name: str | None = None
    since: datetime | None = Field(default=None, description="a step: when it became pending")
    reply_by: date | None = Field(default=None, description="a receipt: its 回答期限")
    age_business_days: int = Field(ge=0, description="開庁日 waited (a receipt: past its 回答期限)")
    bucket: Literal["0–1", "2–3", "4–7", "8+"]
