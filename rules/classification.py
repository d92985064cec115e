"""Read 文書分類表 versions: the YAML files shipped in ``rules/classification/``, and uploaded YAML, JSON or CSV.

YAML (and JSON) hold the tree as it reads::

    年度: 2026            # or fiscal_year
    適用日: 2026-04-01     # or effective_from
    title: 共通分類表
    source: 例示 …        # the 規程 the table comes from, or 例示
    classes:
      - {code: "01", name: 総務, children: [{code: "01-01", name: 文書, children: [
          {code: "01-01-01", name: 文書の収受・発送, 保存期間: 1年, 満了時の措置: 廃棄}]}]}

CSV is the spreadsheet cities keep: one row per leaf with its ancestors beside it, a header row naming the columns
(大分類コード, 大分類, 中分類コード, 中分類, 小分類コード, 小分類, 保存期間, 満了時の措置, 起算 — or major_code,
major_name, middle_code, middle_name, minor_code, minor_name, retention, disposition, counting), in UTF-8 with or
without BOM or in Shift_JIS (CP932, as Excel writes it); its 年度 and 適用日 come with the upload.

Reading is parsing only: the rules (what a valid table is) are ``domain.classification``.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from domain.classification import CellUnreadable, parse_counting, parse_disposition, parse_retention
from schemas.classification import (
    ClassificationContent,
    ClassificationEntry,
    ClassificationProblem,
    ClassificationTable,
)

REPOSITORY_DIR = Path(__file__).parent / "classification"

_KEYS = {
    "fiscal_year": ("fiscal_year", "年度"),
    "effective_from": ("effective_from", "適用日"),
    "title": ("title", "名称"),
    "source": ("source", "出典"),
}
_CELL = {
    "code": ("code", "コード"),
    "name": ("name", "名称"),
    "retention": ("retention", "保存期間"),
    "disposition": ("disposition", "満了時の措置"),
    "counting": ("counting", "起算"),
}
_LEVELS = (
    (("大分類コード", "major_code"), ("大分類", "大分類名", "major_name")),
    (("中分類コード", "middle_code"), ("中分類", "中分類名", "middle_name")),
    (("小分類コード", "minor_code"), ("小分類", "小分類名", "minor_name")),
)


class ClassificationUnreadable(ValueError):
    """The text is not a 文書分類表 (``problems`` names the rows)."""

    def __init__(self, problems: list[ClassificationProblem]) -> None:
        super().__init__("; ".join(p.describe() for p in problems))
        self.problems = problems


def decode(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (a BOM is dropped), else Shift_JIS (CP932)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as exc:
        raise ClassificationUnreadable(
            [ClassificationProblem(row="body", message="the CSV is neither UTF-8 nor Shift_JIS")]
        ) from exc


def parse(data: str | bytes, *, media_type: str = "application/yaml", **meta: Any) -> ClassificationContent:
    """One version from YAML, JSON or CSV (``media_type`` ``text/csv``: ``meta`` gives 年度, 適用日, title, source)."""
    if "csv" in media_type:
        text = decode(data) if isinstance(data, bytes) else data
        return _content({k: v for k, v in meta.items() if v is not None}, parse_csv(text))
    try:
        loaded: Any = json.loads(data) if "json" in media_type else yaml.safe_load(data)
    except (ValueError, yaml.YAMLError) as exc:
        raise _unreadable("body", f"not valid YAML/JSON: {exc}") from exc
    if not isinstance(loaded, dict):
        raise _unreadable("body", "a table is a mapping (年度, classes …)")
    header = {field: value for field, keys in _KEYS.items() if (value := _pick(loaded, keys)) is not None}
    header.update({k: v for k, v in meta.items() if v is not None})
    classes = loaded.get("classes", loaded.get("分類"))
    if not isinstance(classes, list):
        raise ClassificationUnreadable([ClassificationProblem(row="classes", message="classes: a list of classes")])
    return _content(header, parse_tree(classes))


def parse_tree(classes: list[Any], *, parent: str | None = None, where: str = "classes") -> list[ClassificationEntry]:
    """The nested ``classes`` of YAML/JSON as flat entries (parents first)."""
    entries: list[ClassificationEntry] = []
    problems: list[ClassificationProblem] = []
    for index, item in enumerate(classes):
        here = f"{where}[{index}]"
        if not isinstance(item, dict):
            problems.append(ClassificationProblem(row=here, message="a class is a mapping (code, name …)"))
            continue
        code = str(_pick(item, _CELL["code"]) or "")
        try:
            entries.append(_entry(item, code=code, parent=parent, row=here))
        except (CellUnreadable, ValidationError) as exc:
            problems.append(ClassificationProblem(row=here, code=code, message=_message(exc)))
            continue
        children = item.get("children", item.get("下位"))
        if children is not None:
            if not isinstance(children, list):
                problems.append(ClassificationProblem(row=here, code=code, message="children: a list of classes"))
                continue
            try:
                entries.extend(parse_tree(children, parent=code, where=f"{here}.children"))
            except ClassificationUnreadable as exc:
                problems.extend(exc.problems)
    if problems:
        raise ClassificationUnreadable(problems)
    return entries


def parse_csv(text: str) -> list[ClassificationEntry]:
    """The rows of a CSV table as flat entries: each row's deepest class is its leaf, the others its ancestors
    (repeated on every row: they must agree with the row that first named them)."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    levels = [(_column(header, codes), _column(header, names)) for codes, names in _LEVELS]
    if levels[0][0] is None:
        raise ClassificationUnreadable(
            [ClassificationProblem(row="row 1", message="the header names no 大分類コード (major_code) column")]
        )
    entries: list[ClassificationEntry] = []
    known: dict[str, tuple[str, str | None, str]] = {}  # code -> (name, parent, row)
    problems: list[ClassificationProblem] = []
    for line, record in enumerate(reader, start=2):
        row = f"row {line}"
        cells = [
            (_cell(record, code_col), _cell(record, name_col)) for code_col, name_col in levels if code_col is not None
        ]
        path = [(code, name) for code, name in cells if code]
        if not path:
            if any((v or "").strip() for v in record.values() if isinstance(v, str)):
                problems.append(ClassificationProblem(row=row, message="the row names no class code"))
            continue
        parent: str | None = None
        for depth, (code, name) in enumerate(path):
            leaf = depth == len(path) - 1
            if not leaf and code in known:
                first_name, first_parent, first_row = known[code]
                if (first_name, first_parent) != (name, parent):
                    problems.append(
                        ClassificationProblem(
                            row=row, code=code, message=f"named {name!r} here but {first_name!r} at {first_row}"
                        )
                    )
            elif not leaf:
                known[code] = (name, parent, row)
                entries.append(ClassificationEntry(code=code, name=name, parent_code=parent, row=row))
            else:
                cells_of_leaf = {
                    "retention": _cell(record, _column(header, ("保存期間", "retention"))),
                    "disposition": _cell(record, _column(header, ("満了時の措置", "disposition"))),
                    "counting": _cell(record, _column(header, ("起算", "counting"))),
                    "name": name,
                }
                try:
                    entries.append(_entry(cells_of_leaf, code=code, parent=parent, row=row))
                except (CellUnreadable, ValidationError) as exc:
                    problems.append(ClassificationProblem(row=row, code=code, message=_message(exc)))
                known.setdefault(code, (name, parent, row))
            parent = code
    if problems:
        raise ClassificationUnreadable(problems)
    return entries


def with_id(version_id: str, content: ClassificationContent) -> ClassificationTable:
    return ClassificationTable(id=version_id, **content.model_dump())


def repository_tables(directory: Path = REPOSITORY_DIR) -> list[ClassificationTable]:
    """Every version shipped with ringi (id: the file's stem), by 年度 and 適用日."""
    tables = [with_id(p.stem, parse(p.read_text(encoding="utf-8"))) for p in sorted(directory.glob("*.yaml"))]
    return sorted(tables, key=lambda t: (t.fiscal_year, t.effective_from, t.id))


def _content(header: dict[str, Any], entries: list[ClassificationEntry]) -> ClassificationContent:
    try:
        return ClassificationContent.model_validate({**header, "entries": entries})
    except ValidationError as exc:
        problems = [
            ClassificationProblem(row="header", message=f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}")
            for e in exc.errors()[:20]
        ]
        raise ClassificationUnreadable(problems) from exc


def _entry(item: dict[str, Any], *, code: str, parent: str | None, row: str) -> ClassificationEntry:
    years, permanent = parse_retention(_pick(item, _CELL["retention"]))
    return ClassificationEntry(
        code=code,
        name=str(_pick(item, _CELL["name"]) or ""),
        parent_code=parent,
        retention_years=years,
        retention_permanent=permanent,
        disposition=parse_disposition(_pick(item, _CELL["disposition"])),
        counting=parse_counting(_pick(item, _CELL["counting"])),
        row=row,
    )


def _unreadable(row: str, message: str) -> ClassificationUnreadable:
    return ClassificationUnreadable([ClassificationProblem(row=row, message=message)])


def _pick(data: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in data:
            value = data[key]
            return value.isoformat() if isinstance(value, date) else value
    return None


def _column(header: list[str], names: tuple[str, ...]) -> str | None:
    return next((h for h in header if h in names), None)


def _cell(record: dict[str, Any], column: str | None) -> str:
    value = record.get(column) if column is not None else None
    return value.strip() if isinstance(value, str) else ""


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
    return str(exc)
