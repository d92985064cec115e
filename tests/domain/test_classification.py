"""文書分類表: the words of its cells, validation naming the bad row, the tree, the version in force."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.classification import (
    CellUnreadable,
    build,
    dropped_codes,
    in_force_of,
    parse_counting,
    parse_disposition,
    parse_retention,
    validate,
)
from schemas.classification import ClassificationContent, ClassificationEntry, ClassificationTable


def entry(
    code: str, parent: str | None = None, *, leaf: bool = True, row: str = "", **over: Any
) -> ClassificationEntry:
    values: dict[str, Any] = {"code": code, "name": f"分類{code}", "parent_code": parent, "row": row or f"row {code}"}
    if leaf:
        values |= {"retention_years": 5, "disposition": "dispose"}
    return ClassificationEntry(**(values | over))


def table(*entries: ClassificationEntry, fiscal_year: int = 2026, **over: Any) -> ClassificationContent:
    return ClassificationContent(fiscal_year=fiscal_year, effective_from=date(2026, 4, 1), entries=entries, **over)


GOOD = (entry("01", leaf=False), entry("01-01", "01", leaf=False), entry("01-01-01", "01-01"), entry("02"))


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("5", (5, False)),
        (5, (5, False)),
        ("5年", (5, False)),
        ("５年", (5, False)),  # full-width (NFKC)
        ("30年", (30, False)),
        ("1年未満", (0, False)),
        ("永年", (None, True)),
        ("永久", (None, True)),
        ("", (None, False)),
        (None, (None, False)),
    ],
)
def test_retention_words(text: object, parsed: tuple[int | None, bool]) -> None:
    assert parse_retention(text) == parsed


@pytest.mark.parametrize("text", ["五年", "5ヶ月", "-1", "常時", True])
def test_unreadable_retention(text: object) -> None:
    with pytest.raises(CellUnreadable, match="保存期間"):
        parse_retention(text)


def test_disposition_and_counting_words() -> None:
    assert [parse_disposition(w) for w in ("移管", "廃棄", "transfer", "", None)] == [
        "transfer",
        "dispose",
        "transfer",
        None,
        None,
    ]
    assert [parse_counting(w) for w in ("", None, "年度", "暦年", "calendar_year")] == [
        "fiscal_year",
        "fiscal_year",
        "fiscal_year",
        "calendar_year",
        "calendar_year",
    ]
    with pytest.raises(CellUnreadable, match="移管"):
        parse_disposition("保存")
    with pytest.raises(CellUnreadable, match="暦年"):
        parse_counting("会計年度末")


def test_a_good_table_passes_and_builds_its_tree() -> None:
    content = table(*GOOD)
    assert validate(content) == []
    tree = build(content)
    assert tree.roots == ("01", "02")
    leaf = tree.leaf("01-01-01")
    assert leaf is not None and leaf.path == ("01", "01-01", "01-01-01") and leaf.level == 3
    assert leaf.names == ("分類01", "分類01-01", "分類01-01-01")
    assert tree.leaf("01") is None, "a class with children is not a leaf"
    assert tree.leaf("99") is None
    assert {n.code for n in tree.leaves()} == {"01-01-01", "02"}


@pytest.mark.parametrize(
    ("entries", "row", "message"),
    [
        ((*GOOD, entry("01-01-01", "01-01", row="row 9")), "row 9", "duplicate code '01-01-01' (first at row 0"),
        ((*GOOD, entry("03", row="row 7", retention_years=None)), "row 7", "needs its 保存期間"),
        ((*GOOD, entry("03", row="row 7", disposition=None)), "row 7", "disposition at expiry"),
        ((*GOOD, entry("05-01", "05", row="row 8")), "row 8", "child without its parent"),
        ((entry("01", row="row 2"), entry("01-01", "01", row="row 3")), "row 2", "belong to the leaf classes"),
        ((*GOOD, entry("04", row="row 6", name=" ")), "row 6", "needs a name"),
        ((*GOOD, entry("04", row="row 6", retention_permanent=True)), "row 6", "永年 and a number of years"),
        (
            (*GOOD, entry("01-01-01-01", "01-01-01", row="row 5")),
            "row 5",
            "more than 3 levels",
        ),
        ((entry("a", "b", row="row 2"), entry("b", "a", row="row 3")), "row 2", "in a circle"),
    ],
    ids=[
        "duplicate",
        "no-retention",
        "no-disposition",
        "orphan",
        "inner-retention",
        "no-name",
        "both",
        "depth",
        "cycle",
    ],
)
def test_problems_name_the_row(entries: tuple[ClassificationEntry, ...], row: str, message: str) -> None:
    problems = validate(table(*entries))
    assert problems, "the table should be refused"
    assert any(p.row == row and message in p.message for p in problems), [p.describe() for p in problems]


def test_an_empty_table_is_refused() -> None:
    assert [p.message for p in validate(table())] == ["the table has no classes"]


def test_a_new_version_may_not_drop_a_leaf_that_files_use() -> None:
    tree = build(table(*GOOD))
    assert dropped_codes(tree, ["01-01-01", "02"]) == []
    assert dropped_codes(tree, ["01-01-01", "01-01-09", "01"]) == ["01", "01-01-09"]


def _version(version_id: str, fiscal_year: int, effective_from: date) -> ClassificationTable:
    return ClassificationTable(id=version_id, fiscal_year=fiscal_year, effective_from=effective_from, entries=GOOD)


def test_the_version_in_force_for_a_fiscal_year() -> None:
    versions = [
        _version("2026-a", 2026, date(2026, 4, 1)),
        _version("2026-b", 2026, date(2026, 10, 1)),
        _version("2027-a", 2027, date(2027, 4, 1)),
    ]
    assert in_force_of(versions, 2026, date(2026, 9, 30)).id == "2026-a"  # type: ignore[union-attr]
    assert in_force_of(versions, 2026, date(2026, 10, 1)).id == "2026-b"  # type: ignore[union-attr]
    # opening next year's files in March: that year's first version, though not in force yet
    assert in_force_of(versions, 2027, date(2027, 3, 1)).id == "2027-a"  # type: ignore[union-attr]
    assert in_force_of(versions, 2028, date(2028, 4, 1)) is None
