"""Durable payloads of the disposal review (廃棄・移管の審査): the yearly trigger and the application of a decided
review.

These cross the Temporal boundary: while workflows are in flight, only add fields with defaults.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

#: What the records office proposes for one expiring document: 延長, 移管 (to archives) or 廃棄.
Disposition = Literal["extend", "transfer", "dispose"]
DISPOSITION_LABELS: dict[str, str] = {"extend": "延長", "transfer": "移管", "dispose": "廃棄"}
#: open (items editable) -> submitted (in approval, items frozen) -> applied | rejected | withdrawn; a decided
#: review whose 廃棄 / 移管 wait for the day after their 満了日 is approved until the daily job applies them.
ReviewStatus = Literal["open", "submitted", "approved", "applied", "rejected", "withdrawn"]
#: The matter of the review's own 起案文書 (its 廃棄決裁).
DISPOSAL_REVIEW_MATTER = "disposal_review"


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True)


class DisposalTrigger(_Payload):
    """Input of the scheduled ``DisposalReviewTriggerWorkflow``: None = the fiscal year of the moment it runs."""

    fiscal_year: int | None = None


class OpenReviewRequest(_Payload):
    fiscal_year: int | None = None  # None: the fiscal year (JST) of ``at``
    at: datetime
    opened_by: str = "system"


class ReviewOpened(_Payload):
    review_id: str
    fiscal_year: int
    created: bool  # False: the fiscal year's review was already open (idempotent)
    item_count: int


class DisposalSettlement(_Payload):
    """The review's document closed with ``status``: apply its items (decided) or release them (not decided)."""

    document_id: str
    status: str
    at: datetime


class DisposalApplied(_Payload):
    review_id: str | None
    status: str
    applied: int = 0  # items applied by this run (a retried activity applies none twice)
    waiting: int = 0  # decided 廃棄 / 移管 not yet applied: their retention has not expired
    applies_from: date | None = None  # the first day the next waiting item may be applied


class DueDisposals(_Payload):
    """Input of the daily ``DisposalApplyWorkflow``: apply what has come due (``at``: when it runs)."""

    at: datetime


class DueApplied(_Payload):
    reviews: int = 0  # decided reviews looked at
    applied: int = 0  # items applied by this run
    waiting: int = 0  # items still waiting for their 満了日 to pass
