"""Request and response bodies of the disposal review API (廃棄・移管の審査, 廃棄記録)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.disposal import Disposition, ReviewStatus


class DisposalReviewCreate(BaseModel):
    """Run the yearly review now: None = the current fiscal year (JST)."""

    model_config = ConfigDict(extra="forbid")

    fiscal_year: int | None = Field(default=None, ge=2000, le=2200)


class DisposalItemUpdate(BaseModel):
    """The records office's proposal for one document: 延長 (years + reason), 移管 or 廃棄."""

    model_config = ConfigDict(extra="forbid")

    disposition: Disposition
    extend_years: int | None = Field(default=None, ge=1, le=30)
    reason: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _extension_needs_years_and_reason(self) -> DisposalItemUpdate:
        if self.disposition == "extend":
            if self.extend_years is None:
                raise ValueError("extend_years: an extension (延長) names how many years")
            if not self.reason.strip():
                raise ValueError("reason: an extension (延長) needs a reason")
        elif self.extend_years is not None:
            raise ValueError("extend_years: only an extension (延長) takes years")
        return self


class DisposalItemRead(BaseModel):
    document_id: str
    number: str | None
    title: str
    org_unit: str
    retention_label: str
    expires_on: date
    expires_on_label: str
    paper_original_location: str | None
    disposition: Disposition | None
    disposition_label: str | None
    extend_years: int | None
    reason: str
    proposed_by: str | None
    applied_at: datetime | None
    outcome: str | None  # extended / transferred / disposed / skipped (the document was no longer active)
    file_id: str | None = None  # listed with its file: decided per file


class DisposalFileRead(BaseModel):
    """One expiring file (簿冊) of a review, its proposal, and the documents in it (which take that proposal)."""

    file_id: str
    title: str
    org_unit: str
    fiscal_year: int
    classification_code: str
    retention_label: str
    expires_on: date
    expires_on_label: str
    disposition: Disposition | None
    disposition_label: str | None
    extend_years: int | None
    reason: str
    proposed_by: str | None
    applied_at: datetime | None
    outcome: str | None
    documents: list[DisposalItemRead] = Field(default_factory=list)


class FileDisposalRecordRead(BaseModel):
    """廃棄記録 of a file (簿冊): kept permanently."""

    id: int
    file_id: str
    title: str
    org_unit: str
    fiscal_year: int
    classification_code: str
    retention_label: str
    expires_on: date
    documents: int
    review_id: str
    review_document_id: str | None
    approved_by: str
    approved_at: datetime
    disposed_at: datetime


class DisposalReviewRead(BaseModel):
    id: str
    fiscal_year: int
    fiscal_year_label: str  # 令和8年度
    expires_on: date  # the March 31 the listed documents expire on
    status: ReviewStatus
    opened_at: datetime
    opened_by: str
    document_id: str | None  # the review's own 起案文書 (its 廃棄決裁), once submitted
    approved_by: str | None
    decided_at: datetime | None
    applied_at: datetime | None
    item_count: int
    items: list[DisposalItemRead] = Field(default_factory=list)  # every listed document (also those in files)
    files: list[DisposalFileRead] = Field(default_factory=list)  # the listed files, each with its documents


class DisposalRecordRead(BaseModel):
    """廃棄記録: kept permanently, also after the document's content is gone."""

    id: int
    document_id: str
    number: str | None
    title: str
    org_unit: str
    retention_label: str
    expires_on: date
    review_id: str
    review_document_id: str | None
    approved_by: str
    approved_at: datetime
    disposed_at: datetime
    method: str  # 電子データ消去, 紙原本は溶解/裁断
