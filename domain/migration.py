"""データ移行: the rules of ringi's CSV migration format (docs/data-migration.md), pure.

A migration directory holds one CSV file per table (``org_units.csv``, ``documents.csv`` …), the attachments by
relative path and ``manifest.json``.  This module knows how a cell is written and read (``format_cell`` /
``parse_cell``), how a file's bytes are decoded (UTF-8 with or without BOM, Shift_JIS), and checks every row of
every table before anything is imported (``check``): types, required cells, duplicate keys and numbers, and
references to rows that are neither imported nor already present.  The tables themselves (their columns, keys
and references) are described by ``Table``; ``db.migration`` derives them from the models.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Literal

Kind = Literal["str", "int", "bool", "date", "datetime", "json"]

#: 日本標準時: a datetime written without an offset is Japanese time (what a legacy system's export says).
JST = timezone(timedelta(hours=9), "JST")
#: The encodings an import reads, in the order tried (UTF-8 first: Shift_JIS decodes much UTF-8 text wrongly).
ENCODINGS = ("utf-8-sig", "cp932")
FORMAT = "ringi-migration"
FORMAT_VERSION = 1

_TRUE = {"true", "1", "yes", "y", "t", "はい"}
_FALSE = {"false", "0", "no", "n", "f", "いいえ"}


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    nullable: bool
    #: The value when the cell is empty or the column absent (None: the cell is required unless ``nullable``).
    default: Any = None
    #: Computed by the import (a hash chain's hashes): may be empty; when given it must equal what is computed.
    derived: bool = False
    #: The values ringi knows (a status, a kind): any other is refused here, not met later by a reader.
    choices: frozenset[str] | None = None


@dataclass(frozen=True)
class Reference:
    """``columns`` of a row name a row of ``table`` by its ``target`` columns (an empty cell names nothing)."""

    columns: tuple[str, ...]
    table: str
    target: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    #: What identifies a row (the primary key, or the natural key where the database numbers rows itself).
    key: tuple[str, ...]
    uniques: tuple[tuple[str, ...], ...] = ()
    references: tuple[Reference, ...] = ()
    #: Why a row's unique columns must differ, named in the report (``文書番号`` rather than the column names).
    unique_labels: Mapping[tuple[str, ...], str] = field(default_factory=dict)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class Problem:
    """One reason the import refuses: the file, its line (0: the file as a whole) and what is wrong."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}" if self.line else f"{self.file}: {self.reason}"


@dataclass(frozen=True)
class Line:
    """A parsed row and the line of its file it starts on (the header is line 1)."""

    number: int
    values: dict[str, Any]


Key = tuple[Any, ...]


# --- cells ---------------------------------------------------------------------------------------------------


def format_cell(kind: Kind, value: Any) -> str:
    """The cell's text: empty for None, ISO dates, datetimes in JST with microseconds, canonical JSON."""
    if value is None:
        return ""
    if kind == "bool":
        return "true" if value else "false"
    if kind == "datetime":
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return str(moment.astimezone(JST).isoformat(timespec="microseconds"))
    if kind == "date":
        return str(value.isoformat())
    if kind == "json":
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def parse_cell(column: Column, text: str) -> Any:
    """The value of a cell; raises ``ValueError`` with the reason a person can read."""
    if text == "":
        if column.kind == "str" and not column.nullable:
            return column.default if column.default is not None else ""
        if column.nullable or column.derived:
            return None
        if column.default is not None:
            return column.default
        raise ValueError(f"{column.name}: a value is required")
    if column.choices is not None and text not in column.choices:
        raise ValueError(f"{column.name}: {text!r} is not one of {', '.join(sorted(column.choices))}")
    try:
        return _parse(column.kind, text.strip() if column.kind != "str" else text)
    except ValueError as exc:
        raise ValueError(f"{column.name}: {exc}") from None


def _parse(kind: Kind, text: str) -> Any:
    if kind == "str":
        return text
    if kind == "int":
        try:
            return int(text.replace(",", ""))
        except ValueError:
            raise ValueError(f"not a whole number: {text!r}") from None
    if kind == "bool":
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"not true/false: {text!r}")
    if kind == "date":
        try:
            return _slashed(text) if "/" in text else date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not a date (YYYY-MM-DD): {text!r}") from None
    if kind == "datetime":
        try:
            moment = datetime.fromisoformat(text.replace("/", "-"))
        except ValueError:
            raise ValueError(f"not a date and time (YYYY-MM-DDTHH:MM:SS+09:00): {text!r}") from None
        return (moment if moment.tzinfo else moment.replace(tzinfo=JST)).astimezone(UTC)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise ValueError(f"not JSON: {text[:40]!r}") from None


def _slashed(text: str) -> date:
    year, month, day = (int(part) for part in text.split("/"))
    return date(year, month, day)


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read in: UTF-8 (with or without BOM), else Shift_JIS."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), "utf-8" if encoding == "utf-8-sig" else "shift_jis"
        except UnicodeDecodeError:
            continue
    raise ValueError("neither UTF-8 nor Shift_JIS")


# --- rows ----------------------------------------------------------------------------------------------------


def check_header(table: Table, header: Sequence[str]) -> list[Problem]:
    """Unknown columns and missing required ones (a column with a default, nullable or derived may be absent)."""
    known = set(table.header)
    problems = [Problem(table.file, 1, f"unknown column {name!r}") for name in header if name not in known]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(table.file, 1, f"column {name!r} appears twice"))
        seen.add(name)
    for column in table.columns:
        optional = column.nullable or column.derived or column.default is not None
        if column.name not in seen and not optional:
            problems.append(Problem(table.file, 1, f"required column {column.name!r} is missing"))
    return problems


def parse_row(table: Table, number: int, cells: Mapping[str, str]) -> tuple[Line, list[Problem]]:
    """A row's values by column (every column of the table, absent ones from their default); with problems, the
    values that could be read (so references to the row are not reported as well)."""
    values: dict[str, Any] = {}
    problems = []
    for column in table.columns:
        try:
            values[column.name] = parse_cell(column, cells.get(column.name, ""))
        except ValueError as exc:
            problems.append(Problem(table.file, number, str(exc)))
    return Line(number, values), problems


def key_of(values: Mapping[str, Any], columns: Iterable[str]) -> Key | None:
    """The row's values in ``columns``; None when any is empty (an empty reference names nothing)."""
    key = tuple(values.get(c) for c in columns)
    return None if any(v is None for v in key) else key


def check(
    tables: Sequence[Table],
    lines: Mapping[str, Sequence[Line]],
    present: Mapping[tuple[str, tuple[str, ...]], set[Key]],
    unreadable: Mapping[str, Sequence[Line]] | None = None,
) -> list[Problem]:
    """Every duplicate and dangling reference across the import.

    ``present`` holds, per (table, columns), the keys already in the database that are not being imported (a
    reference may name them; a unique value may not repeat them).  ``unreadable``: rows already reported as
    unreadable, whose keys still count as named (one mistake is reported once, not at every reference to it).
    """
    problems: list[Problem] = []
    known: dict[tuple[str, tuple[str, ...]], set[Key]] = {}
    by_name = {t.name: t for t in tables}
    for table in tables:
        for columns in (table.key, *table.uniques):
            if not columns:
                continue
            label = table.unique_labels.get(columns) or ", ".join(columns)
            seen: dict[Key, int] = {}
            taken = present.get((table.name, columns), set()) if columns != table.key else set()
            for line in lines.get(table.name, ()):
                key = key_of(line.values, columns)
                if key is None:
                    continue
                if key in seen:
                    problems.append(
                        Problem(table.file, line.number, f"duplicate {label} {_show(key)} (first on line {seen[key]})")
                    )
                elif key in taken:
                    problems.append(Problem(table.file, line.number, f"{label} {_show(key)} is already in ringi"))
                else:
                    seen[key] = line.number
            known[(table.name, columns)] = set(seen) | {
                k for line in (unreadable or {}).get(table.name, ()) if (k := key_of(line.values, columns))
            }
    for table in tables:
        for ref in table.references:
            target = by_name.get(ref.table)
            names = known.get((ref.table, ref.target), set()) | present.get((ref.table, ref.target), set())
            if target is not None and ref.target not in (target.key, *target.uniques):
                names |= {k for line in lines.get(ref.table, ()) if (k := key_of(line.values, ref.target))}
            for line in lines.get(table.name, ()):
                key = key_of(line.values, ref.columns)
                if key is not None and key not in names:
                    what = ", ".join(ref.columns)
                    problems.append(
                        Problem(table.file, line.number, f"{what} {_show(key)}: no such row in {ref.table}.csv")
                    )
    return problems


def _show(key: Key) -> str:
    return "/".join(str(v) for v in key)


def check_imported_documents(lines: Sequence[Line], *, decided: frozenset[str], file: str) -> list[Problem]:
    """Imported documents are history: decided or ended (no workflow is started for them)."""
    return [
        Problem(file, line.number, f"status {line.values['status']!r}: only {', '.join(sorted(decided))} imported")
        for line in lines
        if line.values.get("status") not in decided
    ]


#: Dates a row's others may not precede: (later, earlier), by table.
DATE_ORDER: dict[str, tuple[tuple[str, str], ...]] = {
    "documents": (
        ("submitted_at", "created_at"),
        ("decided_at", "created_at"),
        ("completed_at", "created_at"),
        ("updated_at", "created_at"),
    ),
    "post_assignments": (("effective_to", "effective_from"),),
}


def check_date_order(table: Table, lines: Sequence[Line]) -> list[Problem]:
    """A 決裁 before its drafting, an assignment ending before it starts: dates that cannot be."""
    problems = []
    for later, earlier in DATE_ORDER.get(table.name, ()):
        for line in lines:
            a, b = line.values.get(later), line.values.get(earlier)
            if a is not None and b is not None and a < b:
                problems.append(Problem(table.file, line.number, f"{later} {a} is before {earlier} {b}"))
    return problems


def check_chain_order(lines: Sequence[Line], *, owner: str, file: str) -> list[Problem]:
    """A chain's events run seq 1, 2, 3 … per ``owner`` (document or receipt), in the file's order."""
    problems = []
    expected: dict[Any, int] = {}
    for line in lines:
        who = line.values.get(owner)
        want = expected.get(who, 1)
        if line.values.get("seq") != want:
            problems.append(Problem(file, line.number, f"seq {line.values.get('seq')}: expected {want} for {who}"))
        expected[who] = want + 1
    return problems


def tree_order(lines: Sequence[Line], *, key: str, parent: str) -> list[Line]:
    """Parents before their children (a unit's parent first), keeping the file's order otherwise."""
    placed: set[Any] = set()
    pending = list(lines)
    ordered: list[Line] = []
    names = {line.values[key] for line in lines}
    while pending:
        rest = []
        for line in pending:
            up = line.values.get(parent)
            if up is None or up in placed or up not in names:
                ordered.append(line)
                placed.add(line.values[key])
            else:
                rest.append(line)
        if len(rest) == len(pending):  # a cycle: keep them, the database will refuse
            ordered.extend(rest)
            break
        pending = rest
    return ordered
