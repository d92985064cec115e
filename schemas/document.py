"""Durable payloads of DocumentWorkflow: inputs, route, chain state and events.

These cross the Temporal boundary: while workflows are in flight, only add fields with defaults.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.general_affairs import AffairDetails
from schemas.org import StaffRef
from schemas.records import Numbering

#: 支出負担行為, 契約の締結, the 庶務 requests 休暇・時間外勤務命令・旅行命令, the records office's 廃棄決裁
#: (disposal_review, see schemas/disposal.py), and general matters (一般事項: 照会・回答, 通知, 条例・規則案 …, by
#: the rulebook's ``category``).
Matter = Literal["spending", "contract", "leave", "overtime", "trip", "disposal_review", "general"]
#: What a person may draft through POST /v1/documents (a disposal review is drafted by the records office).
DraftMatter = Literal["spending", "contract", "leave", "overtime", "trip", "general"]
#: 節 groups of the authority matrix: 工事請負費, その他, 交際費・食糧費 (spending and contracts only).
ExpenseClass = Literal["construction", "other", "hospitality"]
#: 重要 / 異例 / 先例 / 疑義: such a matter goes one level up; which of them bar 代決 is domain/acting.py's rule.
Flag = Literal["important", "unusual", "precedent", "doubtful"]
#: 回議, 合議, 文書審査 (法規審査: examine, one examiner who approves or sends back, before the 決裁), 決裁, 供覧.
StageKind = Literal["review", "consult", "examine", "decide", "circulate"]
ActionName = Literal[
    "approve",  # 承認 / 決裁 (and 同意 in a 合議)
    "consent",  # 合議: 同意
    "object",  # 合議: 異議 (reason required; the 合議 becomes 不調)
    "send_back",  # 差戻し
    "recall",  # 引戻し
    "withdraw",  # 取下げ
    "reject",  # 却下
    "pull_up",  # 引上げ承認
    "substitute",  # 代決
    "acknowledge",  # 供覧: 閲覧済
    "post_review",  # 後閲
    "comment",  # 意見 (no state change)
    "resubmit",  # 再提出
]
EventAction = Literal[
    "submit",
    "approve",
    "consent",
    "object",
    "send_back",
    "recall",
    "withdraw",
    "reject",
    "pull_up",
    "substitute",
    "acknowledge",
    "post_review",
    "comment",
    "resubmit",
    "reroute",
    "remind",
    "escalate",
    "reassign",  # 人事異動: unanswered steps moved to the new holder of the post
]
Status = Literal["draft", "in_review", "sent_back", "approved", "rejected", "withdrawn", "circulating", "completed"]
Capacity = Literal["self", "substitute", "pull_up"]
ResponseKind = Literal["approve", "consent", "object", "acknowledge"]


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
    flags: tuple[Flag, ...] = ()
    pre_instructed: bool = False  # 事前指示: 代決 allowed despite flags
    urgent_reason: str = ""  # 至急: 代決 allowed despite flags, with this reason
    consult_units: tuple[str, ...] = ()  # 合議先 the drafter adds (org unit codes; their 課長 consult)
    consult_quorum: int | None = None  # answers the drafter's 合議 needs (None = all)
    readers: tuple[str, ...] = ()  # 供覧: staff who read the decided document
    budget_code: str | None = None  # 予算科目 (款・項・目・節 + 事業): reserved at submit, committed at the decision
    fiscal_year: int | None = None  # 年度 the budget is taken from
    details: AffairDetails | None = None  # 庶務 requests (leave, overtime, trip): what is requested
    expense_class: ExpenseClass | None = None  # spending / contract: the band group (None = その他)
    days: float | None = None  # leave / trip: 日数 (a part day counts as a day)
    hours: float | None = None  # overtime: the hours of this order
    monthly_overtime_hours: float | None = None  # overtime: the month's ordered hours including this order
    rulebook_version: str | None = None  # pinned at the first submit: later 適用日 do not change it
    needs_issuance: bool = False  # 施行 (clean copy, 公印, dispatch) after the decision; 完結 waits for it
    category: str | None = None  # general matters: the rulebook's 決裁区分 key (e.g. inquiry_reply_routine)
    drafted_by: str | None = None  # 代理申請: the 庶務担当 who drafted it for the drafter (who may then submit it)


class SubmitInput(_Payload):
    actor_id: str
    facts: DocumentFacts
    numbering: Numbering = "at_decision"  # when the 文書番号 is taken (the API's setting)


class ActionContext(_Payload):
    """Facts from HR that the API looks up for an action (absences today, the substitutes of a post)."""

    absent_ids: tuple[str, ...] = ()
    substitutes: tuple[str, ...] = ()  # 代決順位 of ``on_behalf_of``'s post; the first one present decides
    actor_post: str = ""  # the actor's post name at this moment


class ActionInput(_Payload):
    """One human decision, delivered as a workflow update whose id is the HTTP Idempotency-Key."""

    action: ActionName
    actor_id: str
    comment: str = ""
    facts: DocumentFacts | None = None  # resubmit only: the (possibly edited) document
    target_step: int | None = None  # send_back: the stage routing resumes from (None = the first)
    on_behalf_of: str | None = None  # substitute: the absent decider
    context: ActionContext = ActionContext()
    bulk: bool = False  # approve: one item of a 一括承認 (the audit event says so)


class RouteRequest(_Payload):
    document_id: str
    drafter_id: str
    facts: DocumentFacts
    escalate: bool = False  # one level up (合議不調)
    as_of: date | None = None  # rulebook and org chart as of this date (None = today); preview only


class Stage(_Payload):
    """回議 (review, one approver), 合議 (consult, parallel), 文書審査 (examine, one examiner), 決裁 (decide) or
    供覧 (circulate)."""

    kind: StageKind
    assignees: tuple[StaffRef, ...]
    reason: str = ""  # why the rules put this stage here
    quorum: int | None = None  # consult: answers needed (None = all)
    remind_after_days: int = 1  # business days
    escalate_after_days: int = 3
    rule: str = ""  # the rulebook row(s) that put it here, e.g. 別表第1 第1項(3)イ
    substitute_allowed: bool = True  # decide: False when the rulebook bars 代決 for the matter


class Route(_Payload):
    stages: tuple[Stage, ...]
    rulebook_version: str = ""  # the rulebook version the route was resolved with


class Response(_Payload):
    """One assignee's answer, pinned to the version and content hash it covers."""

    staff_id: str  # who acted
    kind: ResponseKind
    at: datetime
    version: int
    content_hash: str
    capacity: Capacity = "self"
    on_behalf_of: str | None = None  # the assignee a substitute acted for
    actor_post: str = ""
    comment: str = ""
    seq: int = 0  # the chain event that gave this answer

    @property
    def assignee_id(self) -> str:
        return self.on_behalf_of or self.staff_id


class StageState(_Payload):
    kind: StageKind
    assignee_ids: tuple[str, ...]
    quorum: int | None = None
    responses: tuple[Response, ...] = ()
    skipped_ids: tuple[str, ...] = ()  # passed over by a 引上げ承認
    became_current_at: datetime | None = None
    reason: str = ""
    remind_after_days: int = 1
    escalate_after_days: int = 3
    reminded_at: datetime | None = None
    escalated_at: datetime | None = None
    rule: str = ""
    substitute_allowed: bool = True

    def response_of(self, assignee_id: str) -> Response | None:
        return next((r for r in self.responses if r.assignee_id == assignee_id), None)

    @property
    def required(self) -> int:
        return len(self.assignee_ids) if self.quorum is None else min(self.quorum, len(self.assignee_ids))

    @property
    def complete(self) -> bool:
        if self.skipped_ids and set(self.skipped_ids) >= set(self.assignee_ids):
            return True
        return len(self.responses) >= self.required

    @property
    def objected(self) -> bool:
        return any(r.kind == "object" for r in self.responses)

    @property
    def pending_ids(self) -> tuple[str, ...]:
        if self.complete:
            return ()
        done = {r.assignee_id for r in self.responses} | set(self.skipped_ids)
        return tuple(s for s in self.assignee_ids if s not in done)


class PostReview(_Payload):
    """後閲: the absent decider (代決) or a passed-over approver (引上げ承認) reads the matter afterwards."""

    staff_id: str
    stage_index: int
    reason: Literal["substitute", "pull_up"]
    acted_by: str
    owed_since: datetime
    acknowledged_at: datetime | None = None
    caused_by_seq: int = 0  # the 代決 / 引上げ承認 event that created it


class LastResponse(_Payload):
    stage_index: int
    staff_id: str


class ChainEvent(_Payload):
    """One applied action; ``seq`` counts the chain's events from 1.  ``input``/``route`` let the chain be rebuilt."""

    seq: int
    action: EventAction
    actor_id: str
    at: datetime
    version: int
    content_hash: str
    stage_index: int | None = None
    comment: str = ""
    detail: dict[str, Any] = Field(default_factory=dict)
    input: ActionInput | None = None
    route: Route | None = None


class ChainState(_Payload):
    """The approval chain of one document.  ``current`` indexes ``stages`` while routing, else None."""

    document_id: str
    drafter_id: str
    status: Status
    facts: DocumentFacts
    stages: tuple[StageState, ...]
    current: int | None
    seq: int = 0
    updated_at: datetime
    sent_back_to: int | None = None  # 差戻し: where routing resumes
    last_response: LastResponse | None = None  # who may still 引戻し
    round_started_seq: int = 0  # the event of the latest submit / resubmit: answers after it are this round's
    post_reviews: tuple[PostReview, ...] = ()

    @property
    def pending_ids(self) -> tuple[str, ...]:
        if self.status not in ("in_review", "circulating") or self.current is None:
            return ()
        return self.stages[self.current].pending_ids

    @property
    def consult_failed(self) -> bool:
        """合議不調: some consulted division objected."""
        return any(s.kind == "consult" and s.objected for s in self.stages)

    @property
    def open_post_reviews(self) -> tuple[PostReview, ...]:
        return tuple(p for p in self.post_reviews if p.acknowledged_at is None)

    def step_views(self) -> list[StepView]:
        """One view per (stage, assignee): who acted, in which capacity, and the step's state."""
        views = []
        for index, stage in enumerate(self.stages):
            for assignee in stage.assignee_ids:
                response = stage.response_of(assignee)
                views.append(
                    StepView(
                        stage_index=index,
                        stage_kind=stage.kind,
                        assignee_id=assignee,
                        state=self._step_state(index, stage, assignee, response),
                        since=stage.became_current_at,
                        acted_at=response.at if response else None,
                        acted_by=response.staff_id if response else None,
                        capacity=response.capacity if response else None,
                        response=response.kind if response else None,
                        actor_post=response.actor_post if response else "",
                        comment=response.comment if response else "",
                        version=response.version if response else None,
                        reminded_at=stage.reminded_at,
                        escalated_at=stage.escalated_at,
                        reason=stage.reason,
                        rule=stage.rule,
                        substitute_allowed=stage.substitute_allowed,
                    )
                )
        return views

    def _step_state(self, index: int, stage: StageState, assignee: str, response: Response | None) -> StepState:
        if response is not None:
            return "done"
        if assignee in stage.skipped_ids:
            return "skipped"
        if self.status in ("withdrawn", "rejected"):
            return "cancelled"
        if stage.complete:
            return "closed"  # the quorum was reached without this member
        if index == self.current and self.status in ("in_review", "circulating"):
            return "pending"
        return "waiting"


StepState = Literal["done", "pending", "waiting", "skipped", "closed", "cancelled"]


class StepView(_Payload):
    """One assignee's step as the inbox and the document page show it."""

    stage_index: int
    stage_kind: StageKind
    assignee_id: str
    state: StepState
    since: datetime | None = None
    acted_at: datetime | None = None
    acted_by: str | None = None
    capacity: Capacity | None = None
    response: ResponseKind | None = None
    actor_post: str = ""
    comment: str = ""
    version: int | None = None
    reminded_at: datetime | None = None
    escalated_at: datetime | None = None
    reason: str = ""  # why the rules put the stage there
    rule: str = ""  # the rulebook row cited
    substitute_allowed: bool = True  # decide: False when the rulebook bars 代決 (the inbox needs it)


FinanceState = Literal["none", "reserved", "released", "committed", "commit_failed"]


class DocumentFinance(_Payload):
    """The document's money in 財務会計: 仮押さえ at submit, released or committed (支出負担行為) later."""

    state: FinanceState = "none"
    reservation_id: str | None = None
    reserved_yen: int = 0
    fiscal_year: int | None = None
    voucher_id: str | None = None
    error: str = ""


class FinanceProjection(_Payload):
    document_id: str
    finance: DocumentFinance


class RecordsOfficeNotice(_Payload):
    """Something the records office (文書担当, 総務課) must look at, e.g. a commitment finance refused."""

    document_id: str
    reason: str


class ProjectionInput(_Payload):
    """Read model + audit rows for one transition: the new state and the events it produced."""

    state: ChainState
    events: tuple[ChainEvent, ...]
    finance: DocumentFinance | None = None


class Deadlines(_Payload):
    """When the current stage's assignees are reminded and their superior alerted (business days)."""

    remind_at: datetime | None = None
    escalate_at: datetime | None = None


class DeadlineNotice(_Payload):
    """A reminder (督促) to the assignees or an escalation to their superiors, for one stage."""

    document_id: str
    kind: Literal["remind", "escalate"]
    stage_index: int
    stage_since: datetime
    assignee_ids: tuple[str, ...]


class DocumentResult(_Payload):
    document_id: str
    status: Status


#: Actions whose comment is the required reason (異議, 差戻し, 却下, a comment itself).
REASON_REQUIRED: frozenset[str] = frozenset({"object", "send_back", "reject", "comment"})


class AllowedAction(_Payload):
    """One action the chain allows a person now: the UI offers exactly these, integrators may ask for them."""

    action: ActionName
    on_behalf_of: str | None = None  # 代決 (substitute, or reject by 代決): the absent decider
    target_steps: tuple[int, ...] = ()  # send_back: the stages routing may resume from
    reason_required: bool = False
