"""What the 原議 PDF (the printed original of a decided document, in the 起案用紙 shape) shows: its renderer's input.

Filled by the API from the read model; the renderer knows nothing of the database.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from schemas.document import StageKind


class SealBox(BaseModel):
    """One box of the 決裁欄: a step on the route, and the electronic seal of who acted on it (if anyone did)."""

    stage_kind: StageKind
    title: str  # the box's heading: the assignee's post, e.g. 総務課長
    assignee_name: str
    acted_by_name: str | None = None  # who pressed the seal (differs from the assignee for 代決 / 引上げ)
    acted_on: date | None = None
    #: 代決, 引上げ, 後閲 (owed or done), 異議 …: printed beside the seal.
    marks: list[str] = Field(default_factory=list)
    state: str = "waiting"  # done | pending | waiting | skipped | closed | cancelled


class PrintedAttachment(BaseModel):
    n: int
    filename: str
    size_bytes: int
    sha256: str


class PrintableDocument(BaseModel):
    document_id: str
    number: str | None = None  # 文書番号 (e.g. 萩総第123号), None = 未採番
    title: str
    body: str
    amount_yen: int
    status: str
    drafted_on: date  # 起案日
    decided_on: date | None = None  # 決裁日
    drafter_name: str
    drafter_post: str
    division: str
    retention_years: int
    confidentiality: int
    content_hash: str
    seals: list[SealBox]
    attachments: list[PrintedAttachment] = Field(default_factory=list)
