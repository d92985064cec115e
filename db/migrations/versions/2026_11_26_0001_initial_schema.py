"""Initial schema: org mirror, staff, documents, route steps (inbox read model), audit hash chain.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 02:43:09.770172
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
        sa.ForeignKeyConstraint(["drafter_id"], ["staff.id"], name=op.f("fk_documents_drafter_id_staff")),
        sa.ForeignKeyConstraint(
            ["org_unit_code"], ["org_units.code"], name=op.f("fk_documents_org_unit_code_org_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index("ix_documents_drafter_created", ["drafter_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_status"), ["status"], unique=False)

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
    with op.batch_alter_table("post_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_assignments_staff_id"), ["staff_id"], unique=False)
        batch_op.create_index("ix_post_assignments_unit_post", ["org_unit_code", "post_code"], unique=False)

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
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_audit_events_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", "seq", name=op.f("pk_audit_events")),
    )
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
        sa.ForeignKeyConstraint(["assignee_id"], ["staff.id"], name=op.f("fk_route_steps_assignee_id_staff")),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_route_steps_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_route_steps")),
        sa.UniqueConstraint("document_id", "stage_index", "assignee_id", name="uq_route_steps_doc_stage_assignee"),
    )
    with op.batch_alter_table("route_steps", schema=None) as batch_op:
        batch_op.create_index("ix_route_steps_inbox", ["assignee_id", "state", "since"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("route_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_route_steps_inbox")

    op.drop_table("route_steps")
    op.drop_table("audit_events")
    with op.batch_alter_table("post_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_post_assignments_unit_post")
        batch_op.drop_index(batch_op.f("ix_post_assignments_staff_id"))

    op.drop_table("post_assignments")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_status"))
        batch_op.drop_index("ix_documents_drafter_created")

    op.drop_table("documents")
    op.drop_table("staff")
    op.drop_table("posts")
    op.drop_table("org_units")
