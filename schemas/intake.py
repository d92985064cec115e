"""電子申請 (online applications) arriving as 収受: the application a form service sends, and the per-form mapping.

An application is what a resident submitted through the city's 汎用電子申請 system: its source (which system),
form, id, submission time, the applicant (personal data: the receipt is 機密性2 by default), the answers and
attachments.  The mapping (``rules/intake/*.yaml``) is data, one version per 適用日 like the rulebook: it names for
each form the assigned unit (担当課), the 決裁区分 category, the branch the receipt is meant to take (起案 required,
供覧, or 受付のみ) and the receipt's title template.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from schemas.text import MAX_FILENAME_BYTES, OneLine, control_character

#: The branch a mapped form's receipt is meant for: 起案 required (reply), 供覧 (circulation), 受付のみ (receipt_only).
IntakeBranch = Literal["reply", "circulation", "receipt_only"]
BRANCH_NAMES: dict[str, str] = {"reply": "起案を要する", "circulation": "供覧", "receipt_only": "受付のみ"}

#: Ids and codes: letters, digits and ``._:-`` (they appear in logs, URLs and unique keys).
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$"


class Applicant(BaseModel):
    """申請者: personal data (個人情報); only ``name`` is required."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: OneLine = Field(min_length=1, max_length=200, description="氏名 (法人は名称)")
    name_kana: OneLine = Field("", max_length=200, description="フリガナ")
    organization: OneLine = Field("", max_length=200, description="法人・団体名")
    postal_code: str = Field("", max_length=10, description="郵便番号")
    address: str = Field("", max_length=400, description="住所")
    phone: str = Field("", max_length=40, description="電話番号")
    email: str = Field("", max_length=254, description="メールアドレス")


class IntakeAttachment(BaseModel):
    """添付ファイル: its name, media type and base64 content (the size limit is a setting: checked by the caller)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=3, max_length=127, pattern=r"^[\w.+-]+/[\w.+-]+$")
    content: str = Field(min_length=1, description="base64 (RFC 4648)")

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if any(c in value for c in "/\\\x00") or value in (".", ".."):
            raise ValueError("a file name without path separators")
        if control_character(value) is not None:
            raise ValueError("a file name without control characters or line breaks")
        if len(value.encode()) > MAX_FILENAME_BYTES:
            raise ValueError(f"file names are limited to {MAX_FILENAME_BYTES} bytes (UTF-8)")
        return value

    @field_validator("content")
    @classmethod
    def _base64(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("not valid base64") from exc
        return value

    def data(self) -> bytes:
        return base64.b64decode(self.content, validate=True)

    def size(self) -> int:
        """The decoded size in bytes, without decoding."""
        padding = self.content[-2:].count("=")
        return len(self.content) * 3 // 4 - padding


class IntakeApplication(BaseModel):
    """One submitted application (申請), as the form service sends it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1, max_length=64, pattern=CODE_PATTERN, description="the sending system")
    form_id: str = Field(min_length=1, max_length=100, pattern=CODE_PATTERN, description="様式 (form) id")
    application_id: str = Field(min_length=1, max_length=100, pattern=CODE_PATTERN, description="申請番号")
    submitted_at: AwareDatetime = Field(description="申請日時 (with its offset)")
    applicant: Applicant
    answers: dict[str, str | int | float | bool | None] = Field(default_factory=dict, max_length=500)
    attachments: list[IntakeAttachment] = Field(default_factory=list, max_length=20)

    @field_validator("answers")
    @classmethod
    def _answer_keys(cls, value: dict[str, object]) -> dict[str, object]:
        for key, answer in value.items():
            if not key.strip() or len(key) > 200:
                raise ValueError("answer keys are 1–200 characters")
            if isinstance(answer, str) and len(answer) > 20_000:
                raise ValueError(f"the answer {key!r} is longer than 20000 characters")
        return value


class FormRule(BaseModel):
    """One form's routing: where its applications go and which way their receipts are meant to go."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    form_id: str = Field(min_length=1, max_length=100, pattern=CODE_PATTERN)
    form_name: OneLine = Field(min_length=1, max_length=200, description="様式の名称")
    assigned_unit: str = Field(min_length=1, max_length=64, description="担当課")
    category: str | None = Field(None, max_length=40, description="決裁区分 (the rulebook's general category)")
    branch: IntakeBranch
    title: str = Field(min_length=1, max_length=400, description="件名 template: {form_name}, {applicant_name} …")
    confidentiality: int = Field(2, ge=2, le=3, description="機密性: personal data makes it 2 at least")
    citation: str = Field("", max_length=200)
    note: str = ""


class IntakeRulebook(BaseModel):
    """One version of the per-form mapping, in force from its 適用日."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    effective_from: date = Field(alias="適用日")
    title: OneLine = Field(min_length=1, max_length=200)
    addressee: OneLine = Field("市長", min_length=1, max_length=400, description="宛先 of every receipt")
    forms: list[FormRule] = Field(default_factory=list)

    @field_validator("forms")
    @classmethod
    def _unique_forms(cls, forms: list[FormRule]) -> list[FormRule]:
        seen: set[str] = set()
        for rule in forms:
            if rule.form_id in seen:
                raise ValueError(f"form {rule.form_id} is mapped twice")
            seen.add(rule.form_id)
        return forms

    @property
    def id(self) -> str:
        return self.effective_from.isoformat()
