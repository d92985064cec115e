"""電子申請の収受 (intake of online applications): which form goes where, the receipt it becomes, CSV rows.

- ``route_application``: the mapping version in force on the day the application arrived (適用日, like the
  rulebook) and its row for the form; an application no row maps is *unrouted* and waits in the intake queue.
- ``receipt_fields``: the 収受 an application becomes (channel ``online_application``, sender = the applicant,
  先方文書番号 = the application id, 機密性2 at least: the applicant's personal data).
- ``decode_csv`` / ``read_csv``: a form service's CSV export (UTF-8 with or without BOM, or Shift_JIS), row by
  row; each bad row is reported with its line number and the reason, the good ones become applications.

Pure: no clock (the day is an argument), no I/O.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from pydantic import ValidationError

from schemas.intake import FormRule, IntakeApplication, IntakeRulebook
from schemas.text import one_line

#: Japan Standard Time: the day an application arrives is a day in Japan (収受日).
_JST = timezone(timedelta(hours=9), "JST")

#: Placeholders a title template may use, besides ``{answers.<key>}``.
TITLE_FIELDS = ("form_id", "form_name", "application_id", "applicant_name", "submitted_on", "source")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


# --- routing -------------------------------------------------------------------------------------------------


def in_force(books: Iterable[IntakeRulebook], on: date) -> IntakeRulebook | None:
    """The mapping version whose 適用日 is the latest on or before ``on`` (None if every one is later)."""
    eligible = [b for b in books if b.effective_from <= on]
    return max(eligible, key=lambda b: b.effective_from, default=None)


@dataclass(frozen=True)
class Routed:
    """The form is mapped: its rule, and the version that holds it."""

    rule: FormRule
    version: IntakeRulebook


@dataclass(frozen=True)
class Unrouted:
    """No rule maps the form on that day: the application waits in the intake queue for the records office."""

    reason: str


def received_on(application: IntakeApplication) -> date:
    """収受日: the day in Japan the application reached the city's form service (its 到達)."""
    return application.submitted_at.astimezone(_JST).date()


def arrival_problem(application: IntakeApplication, *, now: datetime, skew: timedelta) -> str | None:
    """What is wrong with when the application says it was submitted (None: nothing): not after its arrival."""
    if application.submitted_at > now + skew:
        return "submitted_at: later than its arrival here (the sender's clock is wrong)"
    return None


def route_application(books: Iterable[IntakeRulebook], application: IntakeApplication) -> Routed | Unrouted:
    """The rule for the application's form in the version in force on its 収受日, or why there is none."""
    day = received_on(application)
    version = in_force(books, day)
    if version is None:
        return Unrouted(f"no intake mapping is in force on {day.isoformat()}")
    rule = next((r for r in version.forms if r.form_id == application.form_id), None)
    if rule is None:
        return Unrouted(f"form {application.form_id} is not mapped in the intake mapping of {version.id}")
    return Routed(rule=rule, version=version)


# --- the receipt ---------------------------------------------------------------------------------------------


def template_problems(template: str) -> list[str]:
    """What is wrong with a title template (empty: nothing): every placeholder must be a known field."""
    problems = []
    for name in _PLACEHOLDER.findall(template):
        if name not in TITLE_FIELDS and not (name.startswith("answers.") and len(name) > len("answers.")):
            problems.append(f"unknown placeholder {{{name}}}; use {', '.join(TITLE_FIELDS)} or answers.<key>")
    return problems


def render_title(template: str, application: IntakeApplication, *, form_name: str) -> str:
    """件名 from the form's template; an answer that is missing renders empty (never a format-string lookup)."""
    values: dict[str, str] = {
        "form_id": application.form_id,
        "form_name": form_name,
        "application_id": application.application_id,
        "applicant_name": application.applicant.name,
        "submitted_on": received_on(application).isoformat(),
        "source": application.source,
    }

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("answers."):
            return _text(application.answers.get(name.removeprefix("answers.")))
        return values.get(name, match.group(0))

    title = " ".join(one_line(_PLACEHOLDER.sub(value, template)).split())  # an answer may hold any control
    return (title or form_name)[:400]


def summary_of(application: IntakeApplication, attachments: Sequence[tuple[str, str]] | None = None) -> str:
    """The receipt's 概要: the answers, one per line, then the attachments' names and types (the bytes are kept
    apart); ``attachments`` when the application's own are no longer at hand (a stored one)."""
    lines = [f"{key}: {_text(answer)}" for key, answer in application.answers.items()]
    if attachments is None:
        attachments = [(a.name, a.content_type) for a in application.attachments]
    lines += [f"添付: {name} ({content_type})" for name, content_type in attachments]
    return "\n".join(lines)[:100_000]


def receipt_fields(
    application: IntakeApplication,
    rule: FormRule,
    *,
    addressee: str,
    attachments: Sequence[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """What ``ReceiptCreate`` takes for a routed application (a rule made by hand when routing from the queue).
    機密性 is the rule's, never below 2: an application carries personal data."""
    return {
        "received_on": received_on(application),
        "channel": "online_application",
        "sender": application.applicant.name,
        "addressee": addressee,
        "title": render_title(rule.title, application, form_name=rule.form_name),
        "sender_reference": application.application_id,
        "assigned_unit": rule.assigned_unit,
        "confidentiality": max(2, rule.confidentiality),
        "summary": summary_of(application, attachments),
    }


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    return str(value)


# --- CSV exports ---------------------------------------------------------------------------------------------


class CsvUnreadable(ValueError):
    """The whole file cannot be read (encoding, header): nothing is imported."""


#: Header names a form service's export may use for each field (English names and common Japanese labels).
COLUMNS: dict[str, tuple[str, ...]] = {
    "application_id": ("application_id", "申請番号", "申請ID", "受付番号"),
    "form_id": ("form_id", "様式ID", "手続ID", "フォームID"),
    "submitted_at": ("submitted_at", "申請日時", "送信日時", "受付日時"),
    "applicant.name": ("applicant_name", "氏名", "申請者氏名", "申請者名"),
    "applicant.name_kana": ("applicant_name_kana", "フリガナ", "氏名フリガナ"),
    "applicant.organization": ("applicant_organization", "法人名", "団体名"),
    "applicant.postal_code": ("applicant_postal_code", "郵便番号"),
    "applicant.address": ("applicant_address", "住所"),
    "applicant.phone": ("applicant_phone", "電話番号"),
    "applicant.email": ("applicant_email", "メールアドレス"),
}
REQUIRED_COLUMNS = ("application_id", "form_id", "submitted_at", "applicant.name")
_DATETIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


def decode_csv(data: bytes, *, charset: str | None = None) -> tuple[str, str]:
    """The text of an export and the encoding read: a declared charset if given, else UTF-8 (a BOM is dropped),
    else Shift_JIS (cp932, the Windows form that exports use)."""
    if charset:
        name = charset.strip().strip('"').lower()
        if name in ("shift_jis", "shift-jis", "sjis", "x-sjis", "windows-31j", "cp932", "ms932"):
            name = "cp932"
        if name in ("utf-8", "utf8"):
            name = "utf-8-sig"
        try:
            return data.decode(name), _encoding_name(name, data)
        except LookupError as exc:
            raise CsvUnreadable(f"charset: unknown character set {charset!r}") from exc
        except UnicodeDecodeError as exc:
            raise CsvUnreadable(f"charset: the file is not {charset} (byte {exc.start})") from exc
    try:
        return data.decode("utf-8-sig"), _encoding_name("utf-8-sig", data)
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "shift_jis"
    except UnicodeDecodeError as exc:
        raise CsvUnreadable(f"the file is neither UTF-8 nor Shift_JIS (byte {exc.start})") from exc


def _encoding_name(codec: str, data: bytes) -> str:
    if codec == "utf-8-sig":
        return "utf-8-bom" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    return "shift_jis" if codec == "cp932" else codec


@dataclass(frozen=True)
class CsvRow:
    """One data row: its line number in the file (the header is line 1), and the application or the reason."""

    line: int
    application: IntakeApplication | None = None
    application_id: str = ""
    reason: str = ""


def read_csv(text: str, *, source: str) -> list[CsvRow]:
    """Every data row of an export, validated one by one; raises ``CsvUnreadable`` for a bad header."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration as exc:
        raise CsvUnreadable("the file is empty: a header row is required") from exc
    except csv.Error as exc:
        raise CsvUnreadable(f"line 1: {exc}") from exc
    fields = _header_fields([h.strip() for h in header])
    rows: list[CsvRow] = []
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rows.append(CsvRow(line=line, reason=f"not a CSV record: {exc}"))
            continue
        if not any(v.strip() for v in values):
            continue  # a blank line
        rows.append(_row(line, header, fields, values, source))
    return rows


def _header_fields(header: list[str]) -> dict[str, str]:
    """Header name -> field (``applicant.name``, ``answers.<name>`` …); raises for a missing or repeated one."""
    by_alias = {alias: field for field, aliases in COLUMNS.items() for alias in aliases}
    seen: dict[str, str] = {}
    fields: dict[str, str] = {}
    for name in header:
        if not name:
            raise CsvUnreadable("header: a column has no name")
        if name in fields:
            raise CsvUnreadable(f"header: the column {name} appears twice")
        field = by_alias.get(name, f"answers.{name}")
        if field in seen:
            raise CsvUnreadable(f"header: the columns {seen[field]} and {name} both give {field}")
        seen[field] = name
        fields[name] = field
    missing = [COLUMNS[f][0] for f in REQUIRED_COLUMNS if f not in seen]
    if missing:
        raise CsvUnreadable(f"header: missing column(s) {', '.join(missing)} (or their Japanese names)")
    return fields


def _row(line: int, header: list[str], fields: Mapping[str, str], values: list[str], source: str) -> CsvRow:
    if len(values) != len(header):
        return CsvRow(line=line, reason=f"{len(values)} fields, but the header has {len(header)}")
    data: dict[str, Any] = {"source": source, "applicant": {}, "answers": {}}
    columns = {}
    for name, raw in zip(header, values, strict=True):
        field, value = fields[name.strip()], raw.strip()
        columns[field] = name.strip()
        if field.startswith("answers."):
            data["answers"][field.removeprefix("answers.")] = value
        elif field.startswith("applicant."):
            if value:
                data["applicant"][field.removeprefix("applicant.")] = value
        elif field == "submitted_at":
            data[field] = _when(value)
        else:
            data[field] = value
    application_id = str(data.get("application_id", ""))
    try:
        return CsvRow(line=line, application=IntakeApplication.model_validate(data), application_id=application_id)
    except ValidationError as exc:
        reasons = []
        for error in exc.errors()[:3]:
            field = ".".join(str(p) for p in error["loc"])
            where = f"column {columns[field]}" if field in columns else field
            reasons.append(f"{where}: {error['msg']}")
        return CsvRow(line=line, application_id=application_id, reason="; ".join(reasons))


def _when(value: str) -> str | datetime:
    """An export's 申請日時: ISO 8601, or ``2026/12/01 10:15`` (a time without offset is Japan's)."""
    for fmt in _DATETIME_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=_JST)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value  # pydantic names the field and says why
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=_JST)
