"""HTML form fields -> the API's own request models (the same validation as the JSON API)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from api.web.file_choice import file_choice_of
from api.web.messages import validation_message
from schemas.api.models import ActionCreate, DocumentCreate, DocumentRead, DocumentUpdate

DRAFT_FIELDS = (
    "title",
    "body",
    "matter",
    "category",
    "amount_yen",
    "confidentiality",
    "retention_years",
    "budget_code",
    "file_id",
)
#: The matters the drafting form offers: 支出 (by amount) and 一般 (by 決裁区分).
FORM_MATTERS = ("spending", "general")


def draft_values(form: Mapping[str, Any]) -> dict[str, str]:
    """The draft form's fields as typed (to fill the form again)."""
    return {name: str(form.get(name) or "").strip() for name in DRAFT_FIELDS}


def parse_draft(values: Mapping[str, str], *, preview: bool = False) -> DocumentCreate:
    """A ``DocumentCreate`` from the form; ``ValueError`` with a Japanese message per bad field.

    For the route preview the title may still be empty: the route does not depend on it.
    """
    matter = values.get("matter") or "spending"
    raw: dict[str, Any] = {
        "title": values.get("title", "") or ("（件名未入力）" if preview else ""),
        "body": values.get("body", ""),
        "matter": matter,
        "confidentiality": _int_or(values.get("confidentiality"), 1),
        "retention_years": _int_or(values.get("retention_years"), 5),
    }
    raw.update(file_choice_of(values.get("file_id", "")))  # 簿冊: none chosen, the proposed one (preselected)
    if matter == "general":  # by 決裁区分: no amount, no budget line
        raw["category"] = values.get("category") or None
    else:
        amount = values.get("amount_yen", "").replace(",", "").replace("¥", "").replace("円", "").strip()
        raw["amount_yen"] = int(amount) if amount.isdigit() else amount or None
        raw["budget_code"] = values.get("budget_code") or None
    try:
        return DocumentCreate.model_validate(raw)
    except ValidationError as exc:
        raise ValueError(validation_message(exc.errors())) from exc


def parse_edit(values: Mapping[str, str]) -> DocumentUpdate:
    """The fields a draft or sent-back document may change (機密性 and 保存期間 are fixed at drafting)."""
    draft = parse_draft(values)
    by_matter = ("category",) if draft.matter == "general" else ("amount_yen", "budget_code")
    fields = ("title", "body", *by_matter)
    return DocumentUpdate(**{name: getattr(draft, name) for name in fields})


def values_of(document: DocumentRead) -> dict[str, str]:
    """A document's fields as the form shows them."""
    return {
        "title": document.title,
        "body": document.body,
        "matter": document.matter,
        "category": document.category or "",
        "amount_yen": f"{document.amount_yen:,}",
        "confidentiality": str(document.confidentiality),
        "retention_years": str(document.retention_years),
        "budget_code": document.budget_code or "",
    }


def parse_action(form: Mapping[str, Any]) -> ActionCreate:
    """The action button pressed (``action`` or ``action:on_behalf_of``), its comment and send-back target."""
    choice = str(form.get("choice") or "")
    action, _, on_behalf_of = choice.partition(":")
    target = str(form.get("target_step") or "")
    raw: dict[str, Any] = {"action": action, "comment": str(form.get("comment") or "")}
    if on_behalf_of:
        raw["on_behalf_of"] = on_behalf_of
    if action == "send_back" and target.isdigit():
        raw["target_step"] = int(target)
    try:
        return ActionCreate.model_validate(raw)
    except ValidationError as exc:
        raise ValueError(validation_message(exc.errors())) from exc


def _int_or(value: str | None, default: int) -> int | str:
    if value is None or value == "":
        return default
    return int(value) if value.isdigit() else value
