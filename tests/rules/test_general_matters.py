"""General matters (一般事項): 決裁区分 rows by category, no amount, each citing its row; 文書審査 rows."""

from __future__ import annotations

from datetime import date

import pytest

from domain.rulebook.evaluate import NoRule, rule_on
from domain.rulebook.validate import validate
from rules.loader import RulebookUnreadable, parse
from schemas.rules import categories_of
from tests.rules.builders import DEFAULT, authority_rows, content

EXPECTED = {
    "inquiry_reply_routine": "manager",
    "notice_routine": "manager",
    "report": "manager",
    "certificate": "manager",
    "permit_routine": "manager",
    "policy_important": "mayor",
    "ordinance_draft": "mayor",
    "council_bill": "mayor",
}


@pytest.mark.parametrize("category", sorted(EXPECTED))
def test_each_category_is_decided_by_the_level_its_row_names(category: str) -> None:
    ruling = rule_on(DEFAULT, matter="general", expense_class=None, quantities={}, category=category)
    row = next(r for r in DEFAULT.authority if r.category == category)
    assert ruling.level == EXPECTED[category] == row.level
    assert ruling.citation == row.citation and row.note  # every row names the 規程 it follows
    assert row.category_name in ruling.reason


def test_an_amount_does_not_move_a_category() -> None:
    ruling = rule_on(DEFAULT, matter="general", expense_class=None, quantities={"amount_yen": 10**9}, category="report")
    assert ruling.level == "manager"


def test_flags_escalate_a_routine_category_and_cite_the_limit() -> None:
    for flag in ("important", "unusual", "precedent", "doubtful"):
        ruling = rule_on(
            DEFAULT, matter="general", expense_class=None, quantities={}, category="certificate", flags=[flag]
        )
        assert ruling.level == "director"
        assert DEFAULT.escalation.citation in ruling.citation and "上位" in ruling.reason
    top = rule_on(
        DEFAULT, matter="general", expense_class=None, quantities={}, category="council_bill", flags=["important"]
    )
    assert top.level == "mayor" and top.escalated_for == ()


def test_ordinance_drafts_and_bills_are_examined_by_the_general_affairs_division() -> None:
    for category in ("ordinance_draft", "council_bill"):
        ruling = rule_on(DEFAULT, matter="general", expense_class=None, quantities={}, category=category)
        [exam] = ruling.examinations
        assert exam.org_unit == "somu.somu" and exam.citation
    routine = rule_on(DEFAULT, matter="general", expense_class=None, quantities={}, category="report")
    assert routine.examinations == ()


def test_an_unknown_category_names_the_valid_ones() -> None:
    with pytest.raises(NoRule) as caught:
        rule_on(DEFAULT, matter="general", expense_class=None, quantities={}, category="nonsense")
    for key in EXPECTED:
        assert key in str(caught.value)
    assert set(categories_of(DEFAULT)) == set(EXPECTED)


def test_the_demo_rulebook_names_what_it_imitates_and_marks_examples() -> None:
    assert "大町町" in DEFAULT.title and "小城市" in DEFAULT.title
    for row in (*DEFAULT.consultations, *DEFAULT.examinations):
        assert "例示" in row.note


def test_a_category_row_without_a_citation_is_refused() -> None:
    text = (
        "適用日: 2027-04-01\n"
        "authority:\n  - {matter: general, category: report, level: manager}\n"
        "escalation: {citation: x}\n"
    )
    with pytest.raises(RulebookUnreadable) as caught:
        parse(text)
    [problem] = caught.value.problems
    assert (problem.section, problem.index) == ("authority", 0) and "citation" in problem.message


def test_category_rows_are_validated() -> None:
    rows = authority_rows()
    report = next(r for r in rows if r["category"] == "report")
    twice = content(authority=[*rows, report])
    assert any("overlaps" in p.message for p in validate(twice))
    nameless = content(authority=[*rows, {**report, "category": None, "citation": "X"}])
    assert any("names its category" in p.message for p in validate(nameless))
    spending = next(r for r in rows if r["matter"] == "spending")
    wrong = content(authority=[{**spending, "category": "report"}, *rows[1:]])
    assert any("has no categories" in p.message for p in validate(wrong))
    exam = DEFAULT.examinations[0].model_dump()
    bad_unit = content(examinations=[{**exam, "org_unit": "somu.nowhere"}])
    problems = validate(bad_unit, org_units={"somu.zaisei", "somu.keiyaku", "somu.somu"})
    assert [(p.section, p.citation) for p in problems] == [("examinations", exam["citation"])]
    assert validate(content(effective_from=date(2027, 4, 1))) == []
