"""HTTP models of 収受 (receipts): registration, the 収受簿 entry, corrections, 配布, branches, 供覧."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from schemas.api.files import FILING_DESCRIPTION, Filing, filing_fits
from schemas.text import OneLine, control_character

ONE_LINE_FIELDS = frozenset({"sender", "addressee", "title", "sender_reference"})

Channel = Literal["paper", "email", "lgwan", "online_application", "hand"]


class ReceiptCreate(BaseModel):
    """収受: what the registering clerk records of a received document."""

    model_config = ConfigDict(extra="forbid")

    received_on: date
    channel: Channel
    sender: OneLine = Field(min_length=1, max_length=400)
    addressee: OneLine = Field(min_length=1, max_length=400)
    title: OneLine = Field(min_length=1, max_length=400)
    sender_reference: OneLine = Field("", max_length=100, description="先方文書番号")
    sender_dated_on: date | None = None
    reply_by: date | None = Field(None, description="回答期限")
    assigned_unit: str = Field(min_length=1, max_length=64, description="担当課")
    confidentiality: int = Field(1, ge=1, le=3, description="機密性 1/2/3")
    summary: str = Field("", max_length=100_000)
    #: 簿冊: the file it goes into (an open file of the assigned unit and 年度); absent: the proposed one, if any
    file_id: str | None = Field(None, min_length=1, max_length=36)
    filing: Filing = Field("proposed", description=FILING_DESCRIPTION)

    @field_validator("filing")
    @classmethod
    def _filing_fits(cls, filing: str, info: ValidationInfo) -> str:
        return filing_fits(filing, info.data.get("file_id"))


class ReceiptRead(BaseModel):
    """One entry of the 収受簿."""

    id: str
    receipt_number: str
    number_symbol: str
    fiscal_year: int
    received_on: date
    channel: str
    sender: str
    addressee: str
    title: str
    sender_reference: str
    sender_dated_on: date | None
    reply_by: date | None
    assigned_unit: str
    confidentiality: int
    summary: str
    registered_by: str
    registered_at: datetime
    branch: str
    outcome: str
    outcome_reason: str
    reply_document_id: str | None
    reply_number: str | None
    completed_at: datetime | None
    file_id: str | None = None  # 簿冊 (行政文書ファイル) it is filed in
    #: True in the 収受簿 list for a 機密性2+ receipt: its ``summary`` is empty (GET /v1/receipts/{id} shows it).
    content_omitted: bool = False


class ReceiptEventRead(BaseModel):
    seq: int
    action: str
    actor_id: str
    at: datetime
    detail: dict[str, object]
    hash: str


class ReceiptCorrection(BaseModel):
    """訂正: a new value for one field, with the reason; recorded as an event, never an edit in place."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(min_length=1, max_length=40)
    value: str | None
    reason: str = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _one_line_fields_stay_one_line(self) -> ReceiptCorrection:
        """件名, 差出人, 宛先 and 先方文書番号 are one line as when registered (the 摘要 may hold line breaks)."""
        if self.field in ONE_LINE_FIELDS and self.value is not None:
            bad = control_character(self.value)
            if bad is not None:
                raise ValueError(f"value: {self.field} must not contain control characters (found U+{ord(bad):04X})")
        return self


class HandOn(BaseModel):
    """配布: hand the receipt on to another unit, with the reason."""

    model_config = ConfigDict(extra="forbid")

    unit: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)


class ReceiptClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class CirculationStart(BaseModel):
    """供覧: the staff ids who must confirm reading."""

    model_config = ConfigDict(extra="forbid")

    readers: list[str] = Field(min_length=1, max_length=200)


class ReadingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str = Field("", max_length=2000)


class ReaderRead(BaseModel):
    reader_id: str
    read_at: datetime | None
    comment: str


class CirculationItem(BaseModel):
    """A 供覧 waiting for my confirmation (GET /v1/me/circulations)."""

    receipt_id: str
    receipt_number: str
    title: str
    confidentiality: int
    assigned_unit: str
    since: datetime
