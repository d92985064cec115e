"""SQLAlchemy 2 models: ringi's own database (org mirror, documents, the inbox read model, the audit chain)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on every backend (SQLite keeps no offset, so we normalise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON}  # noqa: RUF012 (SQLAlchemy reads it)


class OrgUnitRow(Base):
    """部・課 (org unit), mirrored from HR."""

    __tablename__ = "org_units"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("org_units.code"))
    symbol: Mapped[str | None] = mapped_column(String(20))


class PostRow(Base):
    """職位 (post): 市長, 部長, 課長 …"""

    __tablename__ = "posts"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    rank: Mapped[int] = mapped_column(Integer)


class StaffRow(Base):
    """職員 (staff member) with the credentials of the dev token issuer."""

    __tablename__ = "staff"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    #: A one-time password (initial, or an administrator's reset): the person may only change it.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: When the password was last set by its holder or reset (None: as seeded or imported).
    password_changed_at: Mapped[datetime | None]
    #: Deactivated (退職・無効化): sign-in refused and no session lives; the history stays.
    deactivated_at: Mapped[datetime | None]

    assignments: Mapped[list[PostAssignmentRow]] = relationship(
        back_populates="staff", lazy="raise", order_by="PostAssignmentRow.effective_from"
    )


class StaffRoleRow(Base):
    """An explicit role grant (``schemas.org.StaffRole``: 文書担当 ``records_office``, 人事担当 ``hr_admin``).

    Powers come from a grant, never from membership of a unit (総務課, 人事課)."""

    __tablename__ = "staff_roles"

    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)


class ClerkGrantRow(Base):
    """庶務担当 (``domain.clerks``): ``staff_id`` drafts 庶務 requests for the staff of ``org_unit_code`` from
    ``valid_from`` to ``valid_to`` (both inclusive; None: open-ended), granted by an administrator or 人事担当."""

    __tablename__ = "clerk_grants"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    org_unit_code: Mapped[str] = mapped_column(ForeignKey("org_units.code"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, default=None)
    granted_by: Mapped[str] = mapped_column(String(40))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PostAssignmentRow(Base):
    """A staff member holding a post in an org unit from ``effective_from`` until ``effective_to`` (exclusive)."""

    __tablename__ = "post_assignments"
    __table_args__ = (Index("ix_post_assignments_unit_post", "org_unit_code", "post_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), index=True)
    org_unit_code: Mapped[str] = mapped_column(ForeignKey("org_units.code"))
    post_code: Mapped[str] = mapped_column(ForeignKey("posts.code"))
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)

    staff: Mapped[StaffRow] = relationship(back_populates="assignments", lazy="raise")
    org_unit: Mapped[OrgUnitRow] = relationship(lazy="raise")
    post: Mapped[PostRow] = relationship(lazy="raise")


class DocumentRow(Base):
    """起案文書 (a draft and, once submitted, the projection of its workflow's state)."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_drafter_created", "drafter_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    matter: Mapped[str] = mapped_column(String(40))
    amount_yen: Mapped[int] = mapped_column(BigInteger)
    confidentiality: Mapped[int] = mapped_column(Integer)
    retention_years: Mapped[int] = mapped_column(Integer)
    drafter_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    #: 代理申請: the 庶務担当 who drafted it for the drafter (the requester); None when the drafter drafted it.
    drafted_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), default=None)
    org_unit_code: Mapped[str] = mapped_column(ForeignKey("org_units.code"))
    status: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    #: Number of chain events projected so far: makes the projection idempotent.
    projected_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    #: 重要 / 異例 / 先例 / 疑義 and the exceptions that still allow 代決.
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    pre_instructed: Mapped[bool] = mapped_column(Boolean, default=False)
    urgent_reason: Mapped[str] = mapped_column(Text, default="")
    desired_by: Mapped[date | None] = mapped_column(Date)  # 希望期限
    sent_back_to: Mapped[int | None] = mapped_column(Integer)
    consult_failed: Mapped[bool] = mapped_column(Boolean, default=False)  # 合議不調
    copied_from: Mapped[str | None] = mapped_column(String(36))  # 引用起案
    in_reply_to: Mapped[str | None] = mapped_column(String(36), index=True)  # the receipt (収受文書) it answers
    consult_units: Mapped[list[str]] = mapped_column(JSON, default=list)  # 合議先 named by the drafter
    consult_quorum: Mapped[int | None] = mapped_column(Integer)
    readers: Mapped[list[str]] = mapped_column(JSON, default=list)  # 供覧先
    budget_code: Mapped[str | None] = mapped_column(String(40))  # 予算科目
    fiscal_year: Mapped[int | None] = mapped_column(Integer)  # 年度 named by the drafter (出納整理期間)
    finance_state: Mapped[str] = mapped_column(String(20), default="none")
    reservation_id: Mapped[str | None] = mapped_column(String(40))
    reserved_yen: Mapped[int] = mapped_column(BigInteger, default=0)
    budget_fiscal_year: Mapped[int | None] = mapped_column(Integer)
    voucher_id: Mapped[str | None] = mapped_column(String(40))
    finance_error: Mapped[str] = mapped_column(Text, default="")
    #: 庶務 requests (leave, overtime, trip): the typed details, and their record in 人事給与 once decided.
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    hr_state: Mapped[str] = mapped_column(String(20), default="none")  # none | posted | refused
    hr_posting_id: Mapped[int | None] = mapped_column(Integer)
    hr_error: Mapped[str] = mapped_column(Text, default="")
    expense_class: Mapped[str | None] = mapped_column(String(20))  # 工事請負費 / その他 / 交際費・食糧費
    category: Mapped[str | None] = mapped_column(String(40))  # general matters: the 決裁区分 key
    rulebook_version: Mapped[str | None] = mapped_column(String(40))  # pinned at the first submit
    # --- records lifecycle (文書管理): 文書番号, 施行, 完結, 保存期間, 紙原本 ---
    needs_issuance: Mapped[bool] = mapped_column(Boolean, default=False)  # 施行 (clean copy, 公印, dispatch) due
    follow_up_of: Mapped[str | None] = mapped_column(String(36))  # takes a sub-number (の2) of this document's
    number_symbol: Mapped[str | None] = mapped_column(String(20))  # 文書記号
    number_fiscal_year: Mapped[int | None] = mapped_column(Integer)
    number_serial: Mapped[int | None] = mapped_column(Integer)
    number_sub: Mapped[int | None] = mapped_column(Integer)  # の2, の3 …
    number_display: Mapped[str | None] = mapped_column(String(60))  # 萩総第123号の2
    numbered_at: Mapped[datetime | None]
    last_sub_number: Mapped[int] = mapped_column(Integer, default=1)  # sub-numbers handed to follow-ups
    issued_at: Mapped[datetime | None]
    issued_by: Mapped[str | None] = mapped_column(String(40))
    clean_copy_on: Mapped[date | None] = mapped_column(Date)  # 浄書日
    seal_name: Mapped[str | None] = mapped_column(String(40))  # 公印 (None with seal_omitted: 公印省略)
    seal_omitted: Mapped[bool] = mapped_column(Boolean, default=False)
    dispatch_method: Mapped[str | None] = mapped_column(String(20))  # 郵送 / メール / 手交 / 庁内
    dispatched_on: Mapped[date | None] = mapped_column(Date)
    completed_at: Mapped[datetime | None]  # 完結
    completion_fiscal_year: Mapped[int | None] = mapped_column(Integer)
    retention_permanent: Mapped[bool] = mapped_column(Boolean, default=False)  # 永年
    retention_starts_on: Mapped[date | None] = mapped_column(Date)  # 起算日
    retention_expires_on: Mapped[date | None] = mapped_column(Date)
    records_status: Mapped[str] = mapped_column(String(20), default="active")  # active | transferred | disposed
    paper_original_reason: Mapped[str | None] = mapped_column(Text)  # 紙原本: why the original is on paper
    paper_original_location: Mapped[str | None] = mapped_column(String(200))  # and where it is kept
    #: 簿冊 (行政文書ファイル) the document is filed in (None: not filed yet).
    file_id: Mapped[str | None] = mapped_column(ForeignKey("record_files.id"), index=True)


Index("ix_documents_records_expiry", DocumentRow.records_status, DocumentRow.retention_expires_on)
Index("ix_documents_number", DocumentRow.number_fiscal_year, DocumentRow.number_display, unique=True)


class RouteStepRow(Base):
    """One assignee's step on a document's route: the read model behind the inbox (受信箱)."""

    __tablename__ = "route_steps"
    __table_args__ = (
        UniqueConstraint("document_id", "stage_index", "assignee_id", name="uq_route_steps_doc_stage_assignee"),
        Index("ix_route_steps_inbox", "assignee_id", "state", "since"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    stage_index: Mapped[int] = mapped_column(Integer)
    stage_kind: Mapped[str] = mapped_column(String(20))
    assignee_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    #: done | pending (in the inbox) | waiting | skipped | closed | cancelled
    state: Mapped[str] = mapped_column(String(20))
    since: Mapped[datetime | None]
    acted_at: Mapped[datetime | None]
    acted_by: Mapped[str | None] = mapped_column(String(40))
    capacity: Mapped[str | None] = mapped_column(String(20))  # self | substitute (代決) | pull_up (引上げ)
    response: Mapped[str | None] = mapped_column(String(20))
    actor_post: Mapped[str] = mapped_column(String(40), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int | None] = mapped_column(Integer)
    remind_at: Mapped[datetime | None]
    escalate_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")  # why the rules put the stage there
    rule: Mapped[str] = mapped_column(String(400), default="")  # the rulebook row(s) cited
    #: decide: False when the rulebook bars 代決 for the matter (with the document's flags, the inbox's 代決 rule)
    substitute_allowed: Mapped[bool] = mapped_column(Boolean, default=True)


class PostReviewRow(Base):
    """後閲: owed by an absent decider (代決) or a passed-over approver (引上げ承認); never blocks the document."""

    __tablename__ = "post_reviews"
    __table_args__ = (Index("ix_post_reviews_staff_open", "staff_id", "acknowledged_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    stage_index: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))
    acted_by: Mapped[str] = mapped_column(String(40))
    owed_since: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]


class NotificationRow(Base):
    """Outbox of notices (督促, エスカレーション, 後閲): never carries a document body."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_notifications_dedupe_key"),
        Index("ix_notifications_recipient_created", "recipient_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    recipient_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    #: The document a notice is about, or None for a notice about a receipt (``receipt_id``).
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    #: The receipt (収受文書) a notice is about: 供覧 requests and reminders, 回答期限.
    receipt_id: Mapped[str | None] = mapped_column(ForeignKey("receipts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    #: What the text needs besides the document (stage kind, result, reason, on_behalf_of); never content.
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: When the dispatcher made its deliveries (one per channel the recipient chose); None = not yet.
    planned_at: Mapped[datetime | None] = mapped_column(index=True)


class AuditEventRow(Base):
    """One applied action.  ``hash`` = SHA-256 over the row's content and ``prev_hash`` (a per-document chain)."""

    __tablename__ = "audit_events"

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AttachmentRow(Base):
    """添付ファイル: numbered 1, 2, … per document; the bytes live in the attachment store under their SHA-256.

    A deleted attachment (allowed only before the first approval) keeps its row as a tombstone, so numbers
    are never reused.
    """

    __tablename__ = "attachments"

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    uploaded_at: Mapped[datetime]
    deleted_by: Mapped[str | None] = mapped_column(String(40))
    deleted_at: Mapped[datetime | None]


class AttachmentOpenRow(Base):
    """An attachment a staff member has opened (downloaded) at least once: 一括承認 needs every one opened."""

    __tablename__ = "attachment_opens"

    staff_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_at: Mapped[datetime]


class AuditHeadRow(Base):
    """The last event of a document's audit chain, kept with every append: a deleted or added tail shows against it."""

    __tablename__ = "audit_heads"

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class NotificationPreferenceRow(Base):
    """通知設定: which channels a staff member wants, their addresses, and quiet hours (JST, "HH:MM")."""

    __tablename__ = "notification_preferences"

    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    email: Mapped[str | None] = mapped_column(String(254))
    chat_user_id: Mapped[str | None] = mapped_column(String(100))
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    updated_at: Mapped[datetime]


class NotificationDeliveryRow(Base):
    """One notice over one channel: pending until sent, retried with backoff, given up after too many failures."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel", name="uq_notification_deliveries_notice_channel"),
        Index("ix_notification_deliveries_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))  # chat | email
    #: pending | sent | failed (given up) | skipped (channel off, no address, policy)
    state: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    #: A dispatcher that claimed the delivery holds it until then (several workers may run).
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]


class NotificationAttemptRow(Base):
    """Every try to deliver (for the record: when, where to, and what went wrong)."""

    __tablename__ = "notification_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("notification_deliveries.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    address: Mapped[str] = mapped_column(String(254))
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str] = mapped_column(Text, default="")


class RulebookVersionRow(Base):
    """One version of the rulebook (事務決裁規程), in force from ``effective_from`` (適用日); id = that date."""

    __tablename__ = "rulebook_versions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date, unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    review_citation: Mapped[str] = mapped_column(String(200), default="")
    escalation_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    escalation_consult_failed: Mapped[bool] = mapped_column(Boolean, default=True)
    escalation_levels: Mapped[int] = mapped_column(Integer, default=1)
    escalation_citation: Mapped[str] = mapped_column(String(200))
    #: 時間外勤務の上限 (schemas.rules.OvertimeLimits as JSON); None: the version sets no caps
    overtime_limits: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    bulk_approval: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # 一括承認 (null: none)
    source: Mapped[str] = mapped_column(String(20))  # repository (YAML shipped with ringi) | upload
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(40))

    rows: Mapped[list[RuleRow]] = relationship(lazy="raise", order_by="RuleRow.section, RuleRow.position")


class RuleRow(Base):
    """One row of a rulebook version: an authority band, a mandatory 合議 or a non-delegable matter."""

    __tablename__ = "rulebook_rows"
    __table_args__ = (UniqueConstraint("version_id", "section", "position", name="uq_rulebook_rows_version_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[str] = mapped_column(ForeignKey("rulebook_versions.id", ondelete="CASCADE"), index=True)
    section: Mapped[str] = mapped_column(String(20))  # authority | consultations | examinations | non_delegable
    position: Mapped[int] = mapped_column(Integer)
    matter: Mapped[str] = mapped_column(String(40))
    expense_class: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(40))  # general matters: the 決裁区分 row's key
    category_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    quantity: Mapped[str | None] = mapped_column(String(40))
    at_least: Mapped[int] = mapped_column(BigInteger)  # 以上
    below: Mapped[int | None] = mapped_column(BigInteger)  # 未満
    level: Mapped[str | None] = mapped_column(String(40))
    org_unit: Mapped[str | None] = mapped_column(String(64))
    post: Mapped[str | None] = mapped_column(String(40))
    citation: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")


class OrgTransferRow(Base):
    """人事異動: the next org chart (``plan``: schemas.transfers.TransferPlan) and whether it has been applied."""

    __tablename__ = "org_transfers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    effective_on: Mapped[date] = mapped_column(Date, index=True)
    #: draft | applying (assignments written, steps being moved) | applied
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    applied_at: Mapped[datetime | None]


class OrgTransferMoveRow(Base):
    """One step a transfer moves (or hands to the records office), fixed when the transfer is first applied."""

    __tablename__ = "org_transfer_moves"
    __table_args__ = (
        UniqueConstraint(
            "transfer_id", "document_id", "stage_index", "old_assignee_id", name="uq_org_transfer_moves_step"
        ),
        Index("ix_org_transfer_moves_transfer_done", "transfer_id", "done"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transfer_id: Mapped[str] = mapped_column(ForeignKey("org_transfers.id", ondelete="CASCADE"))
    document_id: Mapped[str] = mapped_column(String(36))
    stage_index: Mapped[int] = mapped_column(Integer)
    stage_kind: Mapped[str] = mapped_column(String(20))
    old_assignee_id: Mapped[str] = mapped_column(String(40))
    org_unit_code: Mapped[str] = mapped_column(String(64))
    post_code: Mapped[str] = mapped_column(String(40))
    new_assignee_id: Mapped[str | None] = mapped_column(String(40))
    #: reassign | needs_decision
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    done: Mapped[bool] = mapped_column(Boolean, default=False)


class DocumentNumberCounterRow(Base):
    """The last 文書番号 serial taken per 文書記号 per fiscal year (the row is the lock: gapless, no duplicates)."""

    __tablename__ = "document_number_counters"

    symbol: Mapped[str] = mapped_column(String(20), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer)


class SealUseRow(Base):
    """公印使用簿: one use of an official seal at a document's issuance (施行)."""

    __tablename__ = "seal_uses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    seal_name: Mapped[str] = mapped_column(String(40))
    used_by: Mapped[str] = mapped_column(String(40))  # who pressed it (押印者)
    used_on: Mapped[date] = mapped_column(Date, index=True)
    document_number: Mapped[str | None] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(400))
    recorded_by: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[datetime]


class RetentionExtensionRow(Base):
    """保存期間の延長: each extension of a document's retention, kept as history."""

    __tablename__ = "retention_extensions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    years: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    previous_expires_on: Mapped[date] = mapped_column(Date)
    new_expires_on: Mapped[date] = mapped_column(Date)
    extended_by: Mapped[str] = mapped_column(String(40))
    extended_at: Mapped[datetime]


class StaffTotpRow(Base):
    """A staff member's TOTP second factor (二要素認証): secrets sealed (encrypted), never in clear."""

    __tablename__ = "staff_totp"

    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    #: The active secret (None until the first enrolment is confirmed).
    secret_sealed: Mapped[str | None] = mapped_column(Text)
    #: An enrolment started and not yet confirmed (replaces the active secret when confirmed).
    pending_secret_sealed: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None]
    #: The time step of the last accepted code: each code is good once.
    last_counter: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


class RecoveryCodeRow(Base):
    """One-time recovery codes of a TOTP enrolment (keyed hashes only)."""

    __tablename__ = "staff_recovery_codes"
    __table_args__ = (UniqueConstraint("staff_id", "code_hash", name="uq_staff_recovery_codes_staff_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class SignInGuardRow(Base):
    """One row per staff id that ever failed a sign-in (known or not, so a lockout reveals nothing): the row every
    attempt of that id locks (``SELECT … FOR UPDATE``) so concurrent failures count one by one, with their total
    and the latest.  ``locked_until`` is no longer written: the locks are computed from ``sign_in_failures``
    (domain/throttle.py)."""

    __tablename__ = "sign_in_guard"

    staff_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    last_failure_at: Mapped[datetime | None]


class SignInFailureRow(Base):
    """One failed sign-in (or second-factor code), kept under its client address and under its staff id for the
    back-off and the locks of domain/throttle.py; rows older than the longest window are pruned as new ones are
    written."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_key_at", "scope", "key", "at"),
        Index("ix_sign_in_failures_at", "at"),  # the pruning of every key's old failures
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: address (the resolved client address) | account (the staff id as typed, known or not)
    scope: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime]
    #: The resolved client address the failure came from (the per-(id, address) lock).
    client_ip: Mapped[str | None] = mapped_column(String(45))
    #: Whether that address was in the office network (failures from outside never hold back the office).
    office: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class SessionRow(Base):
    """A signed-in session (セッション): a web cookie or a bearer token carries its id, and each request checks it is
    still here and neither idle past the timeout nor past its absolute lifetime.  Ending it deletes the row."""

    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_staff_id", "staff_id"),)

    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    #: web (the cookie of the web UI) | api (a bearer token)
    kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]
    #: Moved forward by requests, at most once a minute (the idle timeout counts from here).
    last_seen_at: Mapped[datetime]
    #: The absolute end, however active the session is.
    expires_at: Mapped[datetime]
    client_ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(400), default="")


class AccessLogRow(Base):
    """アクセスログ: every sign-in (success or failure, with the reason) and every document read."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_at", "at"),
        Index("ix_access_log_staff_at", "staff_id", "at"),
        Index("ix_access_log_document_at", "document_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    #: sign_in | document_read | audit_read
    kind: Mapped[str] = mapped_column(String(20))
    #: success | failure
    outcome: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(200), default="")
    #: As given (an unknown id is logged too): no foreign key.
    staff_id: Mapped[str] = mapped_column(String(40))
    document_id: Mapped[str | None] = mapped_column(String(64))
    client_ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(400), default="")


class DisposalReviewRow(Base):
    """廃棄・移管の審査: one per fiscal year, listing the documents whose retention expires on its March 31.

    ``live_fiscal_year`` carries the fiscal year while the review counts (open, submitted, applied) and is cleared
    when its 廃棄決裁 is rejected or withdrawn: the unique index makes "one review per fiscal year" hold under
    concurrent runs, and a rejected review does not block a new one.
    """

    __tablename__ = "disposal_reviews"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    live_fiscal_year: Mapped[int | None] = mapped_column(Integer, unique=True)
    expires_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))  # open | submitted | applied | rejected | withdrawn
    opened_at: Mapped[datetime]
    opened_by: Mapped[str] = mapped_column(String(40))
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), unique=True)  # its 廃棄決裁
    approved_by: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[datetime | None]
    applied_at: Mapped[datetime | None]


class DisposalReviewItemRow(Base):
    """One expiring document of a review (as listed when the review opened) and the proposal for it."""

    __tablename__ = "disposal_review_items"

    review_id: Mapped[str] = mapped_column(ForeignKey("disposal_reviews.id", ondelete="CASCADE"), primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    number: Mapped[str | None] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(400))
    org_unit_code: Mapped[str] = mapped_column(String(64))
    retention_label: Mapped[str] = mapped_column(String(20))
    expires_on: Mapped[date] = mapped_column(Date)
    paper_original_location: Mapped[str | None] = mapped_column(String(200))
    disposition: Mapped[str | None] = mapped_column(String(20))  # extend | transfer | dispose
    extend_years: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    proposed_by: Mapped[str | None] = mapped_column(String(40))
    proposed_at: Mapped[datetime | None]
    applied_at: Mapped[datetime | None]  # set in the same transaction as the change: applied exactly once
    outcome: Mapped[str | None] = mapped_column(String(20))
    file_id: Mapped[str | None] = mapped_column(String(36))  # listed with its file: decided per file


class DisposalReviewFileRow(Base):
    """One expiring file (簿冊) of a review, as listed when the review opened, and the proposal for it; its
    documents are listed as items with its ``file_id`` and take the file's proposal."""

    __tablename__ = "disposal_review_files"

    review_id: Mapped[str] = mapped_column(ForeignKey("disposal_reviews.id", ondelete="CASCADE"), primary_key=True)
    file_id: Mapped[str] = mapped_column(ForeignKey("record_files.id"), primary_key=True)
    title: Mapped[str] = mapped_column(String(400))
    org_unit_code: Mapped[str] = mapped_column(String(64))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    classification_code: Mapped[str] = mapped_column(String(40))
    retention_label: Mapped[str] = mapped_column(String(20))
    expires_on: Mapped[date] = mapped_column(Date)
    disposition: Mapped[str | None] = mapped_column(String(20))  # extend | transfer | dispose
    extend_years: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    proposed_by: Mapped[str | None] = mapped_column(String(40))
    proposed_at: Mapped[datetime | None]
    applied_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(20))


class FileDisposalRecordRow(Base):
    """廃棄記録 of a file (簿冊): kept permanently, next to the 廃棄記録 of each of its documents."""

    __tablename__ = "file_disposal_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_id: Mapped[str] = mapped_column(ForeignKey("record_files.id"), unique=True)
    title: Mapped[str] = mapped_column(String(400))
    org_unit_code: Mapped[str] = mapped_column(String(64))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    classification_code: Mapped[str] = mapped_column(String(40))
    retention_label: Mapped[str] = mapped_column(String(20))
    expires_on: Mapped[date] = mapped_column(Date)
    documents: Mapped[int] = mapped_column(Integer)
    review_id: Mapped[str] = mapped_column(ForeignKey("disposal_reviews.id"))
    review_document_id: Mapped[str | None] = mapped_column(String(36))
    approved_by: Mapped[str] = mapped_column(String(40))
    approved_at: Mapped[datetime]
    disposed_at: Mapped[datetime]


class DisposalRecordRow(Base):
    """廃棄記録: kept permanently (no cascade: the document row stays as a tombstone)."""

    __tablename__ = "disposal_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), unique=True)
    number: Mapped[str | None] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(400))
    org_unit_code: Mapped[str] = mapped_column(String(64))
    retention_label: Mapped[str] = mapped_column(String(20))
    expires_on: Mapped[date] = mapped_column(Date)
    review_id: Mapped[str] = mapped_column(ForeignKey("disposal_reviews.id"))
    review_document_id: Mapped[str | None] = mapped_column(String(36))
    approved_by: Mapped[str] = mapped_column(String(40))  # who decided the 廃棄決裁
    approved_at: Mapped[datetime]
    disposed_at: Mapped[datetime]
    method: Mapped[str] = mapped_column(String(40))  # 電子データ消去, 紙原本は溶解 / 裁断


class ReceiptRow(Base):
    """収受文書: a document received, registered once with its 収受番号; never edited (corrections are events)."""

    __tablename__ = "receipts"
    __table_args__ = (
        UniqueConstraint("number_symbol", "fiscal_year", "receipt_serial", name="uq_receipts_number"),
        Index("ix_receipts_fiscal_year_unit", "fiscal_year", "assigned_unit"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number_symbol: Mapped[str] = mapped_column(String(20))  # 文書記号
    fiscal_year: Mapped[int] = mapped_column(Integer)
    receipt_serial: Mapped[int] = mapped_column(Integer)
    receipt_number: Mapped[str] = mapped_column(String(60))  # 萩総第12号
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(30))  # paper | email | lgwan | online_application | hand
    sender: Mapped[str] = mapped_column(String(400))
    addressee: Mapped[str] = mapped_column(String(400))
    title: Mapped[str] = mapped_column(String(400))
    sender_reference: Mapped[str] = mapped_column(String(100), default="")  # 先方文書番号
    sender_dated_on: Mapped[date | None] = mapped_column(Date)
    reply_by: Mapped[date | None] = mapped_column(Date)
    assigned_unit: Mapped[str] = mapped_column(ForeignKey("org_units.code"))
    confidentiality: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")
    registered_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    registered_at: Mapped[datetime]
    #: none | reply | circulation | closed: the one way the receipt goes
    branch: Mapped[str] = mapped_column(String(20), default="none")
    #: none | replying | replied | circulating | circulated | closed
    outcome: Mapped[str] = mapped_column(String(20), default="none")
    outcome_reason: Mapped[str] = mapped_column(Text, default="")
    reply_document_id: Mapped[str | None] = mapped_column(String(36))
    reply_number: Mapped[str | None] = mapped_column(String(60))
    completed_at: Mapped[datetime | None]
    #: 簿冊 (行政文書ファイル) the receipt is filed in (None: not filed yet).
    file_id: Mapped[str | None] = mapped_column(ForeignKey("record_files.id"), index=True)


class ReceiptEventRow(Base):
    """One event of a receipt (registration, 配布, correction, branch): a hash chain like documents' audit chain."""

    __tablename__ = "receipt_events"

    receipt_id: Mapped[str] = mapped_column(ForeignKey("receipts.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class CirculationReaderRow(Base):
    """供覧: one named reader of a receipt, and when they confirmed reading (with their comment)."""

    __tablename__ = "circulation_readers"

    receipt_id: Mapped[str] = mapped_column(ForeignKey("receipts.id", ondelete="CASCADE"), primary_key=True)
    reader_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), primary_key=True, index=True)
    since: Mapped[datetime]
    read_at: Mapped[datetime | None]
    comment: Mapped[str] = mapped_column(Text, default="")


class ClassificationVersionRow(Base):
    """One version of the 文書分類表 for a 年度, in force from ``effective_from`` (id: e.g. ``2026-common``)."""

    __tablename__ = "classification_versions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    effective_from: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(400), default="")  # the 規程 it comes from, or 例示
    origin: Mapped[str] = mapped_column(String(20))  # repository (YAML shipped with ringi) | upload
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(40))

    classes: Mapped[list[ClassificationClassRow]] = relationship(
        lazy="raise", order_by="ClassificationClassRow.position"
    )


class ClassificationClassRow(Base):
    """One class (大/中/小分類) of a version; a leaf carries 保存期間, 満了時の措置 and how its years count."""

    __tablename__ = "classification_classes"
    __table_args__ = (UniqueConstraint("version_id", "code", name="uq_classification_classes_version_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[str] = mapped_column(ForeignKey("classification_versions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    parent_code: Mapped[str | None] = mapped_column(String(40))
    retention_years: Mapped[int | None] = mapped_column(Integer)
    retention_permanent: Mapped[bool] = mapped_column(Boolean, default=False)
    disposition: Mapped[str | None] = mapped_column(String(20))  # transfer (移管) | dispose (廃棄)
    counting: Mapped[str] = mapped_column(String(20), default="fiscal_year")  # fiscal_year (年度) | calendar_year
    source_row: Mapped[str] = mapped_column(String(100), default="")


class ClassificationAdditionRow(Base):
    """課独自の分類: one class a section adds to the 共通分類 of a 年度 (under a common 大分類 or 中分類).

    A section's additions are uploaded whole and replace the previous ones; its files are classified by the common
    table and these together.
    """

    __tablename__ = "classification_additions"

    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_unit_code: Mapped[str] = mapped_column(ForeignKey("org_units.code"), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    parent_code: Mapped[str | None] = mapped_column(String(40))
    retention_years: Mapped[int | None] = mapped_column(Integer)
    retention_permanent: Mapped[bool] = mapped_column(Boolean, default=False)
    disposition: Mapped[str | None] = mapped_column(String(20))
    counting: Mapped[str] = mapped_column(String(20), default="fiscal_year")
    source_row: Mapped[str] = mapped_column(String(100), default="")
    created_by: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]


class FileRetentionChangeRow(Base):
    """保存期間の延長・短縮 of a file (簿冊), kept as history (a 短縮 always with its reason)."""

    __tablename__ = "file_retention_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_id: Mapped[str] = mapped_column(ForeignKey("record_files.id"), index=True)
    change: Mapped[str] = mapped_column(String(20))  # extend | shorten
    years: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    previous_expires_on: Mapped[date] = mapped_column(Date)
    new_expires_on: Mapped[date] = mapped_column(Date)
    changed_by: Mapped[str] = mapped_column(String(40))
    changed_at: Mapped[datetime]


class RecordFileRow(Base):
    """簿冊 (行政文書ファイル): a section's file of one 年度 under a leaf of that year's 文書分類表.

    The class's retention, disposition and counting are copied when the file is opened: a later version of the
    table does not change the files already kept under it.
    """

    __tablename__ = "record_files"
    __table_args__ = (
        UniqueConstraint(
            "org_unit_code", "fiscal_year", "classification_code", "title", name="uq_record_files_unit_year_class_title"
        ),
        Index("ix_record_files_year_unit", "fiscal_year", "org_unit_code"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    org_unit_code: Mapped[str] = mapped_column(ForeignKey("org_units.code"))
    classification_version: Mapped[str] = mapped_column(ForeignKey("classification_versions.id"))
    classification_code: Mapped[str] = mapped_column(String(40))
    #: The codes from the 大分類 down, as ``/01/01-02/01-02-03/`` (a search by 大/中分類 matches a part).
    classification_path: Mapped[str] = mapped_column(String(200))
    classification_names: Mapped[list[str]] = mapped_column(JSON, default=list)  # 総務 > 財務 > 予算の編成
    title: Mapped[str] = mapped_column(String(400))
    public_title: Mapped[str | None] = mapped_column(String(400))  # 公開用件名, where the title is sensitive
    storage_location: Mapped[str] = mapped_column(String(200), default="")  # 保存場所
    medium: Mapped[str] = mapped_column(String(20), default="electronic")  # paper | electronic | mixed
    retention_years: Mapped[int] = mapped_column(Integer)
    retention_permanent: Mapped[bool] = mapped_column(Boolean, default=False)
    disposition: Mapped[str] = mapped_column(String(20))
    counting: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime]
    #: 延長 decided in a disposal review: the file expires then instead of the date its documents give.
    extended_expires_on: Mapped[date | None] = mapped_column(Date)
    records_status: Mapped[str] = mapped_column(String(20), default="active", server_default="active")


class IntakeApplicationRow(Base):
    """電子申請: one application received from an online-application system, once per (source, application id).

    It became a receipt (``registered`` by its form's mapping, or ``routed`` by hand from the queue), or it waits
    in the intake queue (``queued``, with the reason) for the records office: nothing is dropped.
    """

    __tablename__ = "intake_applications"
    __table_args__ = (
        UniqueConstraint("source", "application_id", name="uq_intake_applications_key"),
        Index("ix_intake_applications_state", "state", "received_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    application_id: Mapped[str] = mapped_column(String(100))
    form_id: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[datetime]
    received_at: Mapped[datetime]
    via: Mapped[str] = mapped_column(String(20))  # signed | batch
    #: the application as received, without attachment bytes (those are in the attachment store, by hash)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20))  # queued | registered | routed
    queue_reason: Mapped[str] = mapped_column(Text, default="")
    receipt_id: Mapped[str | None] = mapped_column(ForeignKey("receipts.id"))
    mapping_version: Mapped[str | None] = mapped_column(String(20))
    intended_branch: Mapped[str | None] = mapped_column(String(20))  # reply | circulation | receipt_only
    category: Mapped[str | None] = mapped_column(String(40))
    routed_by: Mapped[str | None] = mapped_column(String(40))
    routed_at: Mapped[datetime | None]


class IdempotencyKeyRow(Base):
    """An Idempotency-Key as first used: by whom, within what (a document), for which request (its fingerprint:
    the operation and the body's SHA-256), so the same key with a different request is refused (422) instead of
    answered with the first one's outcome."""

    __tablename__ = "idempotency_keys"

    staff_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    scope: Mapped[str] = mapped_column(String(80), primary_key=True)  # what keys are unique within (a document)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    operation: Mapped[str] = mapped_column(String(40))
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class SearchEntryRow(Base):
    """文書検索の索引: one row per document and per receipt, written in the same flush as the row it indexes
    (``db/search_index.py``).  ``title`` and ``text`` are normalised (``domain.search.normalise``); ``tokens`` their
    distinct character bigrams, space-separated: PostgreSQL reads them through a GIN index on
    ``string_to_array(tokens, ' ')``, SQLite through the FTS5 table ``search_fts`` (rowid = ``id``); both made by
    the migration, outside these models."""

    __tablename__ = "search_entries"
    __table_args__ = (UniqueConstraint("kind", "ref_id", name="uq_search_entries_kind_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))  # document | receipt
    ref_id: Mapped[str] = mapped_column(String(36))
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    #: 相手先 (a receipt's sender and addressee), normalised.
    counterparty: Mapped[str] = mapped_column(Text, default="")
    tokens: Mapped[str] = mapped_column(Text)


class FileOpeningRow(Base):
    """A run of 新年度の簿冊の一括作成 (``db.file_opening.open_year``, from the API or ``ringi files open-year``): its
    progress, written per batch of files so that another request (the /files page) can show it, then its result."""

    __tablename__ = "file_openings"
    __table_args__ = (Index("ix_file_openings_started_at", "started_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | done | failed
    done: Mapped[int] = mapped_column(Integer, default=0)  # last year's files dealt with so far
    total: Mapped[int] = mapped_column(Integer, default=0)  # last year's files to deal with (0 until planned)
    created: Mapped[int] = mapped_column(Integer, default=0)
    existing: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[list[list[str]]] = mapped_column(JSON, default=list)  # [last year's file id, reason]
    error: Mapped[str] = mapped_column(Text, default="")
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
