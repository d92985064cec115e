"""時間外勤務の上限 in stored rulebooks: ``rulebook_versions.overtime_limits`` (JSON, null: no caps).

A data step gives the shipped demo version (2021-04-01, stored by an earlier ``ringi migrate``) the caps its YAML
now carries (人事院規則15-14 第16条の2の2), and the corrected words of its 月20時間 band (綾川町 names the 副町長).
The values are written here, not read from ``rules/rulebook/``, so that this step means the same forever.
A fresh database gets them from the YAML when the versions are synced.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 06:50:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEMO_VERSION = "2021-04-01"

_CAPS_CITATION = "人事院規則15-14 第16条の2の2"
OVERTIME_LIMITS: dict[str, Any] = {
    "general": {
        "month_at_most": 45.0,
        "month_below": None,
        "year_at_most": 360.0,
        "average_at_most": None,
        "average_months": 6,
        "over_hours": None,
        "over_months_at_most": None,
        "citation": f"{_CAPS_CITATION} 第1項第1号",
        "note": "一般の部署: 1箇月45時間・1年360時間",
    },
    "other_driven": {
        "month_at_most": None,
        "month_below": 100.0,
        "year_at_most": 720.0,
        "average_at_most": 80.0,
        "average_months": 6,
        "over_hours": 45.0,
        "over_months_at_most": 6,
        "citation": f"{_CAPS_CITATION} 第1項第2号",
        "note": "他律的業務の比重の高い部署: 1箇月100時間未満・1年720時間・2〜6箇月平均80時間・45時間超は年6箇月まで",
    },
    "designations": [
        {
            "org_unit": "somu.zaisei",
            "limit_class": "other_driven",
            "effective_from": "2021-04-01",
            "effective_until": None,
            "citation": "第11条 (他律的業務の比重の高い部署の指定)",
            "note": "財政課 (予算編成・議会対応) (例示)",
        }
    ],
    "special_case": {
        "level": "deputy_mayor",
        "kinds": ["大規模災害への対処", "重要な政策に関する法律の立案", "他国との重要な交渉"],
        "citation": f"{_CAPS_CITATION} 第2項",
        "note": "特例業務の命令は副市長が決定する (例示)",
    },
    "citation": _CAPS_CITATION,
}
#: (citation, corrected note) of the demo version's overtime bands.
OVERTIME_BAND_NOTES = (
    (
        "別表第1 第7項(1)",
        "月20時間以内は課長専決 (例示; 月20時間の線は綾川町職員の時間外勤務等の取扱規程 (S67) に倣う)",
    ),
    (
        "別表第1 第7項(2)",
        "月20時間を超えるもの (綾川町職員の時間外勤務等の取扱規程 (S67) は副町長の事前承認とする; 本デモは部長 (例示))",
    ),
)

_versions = sa.table(
    "rulebook_versions",
    sa.column("id", sa.String),
    sa.column("source", sa.String),
    sa.column("overtime_limits", sa.JSON),
)
_rows = sa.table(
    "rulebook_rows",
    sa.column("version_id", sa.String),
    sa.column("section", sa.String),
    sa.column("matter", sa.String),
    sa.column("citation", sa.String),
    sa.column("note", sa.Text),
)


def upgrade() -> None:
    with op.batch_alter_table("rulebook_versions") as batch:
        batch.add_column(sa.Column("overtime_limits", sa.JSON(), nullable=True))
    op.execute(
        _versions.update()
        .where(_versions.c.id == DEMO_VERSION, _versions.c.source == "repository")
        .values(overtime_limits=OVERTIME_LIMITS)
    )
    for citation, note in OVERTIME_BAND_NOTES:
        op.execute(
            _rows.update()
            .where(
                _rows.c.version_id == DEMO_VERSION,
                _rows.c.section == "authority",
                _rows.c.matter == "overtime",
                _rows.c.citation == citation,
            )
            .values(note=note)
        )


def downgrade() -> None:
    with op.batch_alter_table("rulebook_versions") as batch:
        batch.drop_column("overtime_limits")
