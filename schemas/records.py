"""Durable payloads of the records lifecycle (文書管理): 文書番号, 施行 (issuance) with its 公印, 完結 (completion).

These cross the Temporal boundary: while workflows are in flight, only add fields with defaults.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

#: When a document takes its 文書番号: at submit (起案時) or at its decision (決裁時).
Numbering = Literal["at_drafting", "at_decision"]
#: 郵送 / メール / 手交 / 庁内 (internal mail).
DispatchMethod = Literal["post", "email", "hand", "internal"]
DISPATCH_LABELS: dict[str, str] = {"post": "郵送", "email": "メール", "hand": "手交", "internal": "庁内"}
#: Why the document completed (完結).
CompletionCause = Literal["decision", "issuance", "circulation", "rejected", "withdrawn"]


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True)


class NumberRequest(_Payload):
    """Take the document's number (idempotent: a document that has one gets it back)."""

    document_id: str
    at: datetime  # the moment it is taken: its JST fiscal year is the number's


class DocumentNumber(_Payload):
    symbol: str  # 文書記号, e.g. 萩総
    fiscal_year: int
    serial: int
    sub: int | None = None  # の2 …
    display: str  # 萩総第123号の2


class SealUse(_Payload):
    """公印: which seal and who pressed it."""

    name: str
    used_by: str


class IssuanceInput(_Payload):
    """施行: the clean copy (浄書), the seal (or 公印省略) and the dispatch, delivered as the ``issue`` update."""

    actor_id: str
    clean_copy_on: date
    seal: SealUse | None = None  # None: 公印省略
    dispatch_method: DispatchMethod
    dispatched_on: date


class IssuanceRecord(_Payload):
    """What the projection writes: the issuance, the seal-use log row and their audit events."""

    document_id: str
    issuance: IssuanceInput
    at: datetime
    number: DocumentNumber | None = None


class CompletionRequest(_Payload):
    document_id: str
    completed_at: datetime
    cause: CompletionCause
    actor_id: str
    number_at: datetime | None = None  # take the 文書番号 first, in the same transaction (decided, not yet numbered)


class RecordsState(_Payload):
    """The records side of one document as the workflow holds it."""

    number: DocumentNumber | None = None
    issued_at: datetime | None = None
    completed_at: datetime | None = None
