"""庶務申請 form fields (休暇・時間外勤務・出張, optionally 代理申請) -> ``DocumentCreate``; errors by field.

The form posts every matter's fields under names of their own (出張's dates are ``trip_start`` …, beside 休暇's
``start`` …); ``parse_affair`` builds the API's ``DocumentCreate`` from the chosen matter's fields, so the form is
validated exactly as the API's request is (``schemas.general_affairs``), and maps each refusal back to its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from api.web.file_choice import file_choice_of
from api.web.messages import field_message
from schemas.api.models import DocumentCreate

AFFAIR_FIELDS = (
    "matter",
    "on_behalf_of",
    # 休暇
    "kind",
    "start",
    "end",
    "days",
    "leave_hours",
    # 時間外勤務
    "work_date",
    "start_time",
    "end_time",
    "hours",
    "reason",
    # 出張
    "destination",
    "within_prefecture",
    "purpose",
    "trip_start",
    "trip_end",
    "trip_days",
    "transport",
    "estimated_cost_yen",
    "file_id",
)
#: The matters this form offers.
AFFAIR_FORM_MATTERS = {"leave": "休暇", "overtime": "時間外勤務", "trip": "出張"}
AFFAIR_TITLES = {"leave": "休暇申請", "overtime": "時間外勤務命令申請", "trip": "出張（旅行命令）申請"}
#: detail field -> the form's field, per matter (where the names differ).
_FORM_FIELD: dict[str, dict[str, str]] = {
    "leave": {"hours": "leave_hours"},
    "overtime": {},
    "trip": {"start": "trip_start", "end": "trip_end", "days": "trip_days"},
}
#: A model validator's reason (its first words) -> the detail field it is about.
_MODEL_REASONS = (
    ("end is before start", "end"),
    ("days (", "days"),
    ("hours (時間単位)", "hours"),
    ("hours (", "hours"),
    ("end_time equals", "end_time"),
)


def affair_matter(values: Mapping[str, str]) -> str:
    """The form's matter (休暇 unless it names another it offers)."""
    matter = values.get("matter") or ""
    return matter if matter in AFFAIR_FORM_MATTERS else "leave"


def affair_values(form: Mapping[str, Any]) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip() for name in AFFAIR_FIELDS}


def _details(matter: str, values: Mapping[str, str]) -> dict[str, Any]:
    def get(name: str) -> str | None:
        return values.get(name) or None

    if matter == "leave":
        return {
            "matter": "leave",
            "kind": get("kind") or "annual",
            "start": get("start"),
            "end": get("end") or get("start"),
            "days": get("days"),
            "hours": get("leave_hours"),
        }
    if matter == "overtime":
        return {
            "matter": "overtime",
            "work_date": get("work_date"),
            "start_time": get("start_time"),
            "end_time": get("end_time"),
            "hours": get("hours"),
            "reason": values.get("reason", ""),
        }
    return {
        "matter": "trip",
        "destination": values.get("destination", ""),
        "within_prefecture": bool(values.get("within_prefecture")),
        "purpose": values.get("purpose", ""),
        "start": get("trip_start"),
        "end": get("trip_end") or get("trip_start"),
        "days": get("trip_days"),
        "transport": values.get("transport", ""),
        "estimated_cost_yen": (get("estimated_cost_yen") or "").replace(",", "") or None,
    }


def parse_affair(values: Mapping[str, str]) -> DocumentCreate:
    """A ``DocumentCreate`` from the form; ``FieldErrors`` (field → Japanese message) when validation refuses."""
    matter = affair_matter(values)
    raw: dict[str, Any] = {"title": AFFAIR_TITLES[matter], "matter": matter, "details": _details(matter, values)}
    if values.get("on_behalf_of"):
        raw["on_behalf_of"] = values["on_behalf_of"]
    raw.update(file_choice_of(values.get("file_id", "")))  # 簿冊: none chosen, the proposed one (preselected)
    try:
        return DocumentCreate.model_validate(raw)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for e in exc.errors():
            field = _form_field(matter, [str(p) for p in e["loc"]], str(e.get("msg", "")))
            errors.setdefault(field, field_message(e))
        raise FieldErrors(errors) from exc


def _form_field(matter: str, loc: list[str], message: str) -> str:
    """The form field an error belongs beside (``form`` when it is about none of them)."""
    if loc and loc[0] == "details":
        detail = loc[2] if len(loc) > 2 else None
        if detail is None:  # the model's own check: find the field from its reason
            reason = message.removeprefix("Value error, ")
            detail = next((f for start, f in _MODEL_REASONS if reason.startswith(start)), "form")
        field = _FORM_FIELD[matter].get(detail, detail)
    else:
        field = loc[0] if loc else "form"
    return field if field in AFFAIR_FIELDS else "form"


class FieldErrors(ValueError):
    """The form's refused fields (name → the reason in Japanese)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
