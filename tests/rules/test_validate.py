"""An uploaded rulebook with a bad row is refused, naming the row (section, index, citation)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.rulebook.validate import validate
from rules.loader import RulebookUnreadable, parse
from schemas.rules import RuleProblem
from tests.rules.builders import DEFAULT, authority_rows, content

TODAY = date(2026, 11, 26)
FUTURE = date(2027, 4, 1)
UNITS = {"somu.zaisei", "somu.keiyaku", "somu.somu"}


def problems_of(rows: list[dict[str, Any]] | None = None, **changes: Any) -> list[RuleProblem]:
    book = content(effective_from=FUTURE, **({"authority": rows} if rows is not None else {}), **changes)
    return validate(book, today=TODAY, org_units=UNITS)


def test_a_good_future_version_passes() -> None:
    assert problems_of() == []


def test_overlapping_bands() -> None:
    rows = authority_rows()
    rows[5] = {**rows[5], "at_least": 900_000}  # その他 部長 from 90万, while 課長 runs to 100万未満
    [problem] = problems_of(rows)
    assert (problem.section, problem.index, problem.citation) == ("authority", 5, "別表第1 第1項(3)イ")
    assert "overlaps row 4" in problem.message


def test_a_gap_between_bands() -> None:
    rows = authority_rows()
    rows[5] = {**rows[5], "at_least": 1_100_000}
    [problem] = problems_of(rows)
    assert problem.index == 5 and "gap" in problem.message and "1000000" in problem.message


def test_a_gap_at_the_top_and_at_zero() -> None:
    rows = authority_rows()
    rows[9] = {**rows[9], "below": 90_000}  # 交際費 部長 no longer open-ended
    rows[8] = {**rows[8], "at_least": 1}
    found = {(p.index, p.message.split(":")[0]) for p in problems_of(rows)}
    assert found == {(8, "gap"), (9, "gap")}


def test_unknown_level_post_and_org_unit() -> None:
    rows = authority_rows()
    rows[0] = {**rows[0], "level": "section_chief"}
    consults = [c.model_dump() for c in DEFAULT.consultations]
    consults[0] = {**consults[0], "post": "kacho"}
    consults[1] = {**consults[1], "org_unit": "somu.nowhere"}
    found = {(p.section, p.index, p.citation): p.message for p in problems_of(rows, consultations=consults)}
    assert "unknown level 'section_chief'" in found[("authority", 0, "別表第1 第1項(1)ア")]
    assert "unknown post code 'kacho'" in found[("consultations", 0, "第6条第1項第1号")]
    assert "unknown org unit 'somu.nowhere'" in found[("consultations", 1, "第6条第1項第2号")]


def test_negative_amounts() -> None:
    rows = authority_rows()
    rows[4] = {**rows[4], "at_least": -1}
    found = [p for p in problems_of(rows) if p.index == 4]
    assert found and "negative" in found[0].message


@pytest.mark.parametrize("effective", [TODAY, date(2026, 1, 1)])
def test_an_effective_date_today_or_past_is_refused(effective: date) -> None:
    [problem] = validate(content(effective_from=effective), today=TODAY, org_units=UNITS)
    assert problem.section == "適用日" and "not after today" in problem.message


def test_a_matter_without_bands() -> None:
    rows = [r for r in authority_rows() if r["matter"] != "trip"]
    [problem] = problems_of(rows)
    assert "no bands for 旅行命令" in problem.message


def test_unreadable_rows_name_their_index() -> None:
    text = (
        "適用日: 2027-04-01\n"
        "authority:\n  - {matter: spending, 以上: 0, citation: 別表第1 第9項}\n"
        "escalation: {citation: x}\n"
    )
    with pytest.raises(RulebookUnreadable) as caught:
        parse(text)
    [problem] = caught.value.problems
    assert (problem.section, problem.index, problem.citation) == ("authority", 0, "別表第1 第9項")
    assert "level" in problem.message
    with pytest.raises(RulebookUnreadable):
        parse("- just a list")
    with pytest.raises(RulebookUnreadable):
        parse("{not json", media_type="application/json")


def test_overtime_limits_name_known_classes_units_and_levels() -> None:
    assert DEFAULT.overtime_limits is not None
    limits = DEFAULT.overtime_limits.model_dump()
    limits["general"] = {**limits["general"], "month_at_most": None}
    limits["other_driven"] = {**limits["other_driven"], "over_months_at_most": None}
    limits["designations"] = [
        {**limits["designations"][0], "limit_class": "busy"},
        {**limits["designations"][0], "org_unit": "somu.nowhere", "effective_until": date(2020, 4, 1)},
    ]
    limits["special_case"] = {**limits["special_case"], "level": "shogun"}
    messages = [(p.section, p.index, p.message) for p in problems_of(overtime_limits=limits)]
    assert [m for _, _, m in messages] == [
        "general: a monthly cap is needed",
        "other_driven: over_hours and over_months_at_most go together",
        "designations: unknown limit_class 'busy' (general, other_driven)",
        "designations: unknown org unit 'somu.nowhere'",
        "designations: 終了日 2020-04-01 is not after 適用日 2021-04-01",
        "unknown level 'shogun' (manager, director, deputy_mayor, mayor)",
    ]
    assert {s for s, _, _ in messages} == {"overtime_limits"}
