"""Request and response bodies of API v1."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationInfo, field_validator, model_validator

from schemas.api.attachments import AttachmentRead
from schemas.api.disposal import DisposalRecordRead
from schemas.api.files import FILING_DESCRIPTION, Filing, filing_fits
from schemas.api.paging import Page as Page
from schemas.document import (
    ActionName,
    AllowedAction,
    Capacity,
    DraftMatter,
    ExpenseClass,
    FinanceState,
    Flag,
    Matter,
    ResponseKind,
    StageKind,
    Status,
    StepState,
)
from schemas.general_affairs import AFFAIR_MATTERS, AffairDetails, HrPostingState
from schemas.org import StaffRef
from schemas.records import DispatchMethod
from schemas.text import OneLine

OrgCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_.]+$")]
StaffId = Annotated[str, Field(min_length=1, max_length=40)]
BudgetCode = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z-]+$")]
#: A 決裁区分 key of the rulebook (e.g. inquiry_reply_routine); which keys exist is the rulebook version's.
Category = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]


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


class PaperOriginal(_Request):
    """紙原本: the original is kept on paper — why, and where."""

    reason: str = Field(min_length=1, max_length=2000)
    kept_at: str = Field(min_length=1, max_length=200)


class DocumentCreate(_Request):
    """起案: a new draft."""

    title: OneLine = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=100_000)
    matter: DraftMatter
    amount_yen: StrictInt = Field(default=0, ge=0, le=10**13)  # required for spending and contracts only
    confidentiality: Literal[1, 2, 3] = 1
    retention_years: int = Field(default=5, ge=0, le=100)  # 保存期間 (0 = 1年未満); the city's classes apply
    flags: list[Flag] = Field(default_factory=list, max_length=4)
    pre_instructed: bool = False
    urgent_reason: str = Field(default="", max_length=2000)
    desired_by: date | None = None  # 希望期限
    consult_units: list[OrgCode] = Field(default_factory=list, max_length=20)  # 合議先 (their 課長 consult)
    consult_quorum: int | None = Field(default=None, ge=1, le=20)  # answers needed (None = all)
    readers: list[StaffId] = Field(default_factory=list, max_length=100)  # 供覧先
    budget_code: BudgetCode | None = None  # 予算科目: reserved at submit, committed at the decision
    fiscal_year: int | None = Field(default=None, ge=2000, le=2200)  # 年度, only to name the previous one (4/1–5/31)
    expense_class: ExpenseClass | None = None  # spending / contract: 工事請負費, その他 (default), 交際費・食糧費
    category: Category | None = None  # general matters: the rulebook's 決裁区分 key (required for them)

    details: AffairDetails | None = None  # 庶務 requests (leave, overtime, trip): required for them, else absent
    retention_permanent: bool = False  # 永年 (then retention_years is not used)
    needs_issuance: bool | None = None  # 施行 after the decision (None: the matter's default)
    follow_up_of: str | None = Field(default=None, max_length=36)  # takes a sub-number (の2) of that document's
    paper_original: PaperOriginal | None = None  # 紙原本
    on_behalf_of: StaffId | None = None  # 代理申請: the 庶務担当 drafts a 庶務 request for this colleague
    #: 簿冊: the file it goes into (an open file of the drafter's section and 年度); absent: the proposed one, if any
    file_id: str | None = Field(default=None, min_length=1, max_length=36)
    filing: Filing = Field("proposed", description=FILING_DESCRIPTION)

    @field_validator("filing")
    @classmethod
    def _filing_fits(cls, filing: str, info: ValidationInfo) -> str:
        return filing_fits(filing, info.data.get("file_id"))

    @model_validator(mode="after")
    def _quorum_fits(self) -> DocumentCreate:
        if self.consult_quorum is not None and self.consult_quorum > len(self.consult_units):
            raise ValueError("consult_quorum cannot exceed the number of consult_units")
        return self

    @model_validator(mode="after")
    def _details_fit_the_matter(self) -> DocumentCreate:
        if self.matter not in AFFAIR_MATTERS:
            if self.details is not None:
                raise ValueError(f"a {self.matter} document has no details")
            return self
        if self.details is None or self.details.matter != self.matter:
            raise ValueError(f"a {self.matter} request needs details with matter {self.matter!r}")
        if self.amount_yen != 0 or self.budget_code is not None:
            raise ValueError(f"a {self.matter} request carries no amount_yen or budget_code")
        return self

    @model_validator(mode="after")
    def _money_matters_name_their_amount(self) -> DocumentCreate:
        if self.matter in ("spending", "contract") and "amount_yen" not in self.model_fields_set:
            raise ValueError(f"a {self.matter} document needs amount_yen")
        return self

    @model_validator(mode="after")
    def _expense_class_fits(self) -> DocumentCreate:
        """Spending and contracts fall in a band group of the matrix (その他 unless named); other matters none."""
        if self.matter in ("spending", "contract"):
            if self.expense_class is None:
                self.expense_class = "other"
        elif self.expense_class is not None:
            raise ValueError(f"a {self.matter} document has no expense_class")
        return self

    @model_validator(mode="after")
    def _category_fits(self) -> DocumentCreate:
        """A general matter names its 決裁区分 (which ones exist is the rulebook's: the service checks); others none."""
        if self.matter == "general" and self.category is None:
            raise ValueError("a general document needs a category (the rulebook's 決裁区分 key)")
        if self.matter == "general" and (self.amount_yen != 0 or self.budget_code is not None):
            raise ValueError("a general document carries no amount_yen or budget_code (spending is its own matter)")
        if self.matter != "general" and self.category is not None:
            raise ValueError(f"a {self.matter} document has no category")
        return self


class DocumentUpdate(_Request):
    """Edit a draft or a sent-back document (the version goes up; approvals of older versions lapse)."""

    title: OneLine | None = Field(default=None, min_length=1, max_length=200)
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
    expense_class: ExpenseClass | None = None
    category: Category | None = None  # general matters: another 決裁区分 key
    details: AffairDetails | None = None  # 庶務 requests: replaces the details (same matter)
    retention_years: int | None = Field(default=None, ge=0, le=100)
    retention_permanent: bool | None = None
    needs_issuance: bool | None = None
    paper_original: PaperOriginal | None = None  # null clears it

    @field_validator("retention_years", "retention_permanent", "needs_issuance")
    @classmethod
    def _not_null(cls, value: int | bool | None) -> int | bool:
        """Omit these to keep them; an explicit null has no meaning (the columns always hold a value)."""
        if value is None:
            raise ValueError("must not be null (omit the field to keep its value)")
        return value


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
    reason: str = ""  # why the rules put the stage there
    rule: str = ""  # the rulebook row(s) cited, e.g. 別表第1 第1項(3)イ


class FinanceRead(BaseModel):
    """The budget in 財務会計: none, reserved (仮押さえ), released, committed (支出負担行為), commit_failed."""

    state: FinanceState
    reservation_id: str | None
    reserved_yen: int
    fiscal_year: int | None
    voucher_id: str | None
    error: str


class HrPostingRead(BaseModel):
    """A decided 庶務 request's record in 人事給与: none (yet), posted (its id) or refused (HR's reason)."""

    state: HrPostingState
    posting_id: int | None
    error: str


class PostReviewRead(BaseModel):
    staff_id: str
    stage_index: int
    reason: Literal["substitute", "pull_up"]
    acted_by: str
    owed_since: datetime
    acknowledged_at: datetime | None


RecordsStatus = Literal["active", "transferred", "disposed"]
#: What the workflow settles just after a transition, in its own time: the 文書番号 of a decided document, and
#: its budget (支出負担行為 once decided, the release once it lapsed).
Settling = Literal["number", "finance"]


class DocumentNumberRead(BaseModel):
    symbol: str  # 文書記号
    fiscal_year: int
    fiscal_year_label: str  # 令和8年度
    serial: int
    sub: int | None
    display: str  # 萩総第123号の2


class IssuanceRead(BaseModel):
    """施行: the clean copy, the seal (or 公印省略) and the dispatch."""

    issued_at: datetime
    issued_by: str
    clean_copy_on: date  # 浄書日
    clean_copy_on_label: str  # 和暦
    seal_name: str | None
    seal_omitted: bool
    dispatch_method: DispatchMethod
    dispatch_method_label: str  # 郵送 / メール / 手交 / 庁内
    dispatched_on: date


class PaperOriginalRead(BaseModel):
    reason: str
    kept_at: str


class DocumentRead(BaseModel):
    id: str
    title: str
    body: str
    matter: Matter
    amount_yen: int
    confidentiality: int
    retention_years: int
    drafter_id: str
    drafted_by: str | None = None  # 代理申請: the 庶務担当 who drafted it for the drafter (the requester)
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
    details: AffairDetails | None = None
    hr: HrPostingRead = Field(default_factory=lambda: HrPostingRead(state="none", posting_id=None, error=""))
    #: True in a list for a 機密性2+ document: its ``body`` is empty and its ``details`` null (GET
    #: /v1/documents/{id} shows them and records the read).
    content_omitted: bool = False
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    #: 添付ファイル: listed by GET /v1/documents/{id}; other answers leave it null.
    attachments: list[AttachmentRead] | None = None
    expense_class: ExpenseClass | None = None
    category: str | None = None  # general matters: the 決裁区分 key
    rulebook_version: str | None = None  # the rulebook version the document was submitted under
    # records lifecycle (文書管理)
    number: DocumentNumberRead | None = None
    number_display: str | None = None  # 萩総第123号
    follow_up_of: str | None = None
    in_reply_to: str | None = None  # the receipt (収受文書) this document answers
    file_id: str | None = None  # 簿冊 (行政文書ファイル) it is filed in
    needs_issuance: bool = False
    issuance: IssuanceRead | None = None
    completed_at: datetime | None = None  # 完結
    completion_fiscal_year: int | None = None
    completion_fiscal_year_label: str | None = None  # 令和8年度
    retention_permanent: bool = False
    retention_label: str = ""  # 1年未満, 5年, 永年
    retention_starts_on: date | None = None
    retention_expires_on: date | None = None
    retention_expires_on_label: str | None = None  # 令和13年3月31日
    records_status: RecordsStatus = "active"
    paper_original: PaperOriginalRead | None = None
    disposal: DisposalRecordRead | None = None  # 廃棄記録 of a disposed document (its tombstone)
    #: Stored, not yet settled: ``number`` (``number`` and ``number_display`` still null) and ``finance``
    #: (``finance`` still as before the transition).  Empty once the workflow has settled them; a later GET shows
    #: the settled values.
    settling: list[Settling] = Field(default_factory=list)


class StageRead(BaseModel):
    kind: StageKind
    assignees: list[StaffRef]
    reason: str
    rule: str = ""  # the rulebook row(s) that put the stage there
    substitute_allowed: bool = True  # decide: whether 代決 may decide it


class RoutePreview(BaseModel):
    stages: list[StageRead]
    as_of: date | None = None  # the date the rulebook and the org chart were taken as of
    rulebook_version: str = ""


class InboxItem(BaseModel):
    """A step waiting for me: mine, one I may take as 代決者 for an absent decider, or a 後閲 I owe."""

    document_id: str
    title: str
    kind: Literal["step", "substitute", "post_review"] = "step"
    stage_index: int
    stage_kind: StageKind
    since: datetime | None
    on_behalf_of: str | None = None
    version: int | None = None  # the document's version as listed (一括承認 sends it back)
    #: To tell same-titled items apart: who drafted it, its amount (支出) or 決裁区分 (一般), its 文書番号 once decided.
    drafter_id: str | None = None
    matter: Matter | None = None
    amount_yen: int | None = None
    category: str | None = None
    number_display: str | None = None


class BulkApproveItem(BaseModel):
    """One item of a 一括承認: the document and the version the approver was shown."""

    model_config = ConfigDict(extra="forbid")

    document_id: str = Field(min_length=1, max_length=64)
    version: int = Field(ge=1)


class BulkApproveCreate(BaseModel):
    """一括承認: at most 50 items (the rulebook may set fewer); each is applied as its own 承認."""

    model_config = ConfigDict(extra="forbid")

    items: list[BulkApproveItem] = Field(min_length=1)


class BulkOutcome(BaseModel):
    """One item's outcome: approved (its own decision, its own update id), or refused with the reason."""

    document_id: str
    outcome: Literal["approved", "refused"]
    reason: str = ""
    status: str | None = None  # the document's status after the decision (approved only)


class BulkApproveRead(BaseModel):
    items: list[BulkOutcome]
    approved: int
    refused: int


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
    document_id: str | None  # None: a notice about a receipt
    receipt_id: str | None = None  # 収受: 供覧 and 回答期限 notices
    kind: str
    subject: str
    created_at: datetime
    read_at: datetime | None


class AllowedActions(BaseModel):
    """What the signed-in person may do with a document now (``POST …/actions`` still decides each one)."""

    actions: list[AllowedAction] = Field(default_factory=list)
    can_submit: bool = False  # 提出: the drafter, before the first submission
    can_edit: bool = False  # the drafter, while a draft or sent back
    can_issue: bool = False  # 施行: decided, awaiting issuance, and the caller the drafter or of the drafting division


class SealChoice(_Request):
    """公印: which seal (one the city keeps) and who pressed it (default: the caller)."""

    name: OneLine = Field(min_length=1, max_length=40)
    used_by: StaffId | None = None


class IssuanceCreate(_Request):
    """施行: after the decision, once.  Either ``seal`` or ``seal_omitted`` (公印省略)."""

    clean_copy_on: date  # 浄書日
    seal: SealChoice | None = None
    seal_omitted: bool = False
    dispatch_method: DispatchMethod  # post (郵送) / email (メール) / hand (手交) / internal (庁内)
    dispatched_on: date

    @model_validator(mode="after")
    def _seal_or_omitted(self) -> IssuanceCreate:
        if (self.seal is None) == (not self.seal_omitted):
            raise ValueError("name a seal, or set seal_omitted (公印省略) — exactly one of the two")
        return self


class RetentionExtensionCreate(_Request):
    """保存期間の延長 by the records office."""

    years: int = Field(ge=1, le=30)
    reason: str = Field(min_length=1, max_length=2000)


class RetentionExtensionRead(BaseModel):
    years: int
    reason: str
    previous_expires_on: date
    new_expires_on: date
    extended_by: str
    extended_at: datetime


class SealUseRead(BaseModel):
    """One line of the 公印使用簿."""

    id: int
    document_id: str
    seal_name: str
    used_by: str
    used_on: date
    used_on_label: str  # 和暦
    document_number: str | None
    title: str
    recorded_by: str
    recorded_at: datetime
