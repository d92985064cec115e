"""Durable payloads of the receipt workflows: 供覧 (ReceiptCirculationWorkflow) and 回答期限 (ReplyDeadlineWorkflow).

These cross the Temporal boundary: while workflows are in flight, only add fields with defaults.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

#: 供覧の依頼 (to every reader, at the start), 供覧の督促 (to those who have not read), 回答期限の予告 (to the
#: assigned unit), 回答期限超過 (to its 課長).
ReceiptNoticeKind = Literal["circulate", "circulation_remind", "reply_remind", "reply_overdue"]


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True)


class PlannedNotice(_Payload):
    """One notice a receipt workflow will send at ``at`` unless it is no longer needed; ``key`` names it once."""

    kind: ReceiptNoticeKind
    at: datetime
    key: str


class CirculationInput(_Payload):
    """供覧 of a receipt: who reads it and since when."""

    receipt_id: str
    reader_ids: tuple[str, ...]
    started_at: datetime


class CirculationPlan(_Payload):
    """The request to every reader, then reminders on business days (開庁日) to those who have not read."""

    notices: tuple[PlannedNotice, ...]


class CirculationNotice(_Payload):
    receipt_id: str
    notice: PlannedNotice
    #: Whom the workflow believes unread (for the log: the database decides whom the notice reaches).
    reader_ids: tuple[str, ...] = ()


class ReadingSignal(_Payload):
    """A reader confirmed (閲覧済): sent by the API after the confirmation is committed."""

    reader_id: str


class CirculationResult(_Payload):
    receipt_id: str
    notices_sent: int


class ReplyDeadlineInput(_Payload):
    receipt_id: str


class ReplyPlan(_Payload):
    """The receipt's 回答期限 as the database has it, and the notices it calls for; ``open`` is False once the reply
    is decided or the receipt is closed (the workflow then ends)."""

    open: bool
    reply_by: date | None = None
    notices: tuple[PlannedNotice, ...] = ()


class ReplyDeadlineNotice(_Payload):
    receipt_id: str
    notice: PlannedNotice
    reply_by: date


class ReplyDeadlineResult(_Payload):
    receipt_id: str
    notices_sent: int
