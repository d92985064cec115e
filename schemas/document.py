"""Durable payloads of DocumentWorkflow: inputs, route, chain state and events.

These cross the Temporal boundary: while workflows are in flight, only add fields with defaults.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.org import StaffRef

Matter = Literal["spending"]
StageKind = Literal["review", "consult", "decide"]
ActionName = Literal["approve", "send_back", "withdraw", "resubmit"]
Status = Literal["draft", "in_review", "sent_back", "approved", "withdrawn"]
TERMINAL_STATUSES: frozenset[str] = frozenset({"approved", "withdrawn"})


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True)


class DocumentInput(_Payload):
    """Start argument of ``DocumentWorkflow`` (id ``document:{document_id}``)."""

    document_id: str
    drafter_id: str


class DocumentFacts(_Payload):
    """What the route depends on and what approvals pin: sent with submit and resubmit."""

    matter: Matter
    amount_yen: int
    org_unit_code: str
    version: int
    content_hash: str


class SubmitInput(_Payload):
    actor_id: str
    facts: DocumentFacts


class ActionInput(_Payload):
    """One human decision, delivered as a workflow update whose id is the HTTP Idempotency-Key."""

    action: ActionName
    actor_id: str
    comment: str = ""
    facts: DocumentFacts | None = None  # resubmit only: the edited document


class RouteRequest(_Payload):
    document_id: str
    drafter_id: str
    facts: DocumentFacts


class Stage(_Payload):
    """回議 (review, one approver), 合議 (consult, parallel, all must consent) or 決裁 (decide)."""

    kind: StageKind
    assignees: tuple[StaffRef, ...]
    reason: str = ""  # why the rules put this stage here


class Route(_Payload):
    stages: tuple[Stage, ...]


class Approval(_Payload):
    staff_id: str
    at: datetime
    version: int
    content_hash: str


class StageState(_Payload):
    kind: StageKind
    assignee_ids: tuple[str, ...]
    approvals: tuple[Approval, ...] = ()
    became_current_at: datetime | None = None

    def approved_by(self, staff_id: str) -> bool:
        return any(a.staff_id == staff_id for a in self.approvals)

    @property
    def complete(self) -> bool:
        return all(self.approved_by(s) for s in self.assignee_ids)

    @property
    def pending_ids(self) -> tuple[str, ...]:
        return tuple(s for s in self.assignee_ids if not self.approved_by(s))


class ChainEvent(_Payload):
    """One applied action; ``seq`` counts the chain's events from 1."""

    seq: int
    action: Literal["submit", "approve", "send_back", "withdraw", "resubmit"]
    actor_id: str
    at: datetime
    version: int
    content_hash: str
    stage_index: int | None = None
    comment: str = ""
    detail: dict[str, Any] = Field(default_factory=dict)


StepState = Literal["approved", "pending", "waiting", "cancelled"]


class StepView(_Payload):
    """One assignee's step as the inbox and the document page show it."""

    stage_index: int
    stage_kind: StageKind
    assignee_id: str
    state: StepState
    since: datetime | None = None
    acted_at: datetime | None = None


class ChainState(_Payload):
    """The approval chain of one document.  ``current`` indexes ``stages`` while in review, else None."""

    document_id: str
    drafter_id: str
    status: Status
    facts: DocumentFacts
    stages: tuple[StageState, ...]
    current: int | None
    seq: int = 0
    updated_at: datetime

    @property
    def pending_ids(self) -> tuple[str, ...]:
        if self.status != "in_review" or self.current is None:
            return ()
        return self.stages[self.current].pending_ids

    def step_views(self) -> list[StepView]:
        """One view per (stage, assignee): approved, pending (in the inbox), waiting, or cancelled."""
        views = []
        for index, stage in enumerate(self.stages):
            for assignee in stage.assignee_ids:
                approval = next((a for a in stage.approvals if a.staff_id == assignee), None)
                views.append(
                    StepView(
                        stage_index=index,
                        stage_kind=stage.kind,
                        assignee_id=assignee,
                        state="approved" if approval else self._open_step_state(index),
                        since=stage.became_current_at,
                        acted_at=approval.at if approval else None,
                    )
                )
        return views

    def _open_step_state(self, index: int) -> StepState:
        if self.status == "withdrawn":
            return "cancelled"
        if self.status == "in_review" and index == self.current:
            return "pending"
        return "waiting"


class ProjectionInput(_Payload):
    """Read model + audit rows for one transition: the new state and the events it produced."""

    state: ChainState
    events: tuple[ChainEvent, ...]


class DocumentResult(_Payload):
    document_id: str
    status: Status
