"""HTTP models of the 文書分類表, 簿冊 (行政文書ファイル), the ファイル管理簿 and the document search."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.classification import Counting, Disposition
from schemas.text import OneLine

#: 媒体: 紙 / 電子 / 混在.
Medium = Literal["paper", "electronic", "mixed"]
MEDIUM_NAMES: dict[str, str] = {"paper": "紙", "electronic": "電子", "mixed": "混在"}


#: 整理 at drafting or registration: "proposed" (the default) files into ``file_id`` when given, else into the
#: proposed file, if any; "none" asks for 未整理 (no file yet, even when one is proposed; ``file_id`` must be absent).
Filing = Literal["proposed", "none"]
FILING_DESCRIPTION = (
    "整理: 'proposed' (default) files into file_id when given, else into the proposed file (GET /v1/files/proposal),"
    " if any; 'none' leaves it 未整理 (no file yet) even when a file is proposed — file_id must then be absent."
)


def filing_fits(filing: str, file_id: str | None) -> str:
    """``filing`` as given, refused (ValueError) with ``file_id`` when it asks for no file."""
    if filing == "none" and file_id is not None:
        raise ValueError("filing 'none' (未整理) names no file_id: leave file_id out")
    return filing


class ClassRead(BaseModel):
    """One class (大/中/小分類) of a version."""

    code: str
    name: str
    parent_code: str | None
    level: int
    level_name: str  # 大分類 / 中分類 / 小分類
    leaf: bool
    retention_years: int | None = None
    retention_permanent: bool = False
    retention_label: str | None = None  # 1年未満, 5年, 永年 (leaves)
    disposition: Disposition | None = None
    disposition_label: str | None = None  # 移管 / 廃棄
    counting: Counting = "fiscal_year"
    added: bool = Field(default=False, description="a section's addition (課独自の分類), not of the 共通分類")


class AdditionsRead(BaseModel):
    """A section's additions (課独自の分類) to the 共通分類 of a 年度."""

    fiscal_year: int
    org_unit: str
    classes: list[ClassRead] = Field(default_factory=list)


class ClassificationSummary(BaseModel):
    id: str
    fiscal_year: int
    effective_from: date
    title: str
    source: str
    classes: int
    in_force: bool = False  # the version of its 年度 in force today


class ClassificationRead(ClassificationSummary):
    tree: list[ClassRead] = Field(default_factory=list, description="the classes, parents before their children")


class FileCreate(BaseModel):
    """簿冊を作成: a file of a section (default: the caller's) and 年度 under a leaf of that year's 文書分類表."""

    fiscal_year: int = Field(ge=1989, le=2200)
    classification_code: str = Field(min_length=1, max_length=40)
    title: OneLine = Field(min_length=1, max_length=400)
    public_title: OneLine | None = Field(default=None, min_length=1, max_length=400, description="公開用件名")
    org_unit: str | None = Field(default=None, max_length=64)
    storage_location: str = Field(default="", max_length=200, description="保存場所")
    medium: Medium = "electronic"
    classification_version: str | None = Field(
        default=None, max_length=40, description="default: the version of the 年度 in force today"
    )


class FilingCreate(BaseModel):
    """Put the document into the file (整理); a document already filed moves (an audit event either way)."""

    file_id: str = Field(min_length=1, max_length=36)


class RetentionChange(BaseModel):
    """保存期間の延長 (extend) or 短縮 (shorten, with its reason) of a file, by whole years."""

    change: Literal["extend", "shorten"]
    years: int = Field(ge=1, le=30)
    reason: str = Field(default="", max_length=2000)


class RetentionChangeRead(BaseModel):
    change: Literal["extend", "shorten"]
    years: int
    reason: str
    previous_expires_on: date
    new_expires_on: date
    changed_by: str
    changed_at: datetime


class YearOpen(BaseModel):
    """Open the 年度's files from last year's list (the records office, at the 年度 change)."""

    model_config = ConfigDict(extra="forbid")

    fiscal_year: int = Field(ge=1989, le=2200)


class YearOpenSkip(BaseModel):
    source_file_id: str
    reason: str


class YearOpened(BaseModel):
    fiscal_year: int
    classification_version: str
    created: int  # opened now
    existing: int  # opened before (idempotent)
    skipped: list[YearOpenSkip]


class FileOpeningRead(BaseModel):
    """A run of 新年度の簿冊の一括作成: how far it has come (``done`` of ``total`` of last year's files), then its
    result."""

    id: str
    fiscal_year: int
    status: Literal["running", "done", "failed"]
    done: int
    total: int  # 0 until the run has planned its files
    created: int
    existing: int
    skipped: list[YearOpenSkip]
    error: str
    started_at: datetime
    finished_at: datetime | None
    stalled: bool = False  # still "running" but silent too long: its process died (domain.filing.opening_stalled)


class FileRead(BaseModel):
    id: str
    fiscal_year: int
    fiscal_year_label: str  # 令和8年度
    org_unit: str
    classification_version: str
    classification_code: str
    classification_names: list[str]  # 総務 > 財務 > 予算の編成
    title: str  # the 公開用件名 for whoever is outside the section and the records office
    public_title: str | None = None  # shown to the section and the records office only
    storage_location: str
    medium: Medium
    retention_years: int
    retention_permanent: bool
    retention_label: str
    disposition: Disposition
    disposition_label: str
    counting: Counting
    documents: int  # how many documents and receipts the file holds (all of them)
    open_documents: int  # of which not complete yet: the retention has not started
    retention_starts_on: date | None = None  # 起算日: after the latest 完結 of its documents
    retention_expires_on: date | None = None  # 満了日 (None: not started, or 永年)
    created_by: str
    created_at: datetime


class FiledDocumentRead(BaseModel):
    """A document in a file, as the file lists it (never its body)."""

    id: str
    title: str
    number: str | None
    status: str
    confidentiality: int
    completed_at: datetime | None


class FiledReceiptRead(BaseModel):
    """A receipt (収受文書) in a file, as the file lists it."""

    id: str
    receipt_number: str
    title: str
    outcome: str
    confidentiality: int
    completed_at: datetime | None


class FileDetail(FileRead):
    retention_changes: list[RetentionChangeRead] = Field(
        default_factory=list, description="the file's 延長 and 短縮, oldest first"
    )
    filed: list[FiledDocumentRead] = Field(default_factory=list, description="the file's documents the caller may see")
    receipts: list[FiledReceiptRead] = Field(
        default_factory=list, description="its receipts (shown to the section and the records office)"
    )


class RegisterRow(BaseModel):
    """One line of the ファイル管理簿."""

    file_id: str
    classification_code: str
    classification: str  # 大分類 / 中分類 / 小分類 names
    title: str  # 名称 (the 公開用件名 in the published register)
    org_unit: str
    org_unit_name: str  # 作成者 (the section)
    fiscal_year: int
    fiscal_year_label: str  # 作成年度
    retention_starts_on: date | None  # 起算日
    retention_label: str  # 保存期間
    retention_expires_on: date | None  # 満了日
    storage_location: str  # 保存場所
    medium: Medium
    medium_label: str  # 媒体
    disposition_label: str  # 満了時の措置
    manager: str  # 管理者 (the section that keeps it)


class DocumentHit(BaseModel):
    """A search result: what identifies a document, never its body."""

    id: str
    title: str
    number: str | None
    fiscal_year: int
    org_unit: str
    drafter_id: str
    status: str
    confidentiality: int
    created_at: datetime
    completed_at: datetime | None
    file_id: str | None
    file_title: str | None
    classification_code: str | None


class FileChoice(BaseModel):
    """A file a new document may go into, as the drafting form offers it."""

    id: str
    title: str
    classification_code: str
    classification_names: list[str]


class FileProposal(BaseModel):
    """簿冊の提案: the file proposed for a new document or receipt of a section and 年度 (null: nothing fits) with
    the reason, and every file it may go into (the section's open files of the 年度; the proposed one first)."""

    org_unit: str
    fiscal_year: int
    fiscal_year_label: str
    file_id: str | None
    reason: str
    candidates: list[FileChoice] = Field(default_factory=list)
