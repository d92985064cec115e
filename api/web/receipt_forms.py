"""The 収受登録 form -> ``ReceiptCreate`` (the API's own model), with a Japanese message beside each bad field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from api.web.file_choice import file_choice_of
from core.errors import RingiError
from schemas.api.receipts import ReceiptCreate

RECEIPT_FIELDS = (
    "received_on",
    "channel",
    "sender",
    "addressee",
    "title",
    "sender_reference",
    "sender_dated_on",
    "reply_by",
    "assigned_unit",
    "confidentiality",
    "summary",
    "file_id",
)
_OPTIONAL_DATES = ("sender_dated_on", "reply_by")

#: pydantic's error types in the words of the form.
_MESSAGES = {
    "missing": "入力してください",
    "string_too_short": "入力してください",
    "string_too_long": "長すぎます",
    "date_from_datetime_parsing": "日付（年-月-日）で入力してください",
    "date_parsing": "日付（年-月-日）で入力してください",
    "date_type": "日付（年-月-日）で入力してください",
    "literal_error": "選択肢から選んでください",
    "int_parsing": "選択肢から選んでください",
    "greater_than_equal": "選択肢から選んでください",
    "less_than_equal": "選択肢から選んでください",
    "value_error": "使えない文字が含まれています",
}


class FieldErrors(ValueError):
    """Bad fields of a form: field name -> the message shown beside it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def receipt_values(form: Mapping[str, Any]) -> dict[str, str]:
    """The form's fields as typed (to fill the form again); the 摘要 keeps its line breaks."""
    values = {name: str(form.get(name) or "") for name in RECEIPT_FIELDS}
    return {name: (value if name == "summary" else value.strip()) for name, value in values.items()}


def parse_receipt(values: Mapping[str, str]) -> ReceiptCreate:
    raw: dict[str, Any] = {name: values.get(name, "") for name in RECEIPT_FIELDS}
    for name in _OPTIONAL_DATES:
        raw[name] = raw[name] or None
    raw["confidentiality"] = raw["confidentiality"] or 1
    raw.update({"file_id": None, **file_choice_of(raw["file_id"])})  # 簿冊: none chosen, the proposed one
    try:
        return ReceiptCreate.model_validate(raw)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "form"
            errors.setdefault(field, _MESSAGES.get(error["type"], str(error["msg"])))
        raise FieldErrors(errors) from exc


def field_of(exc: RingiError) -> FieldErrors | None:
    """A service's refusal naming a field (``assigned_unit: there is no org unit …``) as that field's error."""
    field, sep, reason = exc.detail.partition(": ")
    if sep and field in RECEIPT_FIELDS:
        return FieldErrors({field: reason})
    return None
