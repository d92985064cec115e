"""Per-document retention becomes the file's: each completed, active document that no file holds is filed into a
file (簿冊) of its section and 年度 that keeps its retention (データ移行).

Before files existed a document carried its own 保存期間 (years or 永年), 起算日 and 満了日 (extended by hand in
``retention_extensions``).  The file is now the unit of retention and disposal, so those documents are grouped by
section, 年度 (the 文書番号's, else the drafting's), retention class and 満了日, and each group gets a file under a
classification version of its own (``migrated-<年度>``, origin ``migration``: one 大分類 99 移行文書 with one leaf per
retention class found).  The file's retention is then computed from its documents' completions as any file's; where
a document's 満了日 was extended, the file keeps that 満了日 as its 延長 (``extended_expires_on``).  The documents'
own columns stay (history); nothing else is changed and no audit event is written (no one acted: it is a change of
the storage's unit).  The classes of these versions never block a later upload of the 年度's real 文書分類表
(``ClassificationRepository`` leaves files of migration versions out of the codes in use).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 14:40:00
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from domain.era import jst_date
from domain.fiscal import fiscal_year_at, fiscal_year_start
from domain.retention import retention_label, retention_period

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORIGIN = "migration"
ROOT_CODE = "99"
ROOT_NAME = "移行文書（文書単位の保存期間から）"

documents = sa.table(
    "documents",
    sa.column("id", sa.String),
    sa.column("org_unit_code", sa.String),
    sa.column("drafter_id", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("completed_at", sa.DateTime(timezone=True)),
    sa.column("number_fiscal_year", sa.Integer),
    sa.column("retention_years", sa.Integer),
    sa.column("retention_permanent", sa.Boolean),
    sa.column("retention_expires_on", sa.Date),
    sa.column("records_status", sa.String),
    sa.column("file_id", sa.String),
)
versions = sa.table(
    "classification_versions",
    sa.column("id", sa.String),
    sa.column("fiscal_year", sa.Integer),
    sa.column("effective_from", sa.Date),
    sa.column("title", sa.String),
    sa.column("source", sa.String),
    sa.column("origin", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("created_by", sa.String),
)
classes = sa.table(
    "classification_classes",
    sa.column("version_id", sa.String),
    sa.column("position", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("parent_code", sa.String),
    sa.column("retention_years", sa.Integer),
    sa.column("retention_permanent", sa.Boolean),
    sa.column("disposition", sa.String),
    sa.column("counting", sa.String),
    sa.column("source_row", sa.String),
)
files = sa.table(
    "record_files",
    sa.column("id", sa.String),
    sa.column("fiscal_year", sa.Integer),
    sa.column("org_unit_code", sa.String),
    sa.column("classification_version", sa.String),
    sa.column("classification_code", sa.String),
    sa.column("classification_path", sa.String),
    sa.column("classification_names", sa.JSON),
    sa.column("title", sa.String),
    sa.column("public_title", sa.String),
    sa.column("storage_location", sa.String),
    sa.column("medium", sa.String),
    sa.column("retention_years", sa.Integer),
    sa.column("retention_permanent", sa.Boolean),
    sa.column("disposition", sa.String),
    sa.column("counting", sa.String),
    sa.column("created_by", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("extended_expires_on", sa.Date),
    sa.column("records_status", sa.String),
)

Key = tuple[str, int, int, bool, date | None]


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def leaf_code(years: int, permanent: bool) -> str:
    return f"{ROOT_CODE}-P" if permanent else f"{ROOT_CODE}-{years:02d}"


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(documents)
        .where(
            documents.c.completed_at.is_not(None),
            documents.c.file_id.is_(None),
            documents.c.records_status == "active",
        )
        .order_by(documents.c.completed_at, documents.c.id)
    ).all()
    groups: dict[Key, list[sa.Row[tuple[object, ...]]]] = {}
    for row in rows:
        year = row.number_fiscal_year or fiscal_year_at(_aware(row.created_at))
        key = (row.org_unit_code, year, row.retention_years, bool(row.retention_permanent), row.retention_expires_on)
        groups.setdefault(key, []).append(row)
    now = datetime.now(UTC)
    leaves_of: dict[int, set[tuple[int, bool]]] = {}
    for _unit, year, years, permanent, _ in groups:
        leaves_of.setdefault(year, set()).add((0 if permanent else years, permanent))
    for year, leaves in sorted(leaves_of.items()):
        version = f"migrated-{year}"
        bind.execute(
            versions.insert().values(
                id=version,
                fiscal_year=year,
                effective_from=fiscal_year_start(year) - timedelta(days=1),  # a real table of the 年度 takes over
                title=f"{year}年度 移行分類（文書単位の保存期間から）",
                source="データ移行: 文書ごとの保存期間（migration 0017）",
                origin=ORIGIN,
                created_at=now,
                created_by=None,
            )
        )
        entries: list[dict[str, object]] = [
            dict(
                code=ROOT_CODE,
                name=ROOT_NAME,
                parent_code=None,
                retention_years=None,
                retention_permanent=False,
                disposition=None,
            )
        ]
        for years, permanent in sorted(leaves, key=lambda leaf: (leaf[1], leaf[0])):
            entries.append(
                dict(
                    code=leaf_code(years, permanent),
                    name=f"保存期間{retention_label(years, permanent=permanent)}",
                    parent_code=ROOT_CODE,
                    retention_years=None if permanent else years,
                    retention_permanent=permanent,
                    disposition="transfer" if permanent else "dispose",
                )
            )
        for position, entry in enumerate(entries):
            bind.execute(
                classes.insert().values(
                    version_id=version, position=position, counting="fiscal_year", source_row="migration", **entry
                )
            )
    for (unit, year, years, permanent, expires_on), members in groups.items():
        code = leaf_code(0 if permanent else years, permanent)
        label = retention_label(years, permanent=permanent)
        latest = max(jst_date(_aware(m.completed_at)) for m in members)
        computed = retention_period(latest, years, permanent=permanent).expires_on
        file_id = str(uuid.uuid4())
        bind.execute(
            files.insert().values(
                id=file_id,
                fiscal_year=year,
                org_unit_code=unit,
                classification_version=f"migrated-{year}",
                classification_code=code,
                classification_path=f"/{ROOT_CODE}/{code}/",
                classification_names=[ROOT_NAME, f"保存期間{label}"],
                title=f"移行文書（保存期間{label}" + (f"・満了日{expires_on.isoformat()}）" if expires_on else "）"),
                public_title=None,
                storage_location="",
                medium="electronic",
                retention_years=years,
                retention_permanent=permanent,
                disposition="transfer" if permanent else "dispose",
                counting="fiscal_year",
                created_by=members[0].drafter_id,
                created_at=now,
                extended_expires_on=expires_on if expires_on is not None and expires_on != computed else None,
                records_status="active",
            )
        )
        bind.execute(documents.update().where(documents.c.id.in_([m.id for m in members])).values(file_id=file_id))


def downgrade() -> None:
    bind = op.get_bind()
    migrated = sa.select(versions.c.id).where(versions.c.origin == ORIGIN)
    moved = sa.select(files.c.id).where(files.c.classification_version.in_(migrated))
    bind.execute(documents.update().where(documents.c.file_id.in_(moved)).values(file_id=None))
    bind.execute(files.delete().where(files.c.classification_version.in_(migrated)))
    bind.execute(classes.delete().where(classes.c.version_id.in_(migrated)))
    bind.execute(versions.delete().where(versions.c.origin == ORIGIN))
