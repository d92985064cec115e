"""庶務申請 form fields (休暇・時間外勤務, optionally 代理申請) -> ``DocumentCreate``; errors by field, in Japanese."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from api.web.file_choice import file_choice_of
from schemas.api.models import DocumentCreate

AFFAIR_FIELDS = (
    "matter",
    "on_behalf_of",
    "kind",
    "start",
    "end",
    "days",
    "leave_hours",
    "work_date",
    "start_time",
    "end_time",
    "hours",
    "reason",
    "file_id",
)
#: The matters this form offers (出張 has its own fields, not yet on this form).
AFFAIR_FORM_MATTERS = {"leave": "休暇", "overtime": "時間外勤務"}
AFFAIR_TITLES = {"leave": "休暇申請", "overtime": "時間外勤務命令申請"}
_DETAIL_FIELD = {"hours": "leave_hours"}  # leave: 時間単位 (the form's name, apart from overtime's hours)


def affair_matter(values: Mapping[str, str]) -> str:
    """The form's matter (休暇 unless it names another it offers)."""
    matter = values.get("matter") or ""
    return matter if matter in AFFAIR_FORM_MATTERS else "leave"


def affair_values(form: Mapping[str, Any]) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip() for name in AFFAIR_FIELDS}


def parse_affair(values: Mapping[str, str]) -> DocumentCreate:
    """A ``DocumentCreate`` from the form; ``FieldErrors`` (field → message) when the API's validation refuses."""
    matter = affair_matter(values)
    details: dict[str, Any]
    if matter == "leave":
        details = {
            "matter": "leave",
            "kind": values.get("kind") or "annual",
            "start": values.get("start") or None,
            "end": values.get("end") or values.get("start") or None,
            "days": values.get("days") or None,
            "hours": values.get("leave_hours") or None,
        }
        title = AFFAIR_TITLES["leave"]
    else:
        details = {
            "matter": "overtime",
            "work_date": values.get("work_date") or None,
            "start_time": values.get("start_time") or None,
            "end_time": values.get("end_time") or None,
            "hours": values.get("hours") or None,
            "reason": values.get("reason", ""),
        }
        title = AFFAIR_TITLES["overtime"]
    raw: dict[str, Any] = {"title": title, "matter": matter, "details": details}
    if values.get("on_behalf_of"):
        raw["on_behalf_of"] = values["on_behalf_of"]
    raw.update(file_choice_of(values.get("file_id", "")))  # 簿冊: none chosen, the proposed one (preselected)
    try:
        return DocumentCreate.model_validate(raw)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for e in exc.errors():
            loc = [str(p) for p in e["loc"]]
            field = loc[2] if len(loc) > 2 and loc[0] == "details" else (loc[0] if loc else "form")
            field = _DETAIL_FIELD.get(field, field) if matter == "leave" else field
            errors.setdefault(field if field in AFFAIR_FIELDS else "form", e["msg"])
        raise FieldErrors(errors) from exc


class FieldErrors(ValueError):
    """The form's refused fields (name → the API's reason)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
