"""データ移行's pure rules: cells written and read back, encodings, and the checks that name file and line."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.migration import (
    Column,
    Line,
    Problem,
    Reference,
    Table,
    check,
    check_chain_order,
    check_date_order,
    check_header,
    check_imported_documents,
    decode,
    format_cell,
    parse_cell,
    parse_row,
    tree_order,
)

UNITS = Table("org_units", (Column("code", "str", False), Column("parent_code", "str", True)), key=("code",))
DOCS = Table(
    "documents",
    (
        Column("id", "str", False),
        Column("number", "str", True),
        Column("unit", "str", False),
        Column("decided_at", "datetime", True),
    ),
    key=("id",),
    uniques=(("number",),),
    references=(Reference(("unit",), "org_units", ("code",)),),
    unique_labels={("number",): "文書番号"},
)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("int", 1_500_000),
        ("bool", True),
        ("date", date(2026, 4, 1)),
        ("datetime", datetime(2026, 3, 31, 15, 0, 0, 1, tzinfo=UTC)),
        ("json", {"b": [1, "い"], "a": None}),
        ("str", "萩総第41号"),
    ],
)
def test_a_cell_reads_back_as_written(kind: str, value: object) -> None:
    column = Column("c", kind, nullable=True)  # type: ignore[arg-type]
    assert parse_cell(column, format_cell(column.kind, value)) == value


def test_datetimes_are_written_in_japanese_time_and_read_without_offset_as_such() -> None:
    moment = datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
    assert format_cell("datetime", moment) == "2026-04-01T00:00:00.000000+09:00"
    assert parse_cell(Column("at", "datetime", False), "2026-04-01 00:00") == moment
    assert parse_cell(Column("on", "date", False), "2026/4/1") == date(2026, 4, 1)  # as Excel writes it


def test_bad_and_missing_cells_say_which_column() -> None:
    with pytest.raises(ValueError, match="amount: not a whole number"):
        parse_cell(Column("amount", "int", False), "十円")
    with pytest.raises(ValueError, match="rank: a value is required"):
        parse_cell(Column("rank", "int", False), "")
    assert parse_cell(Column("rank", "int", False, default=0), "") == 0
    assert parse_cell(Column("note", "str", False), "") == ""
    assert parse_cell(Column("parent", "str", True), "") is None


def test_a_value_outside_the_known_ones_is_refused() -> None:
    state = Column("state", "str", False, choices=frozenset({"done", "pending"}))
    assert parse_cell(state, "done") == "done"
    with pytest.raises(ValueError, match="state: 'approved' is not one of done, pending"):
        parse_cell(state, "approved")


def test_utf8_with_and_without_bom_and_shift_jis_are_read() -> None:
    text = "code,name\r\nsomu,総務課\r\n"
    assert decode(b"\xef\xbb\xbf" + text.encode()) == (text, "utf-8")
    assert decode(text.encode()) == (text, "utf-8")
    assert decode(text.encode("cp932")) == (text, "shift_jis")
    assert decode("髙橋".encode("cp932"))[0] == "髙橋"  # a 機種依存文字 of Windows' Shift_JIS


def test_the_header_names_unknown_and_missing_columns() -> None:
    table = Table("posts", (Column("code", "str", False), Column("rank", "int", False)), key=("code",))
    assert check_header(table, ["code", "grade"]) == [
        Problem("posts.csv", 1, "unknown column 'grade'"),
        Problem("posts.csv", 1, "required column 'rank' is missing"),
    ]


def _lines(table: Table, *rows: dict[str, str]) -> list[Line]:
    out = []
    for number, cells in enumerate(rows, start=2):
        line, problems = parse_row(table, number, cells)
        assert problems == []
        out.append(line)
    return out


def test_duplicates_and_dangling_references_are_named_by_file_and_line() -> None:
    units = _lines(UNITS, {"code": "somu"})
    docs = _lines(
        DOCS,
        {"id": "a", "number": "萩総第1号", "unit": "somu"},
        {"id": "a", "number": "萩総第2号", "unit": "somu"},
        {"id": "b", "number": "萩総第1号", "unit": "kita"},
        {"id": "c", "number": "萩総第9号", "unit": "zeimu"},
    )
    present: dict[tuple[str, tuple[str, ...]], set[tuple[object, ...]]] = {
        ("org_units", ("code",)): {("zeimu",)},
        ("documents", ("number",)): {("萩総第9号",)},
    }
    assert [str(p) for p in check([UNITS, DOCS], {"org_units": units, "documents": docs}, present)] == [
        "documents.csv:3: duplicate id a (first on line 2)",
        "documents.csv:4: duplicate 文書番号 萩総第1号 (first on line 2)",
        "documents.csv:5: 文書番号 萩総第9号 is already in ringi",
        "documents.csv:4: unit kita: no such row in org_units.csv",
    ]


def test_a_row_already_reported_unreadable_is_not_reported_again_where_it_is_named() -> None:
    docs = _lines(DOCS, {"id": "a", "unit": "kita"})
    broken = Line(2, {"code": "kita"})  # its parent_code could not be read: reported once, as that
    assert check([UNITS, DOCS], {"documents": docs}, {}, {"org_units": [broken]}) == []
    assert check([UNITS, DOCS], {"documents": docs}, {}) == [
        Problem("documents.csv", 2, "unit kita: no such row in org_units.csv")
    ]


def test_only_decided_documents_and_whole_chains_are_imported() -> None:
    docs = [Line(2, {"status": "completed"}), Line(3, {"status": "in_review"})]
    assert check_imported_documents(docs, decided=frozenset({"completed"}), file="documents.csv") == [
        Problem("documents.csv", 3, "status 'in_review': only completed imported")
    ]
    events = [Line(2, {"d": "a", "seq": 1}), Line(3, {"d": "a", "seq": 3}), Line(4, {"d": "b", "seq": 1})]
    assert check_chain_order(events, owner="d", file="audit_events.csv") == [
        Problem("audit_events.csv", 3, "seq 3: expected 2 for a")
    ]


def test_dates_that_cannot_be_are_named() -> None:
    table = Table("documents", (), key=("id",))
    lines = [
        Line(2, {"created_at": datetime(2025, 5, 1, tzinfo=UTC), "decided_at": datetime(2025, 4, 30, tzinfo=UTC)}),
        Line(3, {"created_at": datetime(2025, 5, 1, tzinfo=UTC), "decided_at": None}),
    ]
    assert [p.line for p in check_date_order(table, lines)] == [2]
    assert "decided_at 2025-04-30 00:00:00+00:00 is before created_at" in check_date_order(table, lines)[0].reason


def test_units_are_written_parents_first() -> None:
    lines = [
        Line(2, {"code": "somu.somu", "parent_code": "somu"}),
        Line(3, {"code": "somu", "parent_code": None}),
        Line(4, {"code": "kita", "parent_code": "elsewhere"}),
    ]
    assert [line.values["code"] for line in tree_order(lines, key="code", parent="parent_code")] == [
        "somu",
        "kita",
        "somu.somu",
    ]
