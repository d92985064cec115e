"""文書検索の索引: one entry per document and receipt (normalised text and its character bigrams), a GIN index on
PostgreSQL and an FTS5 table on SQLite; the existing documents and receipts are indexed (backfill).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 13:30:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from domain.fiscal import fiscal_year_at
from domain.search import document_entry, receipt_entry

FTS_TABLE = "search_fts"  # db.search_index.FTS_TABLE
GIN_INDEX = "ix_search_entries_tokens_gin"  # db.search_index.GIN_INDEX

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000


def upgrade() -> None:
    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("ref_id", sa.String(36), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("counterparty", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entries")),
        sa.UniqueConstraint("kind", "ref_id", name="uq_search_entries_kind_ref"),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"CREATE INDEX {GIN_INDEX} ON search_entries USING gin (string_to_array(tokens, ' '))")
    else:
        op.execute(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(tokens, tokenize='ascii')")
    _backfill(bind)


def _utc(value: datetime | str) -> datetime:
    """SQLite hands a timestamp back as text without its offset (stored as UTC)."""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _backfill(bind: sa.Connection) -> None:
    entries = sa.table(
        "search_entries",
        sa.column("id"),
        sa.column("kind"),
        sa.column("ref_id"),
        sa.column("title"),
        sa.column("text"),
        sa.column("counterparty"),
        sa.column("tokens"),
    )
    documents = bind.execute(
        sa.text("SELECT id, title, body, number_display, number_fiscal_year, created_at FROM documents")
    ).all()
    receipts = bind.execute(
        sa.text(
            "SELECT id, title, summary, sender, addressee, sender_reference, receipt_number, fiscal_year FROM receipts"
        )
    ).all()
    rows = [
        document_entry(
            id=d.id,
            title=d.title,
            body=d.body or "",
            number_display=d.number_display,
            fiscal_year=d.number_fiscal_year or fiscal_year_at(_utc(d.created_at)),
        )
        for d in documents
    ] + [
        receipt_entry(
            id=r.id,
            title=r.title,
            summary=r.summary or "",
            sender=r.sender,
            addressee=r.addressee,
            sender_reference=r.sender_reference or "",
            receipt_number=r.receipt_number,
            fiscal_year=r.fiscal_year,
        )
        for r in receipts
    ]
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        bind.execute(
            entries.insert(),
            [
                {
                    "kind": e.kind,
                    "ref_id": e.ref_id,
                    "title": e.title,
                    "text": e.text,
                    "counterparty": e.counterparty,
                    "tokens": e.tokens,
                }
                for e in chunk
            ],
        )
    if rows and bind.dialect.name == "sqlite":
        op.execute(f"INSERT INTO {FTS_TABLE}(rowid, tokens) SELECT id, tokens FROM search_entries")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    op.drop_table("search_entries")
