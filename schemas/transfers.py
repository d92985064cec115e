"""人事異動 (April-1 transfers): the next org chart as uploaded, its impact on documents in flight, and the
durable payloads that carry a transfer into the workflows.

The payloads at the bottom cross the Temporal boundary: while workflows are in flight, only add fields with
defaults.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.org import OrgUnit, Post

_CODE = r"^[a-z0-9_.]+$"
_STAFF = r"^[A-Za-z0-9_.-]+$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Position(_Frozen):
    """A post (職位) in one org unit, e.g. 総務課長 = (somu.somu, manager)."""

    org_unit: str = Field(max_length=64, pattern=_CODE)
    post: str = Field(max_length=40, pattern=_CODE)


class TransferAssignment(Position):
    """One staff member leaving (``end``) or taking up (``start``) a position on the effective date."""

    staff_id: str = Field(max_length=40, pattern=_STAFF)


LeaveReason = Literal["retired", "left"]


class TransferLeaver(_Frozen):
    """A staff member who leaves the city's service on the effective date (退職 ``retired``; 離職・転出 ``left``):
    their account is deactivated when the transfer is applied (sign-in refused, sessions ended, history kept)."""

    staff_id: str = Field(max_length=40, pattern=_STAFF)
    reason: LeaveReason = "retired"


class TransferPlan(_Frozen):
    """The next org chart, as differences from the one in force the day before ``effective_on`` (異動日)."""

    effective_on: date
    note: str = Field("", max_length=2000)
    end: tuple[TransferAssignment, ...] = Field((), max_length=50_000)
    start: tuple[TransferAssignment, ...] = Field((), max_length=50_000)
    new_org_units: tuple[OrgUnit, ...] = Field((), max_length=1000)
    abolished_org_units: tuple[str, ...] = Field((), max_length=1000)
    new_posts: tuple[Post, ...] = Field((), max_length=100)
    abolished_posts: tuple[Position, ...] = Field((), max_length=5000)
    #: Who leaves the service (each must also end every post they hold the day before, in ``end``).
    leavers: tuple[TransferLeaver, ...] = Field((), max_length=50_000)


TransferStatus = Literal["draft", "applying", "applied"]


class TransferRead(_Frozen):
    id: str
    effective_on: date
    status: TransferStatus
    note: str
    created_by: str
    created_at: datetime
    applied_at: datetime | None = None
    ends: int
    starts: int


MoveOutcome = Literal["reassign", "needs_decision"]


class TransferMove(_Frozen):
    """One pending (or waiting) step whose assignee leaves their post: to the new holder of the same post, or
    "post abolished / vacant -> needs a decision" by the records office (文書担当)."""

    document_id: str
    stage_index: int
    stage_kind: str
    old_assignee_id: str
    org_unit: str
    post: str
    new_assignee_id: str | None = None
    outcome: MoveOutcome
    reason: str = ""
    done: bool = False  # applied (reassigned, or the records office told)


class TransferImpact(_Frozen):
    transfer_id: str
    status: TransferStatus
    effective_on: date
    documents: int
    moves: tuple[TransferMove, ...]


class TransferApplied(_Frozen):
    """What one apply did (a re-apply reports only what was left to do)."""

    transfer_id: str
    status: TransferStatus
    reassigned_documents: int
    needs_decision: int
    skipped_documents: int  # finished (or moved on) before their step could be reassigned


# --- durable payloads ---------------------------------------------------------------------------------------


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True)


class Reassignment(_Payload):
    old_id: str
    new_id: str
    new_post: str = ""  # e.g. 総務課長: shown in the audit trail


class ReassignInput(_Payload):
    """人事異動: the document's unanswered steps of ``old_id`` go to ``new_id`` (update id: ``transfer:{id}``)."""

    transfer_id: str
    moves: tuple[Reassignment, ...]
    reason: str = ""


class TransferInput(_Payload):
    """Start argument of ``TransferWorkflow`` (id ``transfer:{transfer_id}``): apply at ``apply_at``."""

    transfer_id: str
    apply_at: datetime
