"""A section's additions to the 共通分類: classes under the common tree, each problem naming the addition's row."""

from __future__ import annotations

from datetime import date

from domain.classification import addition_problems, build, repeated_common, with_additions
from schemas.classification import ClassificationContent, ClassificationEntry

COMMON = ClassificationContent(
    fiscal_year=2026,
    effective_from=date(2026, 4, 1),
    entries=(
        ClassificationEntry(code="01", name="総務", row="row 1"),
        ClassificationEntry(code="01-03", name="財務", parent_code="01", row="row 2"),
        ClassificationEntry(
            code="01-03-02",
            name="支出負担行為",
            parent_code="01-03",
            retention_years=5,
            disposition="dispose",
            row="row 3",
        ),
    ),
)


def _addition(*entries: ClassificationEntry, year: int = 2026) -> ClassificationContent:
    return ClassificationContent(fiscal_year=year, effective_from=date(2026, 4, 1), entries=entries)


def test_a_section_adds_leaves_under_the_common_tree() -> None:
    ok = _addition(
        ClassificationEntry(
            code="01-03-90",
            name="ふるさと納税",
            parent_code="01-03",
            retention_years=10,
            disposition="transfer",
            row="row 1",
        )
    )
    assert addition_problems(COMMON, ok) == []
    tree = build(COMMON.model_copy(update={"entries": (*COMMON.entries, *ok.entries)}))
    leaf = tree.leaf("01-03-90")
    assert leaf is not None and leaf.names == ("総務", "財務", "ふるさと納税")


def test_each_bad_addition_names_its_row() -> None:
    bad = _addition(
        ClassificationEntry(
            code="01-03-02", name="重複", parent_code="01-03", retention_years=5, disposition="dispose", row="row 1"
        ),
        ClassificationEntry(
            code="01-03-02-01", name="枝", parent_code="01-03-02", retention_years=5, disposition="dispose", row="row 2"
        ),
    )
    problems = addition_problems(COMMON, bad)
    assert [(p.row, p.code) for p in problems] == [("row 1", "01-03-02"), ("row 2", "01-03-02-01")]
    assert "common table already" in problems[0].message and "never under a leaf" in problems[1].message
    no_retention = _addition(
        ClassificationEntry(code="01-03-91", name="保存期間なし", parent_code="01-03", row="row 4")
    )
    problems = addition_problems(COMMON, no_retention)
    assert {p.row for p in problems} == {"row 4"} and any("保存期間" in p.message for p in problems)
    orphan = _addition(
        ClassificationEntry(
            code="09-01", name="親なし", parent_code="09", retention_years=1, disposition="dispose", row="row 5"
        )
    )
    assert [p.row for p in addition_problems(COMMON, orphan)] == ["row 5"]
    other_year = _addition(*orphan.entries, year=2027)
    assert "年度 2027" in addition_problems(COMMON, other_year)[0].message


def test_the_common_classes_named_again_beside_the_additions_are_not_additions() -> None:
    named_again = _addition(
        ClassificationEntry(code="01", name="総務", row="row 2"),
        ClassificationEntry(code="01-03", name="財務", parent_code="01", row="row 2"),
        ClassificationEntry(
            code="01-03-90", name="寄附", parent_code="01-03", retention_years=10, disposition="transfer", row="row 2"
        ),
    )
    own = repeated_common(COMMON, named_again)
    assert [e.code for e in own.entries] == ["01-03-90"] and addition_problems(COMMON, own) == []
    renamed = _addition(ClassificationEntry(code="01-03", name="経理", parent_code="01", row="row 2"))
    assert [e.code for e in repeated_common(COMMON, renamed).entries] == ["01-03"]  # not the common class: refused
    assert addition_problems(COMMON, repeated_common(COMMON, renamed))
    merged = build(with_additions(COMMON, own.entries))
    assert merged.leaf("01-03-90") is not None and merged.leaf("01-03-02") is not None
    assert with_additions(COMMON, ()) is COMMON
