"""Baseline: ringi's whole schema as of 2026-12-02, in one step.

Replaces the chain 0001-0012 that grew before anything was deployed (its files, headers and ``down_revision``
disagreed).  It creates exactly what that chain left: the models' tables, with its column order and the server
defaults its ``add_column`` steps gave (so rows written by raw SQL still get them).  From here on every revision
is one step after the last: ``NNNN_slug.py``, ``Revision ID: NNNN``, ``Revises: NNNN-1`` (see
tests/db/test_migration_order.py); ``alembic revision --autogenerate -m "..."`` numbers the next one.

Revision ID: 0001
Revises:
Create Date: 2026-12-02 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=True),
        sa.Column("client_ip", sa.String(length=45), nullable=False),
        sa.Column("user_agent", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    op.create_index("ix_access_log_at", "access_log", ["at"], unique=False)
    op.create_index("ix_access_log_document_at", "access_log", ["document_id", "at"], unique=False)
    op.create_index("ix_access_log_staff_at", "access_log", ["staff_id", "at"], unique=False)
    op.create_table(
        "document_number_counters",
        sa.Column("symbol", sa.String(length=20), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("symbol", "fiscal_year", name=op.f("pk_document_number_counters")),
    )
    op.create_table(
        "org_transfers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_transfers")),
    )
    op.create_index(op.f("ix_org_transfers_effective_on"), "org_transfers", ["effective_on"], unique=False)
    op.create_table(
        "org_units",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("parent_code", sa.String(length=64), nullable=True),
        sa.Column("symbol", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["parent_code"], ["org_units.code"], name=op.f("fk_org_units_parent_code_org_units")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_org_units")),
    )
    op.create_table(
        "posts",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_posts")),
    )
    op.create_table(
        "rulebook_versions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("review_citation", sa.String(length=200), nullable=False),
        sa.Column("escalation_flags", sa.JSON(), nullable=False),
        sa.Column("escalation_consult_failed", sa.Boolean(), nullable=False),
        sa.Column("escalation_levels", sa.Integer(), nullable=False),
        sa.Column("escalation_citation", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rulebook_versions")),
        sa.UniqueConstraint("effective_from", name=op.f("uq_rulebook_versions_effective_from")),
    )
    op.create_table(
        "sign_in_guard",
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_sign_in_guard")),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("matter", sa.String(length=40), nullable=False),
        sa.Column("amount_yen", sa.BigInteger(), nullable=False),
        sa.Column("confidentiality", sa.Integer(), nullable=False),
        sa.Column("retention_years", sa.Integer(), nullable=False),
        sa.Column("drafter_id", sa.String(length=40), nullable=False),
        sa.Column("org_unit_code", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("projected_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flags", sa.JSON(), server_default="[]", nullable=False),
        sa.Column("pre_instructed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("urgent_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("desired_by", sa.Date(), nullable=True),
        sa.Column("sent_back_to", sa.Integer(), nullable=True),
        sa.Column("consult_failed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("copied_from", sa.String(length=36), nullable=True),
        sa.Column("consult_units", sa.JSON(), server_default="[]", nullable=False),
        sa.Column("consult_quorum", sa.Integer(), nullable=True),
        sa.Column("readers", sa.JSON(), server_default="[]", nullable=False),
        sa.Column("budget_code", sa.String(length=40), nullable=True),
        sa.Column("fiscal_year", sa.Integer(), nullable=True),
        sa.Column("finance_state", sa.String(length=20), server_default="none", nullable=False),
        sa.Column("reservation_id", sa.String(length=40), nullable=True),
        sa.Column("reserved_yen", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("budget_fiscal_year", sa.Integer(), nullable=True),
        sa.Column("voucher_id", sa.String(length=40), nullable=True),
        sa.Column("finance_error", sa.Text(), server_default="", nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("hr_state", sa.String(length=20), server_default="none", nullable=False),
        sa.Column("hr_posting_id", sa.Integer(), nullable=True),
        sa.Column("hr_error", sa.Text(), server_default="", nullable=False),
        sa.Column("expense_class", sa.String(length=20), nullable=True),
        sa.Column("rulebook_version", sa.String(length=40), nullable=True),
        sa.Column("needs_issuance", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("follow_up_of", sa.String(length=36), nullable=True),
        sa.Column("number_symbol", sa.String(length=20), nullable=True),
        sa.Column("number_fiscal_year", sa.Integer(), nullable=True),
        sa.Column("number_serial", sa.Integer(), nullable=True),
        sa.Column("number_sub", sa.Integer(), nullable=True),
        sa.Column("number_display", sa.String(length=60), nullable=True),
        sa.Column("numbered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sub_number", sa.Integer(), server_default="1", nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issued_by", sa.String(length=40), nullable=True),
        sa.Column("clean_copy_on", sa.Date(), nullable=True),
        sa.Column("seal_name", sa.String(length=40), nullable=True),
        sa.Column("seal_omitted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("dispatch_method", sa.String(length=20), nullable=True),
        sa.Column("dispatched_on", sa.Date(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completion_fiscal_year", sa.Integer(), nullable=True),
        sa.Column("retention_permanent", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("retention_starts_on", sa.Date(), nullable=True),
        sa.Column("retention_expires_on", sa.Date(), nullable=True),
        sa.Column("records_status", sa.String(length=20), server_default="active", nullable=False),
        sa.Column("paper_original_reason", sa.Text(), nullable=True),
        sa.Column("paper_original_location", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["drafter_id"], ["staff.id"], name=op.f("fk_documents_drafter_id_staff")),
        sa.ForeignKeyConstraint(
            ["org_unit_code"], ["org_units.code"], name=op.f("fk_documents_org_unit_code_org_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    op.create_index("ix_documents_drafter_created", "documents", ["drafter_id", "created_at"], unique=False)
    op.create_index("ix_documents_number", "documents", ["number_fiscal_year", "number_display"], unique=True)
    op.create_index(
        "ix_documents_records_expiry", "documents", ["records_status", "retention_expires_on"], unique=False
    )
    op.create_index(op.f("ix_documents_status"), "documents", ["status"], unique=False)
    op.create_table(
        "notification_preferences",
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("chat_user_id", sa.String(length=100), nullable=True),
        sa.Column("quiet_start", sa.String(length=5), nullable=True),
        sa.Column("quiet_end", sa.String(length=5), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_notification_preferences_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_notification_preferences")),
    )
    op.create_table(
        "org_transfer_moves",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("transfer_id", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("stage_index", sa.Integer(), nullable=False),
        sa.Column("stage_kind", sa.String(length=20), nullable=False),
        sa.Column("old_assignee_id", sa.String(length=40), nullable=False),
        sa.Column("org_unit_code", sa.String(length=64), nullable=False),
        sa.Column("post_code", sa.String(length=40), nullable=False),
        sa.Column("new_assignee_id", sa.String(length=40), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["org_transfers.id"],
            name=op.f("fk_org_transfer_moves_transfer_id_org_transfers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_transfer_moves")),
        sa.UniqueConstraint(
            "transfer_id", "document_id", "stage_index", "old_assignee_id", name="uq_org_transfer_moves_step"
        ),
    )
    op.create_index("ix_org_transfer_moves_transfer_done", "org_transfer_moves", ["transfer_id", "done"], unique=False)
    op.create_table(
        "post_assignments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column("org_unit_code", sa.String(length=64), nullable=False),
        sa.Column("post_code", sa.String(length=40), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_unit_code"], ["org_units.code"], name=op.f("fk_post_assignments_org_unit_code_org_units")
        ),
        sa.ForeignKeyConstraint(["post_code"], ["posts.code"], name=op.f("fk_post_assignments_post_code_posts")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_post_assignments_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_assignments")),
    )
    op.create_index(op.f("ix_post_assignments_staff_id"), "post_assignments", ["staff_id"], unique=False)
    op.create_index("ix_post_assignments_unit_post", "post_assignments", ["org_unit_code", "post_code"], unique=False)
    op.create_table(
        "rulebook_rows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version_id", sa.String(length=40), nullable=False),
        sa.Column("section", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("matter", sa.String(length=40), nullable=False),
        sa.Column("expense_class", sa.String(length=20), nullable=True),
        sa.Column("quantity", sa.String(length=40), nullable=True),
        sa.Column("at_least", sa.BigInteger(), nullable=False),
        sa.Column("below", sa.BigInteger(), nullable=True),
        sa.Column("level", sa.String(length=40), nullable=True),
        sa.Column("org_unit", sa.String(length=64), nullable=True),
        sa.Column("post", sa.String(length=40), nullable=True),
        sa.Column("citation", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["rulebook_versions.id"],
            name=op.f("fk_rulebook_rows_version_id_rulebook_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rulebook_rows")),
        sa.UniqueConstraint("version_id", "section", "position", name="uq_rulebook_rows_version_row"),
    )
    op.create_index(op.f("ix_rulebook_rows_version_id"), "rulebook_rows", ["version_id"], unique=False)
    op.create_table(
        "staff_recovery_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_recovery_codes_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_recovery_codes")),
        sa.UniqueConstraint("staff_id", "code_hash", name="uq_staff_recovery_codes_staff_code"),
    )
    op.create_table(
        "staff_totp",
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column("secret_sealed", sa.Text(), nullable=True),
        sa.Column("pending_secret_sealed", sa.Text(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_counter", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_totp_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_staff_totp")),
    )
    op.create_table(
        "attachments",
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=40), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_by", sa.String(length=40), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_attachments_document_id_documents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["uploaded_by"], ["staff.id"], name=op.f("fk_attachments_uploaded_by_staff")),
        sa.PrimaryKeyConstraint("document_id", "n", name=op.f("pk_attachments")),
    )
    op.create_index(op.f("ix_attachments_sha256"), "attachments", ["sha256"], unique=False)
    op.create_table(
        "audit_events",
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_audit_events_document_id_documents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("document_id", "seq", name=op.f("pk_audit_events")),
    )
    op.create_table(
        "audit_heads",
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_audit_heads_document_id_documents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_audit_heads")),
    )
    op.create_table(
        "disposal_reviews",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("live_fiscal_year", sa.Integer(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=True),
        sa.Column("approved_by", sa.String(length=40), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_disposal_reviews_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposal_reviews")),
        sa.UniqueConstraint("document_id", name=op.f("uq_disposal_reviews_document_id")),
        sa.UniqueConstraint("live_fiscal_year", name=op.f("uq_disposal_reviews_live_fiscal_year")),
    )
    op.create_index(op.f("ix_disposal_reviews_fiscal_year"), "disposal_reviews", ["fiscal_year"], unique=False)
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("recipient_id", sa.String(length=40), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.JSON(), server_default="{}", nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_notifications_document_id_documents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["recipient_id"], ["staff.id"], name=op.f("fk_notifications_recipient_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedupe_key", name="uq_notifications_dedupe_key"),
    )
    op.create_index(op.f("ix_notifications_planned_at"), "notifications", ["planned_at"], unique=False)
    op.create_index("ix_notifications_recipient_created", "notifications", ["recipient_id", "created_at"], unique=False)
    op.create_table(
        "post_reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("staff_id", sa.String(length=40), nullable=False),
        sa.Column("stage_index", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("acted_by", sa.String(length=40), nullable=False),
        sa.Column("owed_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_post_reviews_document_id_documents"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_post_reviews_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_reviews")),
    )
    op.create_index(op.f("ix_post_reviews_document_id"), "post_reviews", ["document_id"], unique=False)
    op.create_index("ix_post_reviews_staff_open", "post_reviews", ["staff_id", "acknowledged_at"], unique=False)
    op.create_table(
        "retention_extensions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("years", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("previous_expires_on", sa.Date(), nullable=False),
        sa.Column("new_expires_on", sa.Date(), nullable=False),
        sa.Column("extended_by", sa.String(length=40), nullable=False),
        sa.Column("extended_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_retention_extensions_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_extensions")),
    )
    op.create_index(op.f("ix_retention_extensions_document_id"), "retention_extensions", ["document_id"], unique=False)
    op.create_table(
        "route_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("stage_index", sa.Integer(), nullable=False),
        sa.Column("stage_kind", sa.String(length=20), nullable=False),
        sa.Column("assignee_id", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acted_by", sa.String(length=40), nullable=True),
        sa.Column("capacity", sa.String(length=20), nullable=True),
        sa.Column("response", sa.String(length=20), nullable=True),
        sa.Column("actor_post", sa.String(length=40), server_default="", nullable=False),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalate_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("rule", sa.String(length=400), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["staff.id"], name=op.f("fk_route_steps_assignee_id_staff")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_route_steps_document_id_documents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_route_steps")),
        sa.UniqueConstraint("document_id", "stage_index", "assignee_id", name="uq_route_steps_doc_stage_assignee"),
    )
    op.create_index("ix_route_steps_inbox", "route_steps", ["assignee_id", "state", "since"], unique=False)
    op.create_table(
        "seal_uses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("seal_name", sa.String(length=40), nullable=False),
        sa.Column("used_by", sa.String(length=40), nullable=False),
        sa.Column("used_on", sa.Date(), nullable=False),
        sa.Column("document_number", sa.String(length=60), nullable=True),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_seal_uses_document_id_documents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seal_uses")),
    )
    op.create_index(op.f("ix_seal_uses_document_id"), "seal_uses", ["document_id"], unique=False)
    op.create_index(op.f("ix_seal_uses_used_on"), "seal_uses", ["used_on"], unique=False)
    op.create_table(
        "disposal_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=True),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("org_unit_code", sa.String(length=64), nullable=False),
        sa.Column("retention_label", sa.String(length=20), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("review_id", sa.String(length=36), nullable=False),
        sa.Column("review_document_id", sa.String(length=36), nullable=True),
        sa.Column("approved_by", sa.String(length=40), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_disposal_records_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["disposal_reviews.id"], name=op.f("fk_disposal_records_review_id_disposal_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposal_records")),
        sa.UniqueConstraint("document_id", name=op.f("uq_disposal_records_document_id")),
    )
    op.create_table(
        "disposal_review_items",
        sa.Column("review_id", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=True),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("org_unit_code", sa.String(length=64), nullable=False),
        sa.Column("retention_label", sa.String(length=20), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("paper_original_location", sa.String(length=200), nullable=True),
        sa.Column("disposition", sa.String(length=20), nullable=True),
        sa.Column("extend_years", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.String(length=40), nullable=True),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_disposal_review_items_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["disposal_reviews.id"],
            name=op.f("fk_disposal_review_items_review_id_disposal_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("review_id", "document_id", name=op.f("pk_disposal_review_items")),
    )
    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_notification_deliveries_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_deliveries")),
        sa.UniqueConstraint("notification_id", "channel", name="uq_notification_deliveries_notice_channel"),
    )
    op.create_index(
        "ix_notification_deliveries_due", "notification_deliveries", ["state", "next_attempt_at"], unique=False
    )
    op.create_table(
        "notification_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["notification_deliveries.id"],
            name=op.f("fk_notification_attempts_delivery_id_notification_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_attempts")),
    )
    op.create_index(
        op.f("ix_notification_attempts_delivery_id"), "notification_attempts", ["delivery_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("notification_attempts")
    op.drop_table("notification_deliveries")
    op.drop_table("disposal_review_items")
    op.drop_table("disposal_records")
    op.drop_table("seal_uses")
    op.drop_table("route_steps")
    op.drop_table("retention_extensions")
    op.drop_table("post_reviews")
    op.drop_table("notifications")
    op.drop_table("disposal_reviews")
    op.drop_table("audit_heads")
    op.drop_table("audit_events")
    op.drop_table("attachments")
    op.drop_table("staff_totp")
    op.drop_table("staff_recovery_codes")
    op.drop_table("rulebook_rows")
    op.drop_table("post_assignments")
    op.drop_table("org_transfer_moves")
    op.drop_table("notification_preferences")
    op.drop_table("documents")
    op.drop_table("staff")
    op.drop_table("sign_in_guard")
    op.drop_table("rulebook_versions")
    op.drop_table("posts")
    op.drop_table("org_units")
    op.drop_table("org_transfers")
    op.drop_table("document_number_counters")
    op.drop_table("access_log")
