"""時間外勤務の上限: every cap at its boundary, the 他律的 designation by date, 特例業務, and totals by person."""

from __future__ import annotations

from datetime import date

import pytest

from domain import overtime
from domain.errors import ChainError
from domain.overtime import HourEntry
from schemas.rules import OvertimeCaps, OvertimeDesignation, OvertimeLimits, OvertimeSpecialCase

LIMITS = OvertimeLimits(
    general=OvertimeCaps(month_at_most=45, year_at_most=360, citation="人事院規則15-14 第16条の2の2 第1項第1号"),
    other_driven=OvertimeCaps(
        month_below=100,
        year_at_most=720,
        average_at_most=80,
        average_months=6,
        over_hours=45,
        over_months_at_most=6,
        citation="人事院規則15-14 第16条の2の2 第1項第2号",
    ),
    designations=(
        OvertimeDesignation(
            org_unit="somu.zaisei",
            effective_from=date(2026, 4, 1),
            effective_until=date(2027, 4, 1),
            citation="例示",
        ),
    ),
    special_case=OvertimeSpecialCase(level="deputy_mayor", citation="人事院規則15-14 第16条の2の2 第2項"),
)
FY = 2026


def month(m: int, day: int = 10) -> date:
    """A day of month ``m`` of 令和8年度 (April 2026 – March 2027)."""
    return date(FY if m >= 4 else FY + 1, m, day)


def hours_in(months: dict[int, float]) -> list[HourEntry]:
    return [HourEntry(month(m), h, document_id=f"d{m}") for m, h in months.items()]


def judge(limit_class: str, entries: list[HourEntry], on: date, hours: float, **kw: object) -> overtime.OvertimeVerdict:
    return overtime.verdict(LIMITS, limit_class=limit_class, entries=entries, work_date=on, hours=hours, **kw)  # type: ignore[arg-type]


def caps_hit(result: overtime.OvertimeVerdict) -> list[str]:
    return [b.cap for b in result.breaches]


# --- 一般 ----------------------------------------------------------------------------------------------------


def test_general_month_45_fits_46_is_refused_with_the_numbers() -> None:
    entries = [HourEntry(month(5, 1), 30), HourEntry(month(5, 8), 14, pending=True)]  # 44, pending included
    assert judge("general", entries, month(5), 1).allowed
    refused = judge("general", entries, month(5), 2, today=month(5, 2))
    assert caps_hit(refused) == ["month"]
    assert refused.reason == "今月の時間外勤務は44時間、申請2時間で上限45時間を超えます"
    other_month = judge("general", entries, month(6), 2, today=month(5, 2))
    assert other_month.allowed
    with pytest.raises(ChainError, match="2026年5月の時間外勤務は44時間、申請2時間で上限45時間を超えます") as e:
        overtime.check(judge("general", entries, month(5), 2))
    assert e.value.kind == "invalid"


def test_general_year_360_fits_361_is_refused() -> None:
    entries = hours_in(dict.fromkeys((4, 5, 6, 7, 8, 9, 10, 11), 40.0))  # 320
    assert judge("general", entries, month(12), 40).allowed  # 360
    refused = judge("general", entries, month(12), 41)
    assert caps_hit(refused) == ["year"]
    assert refused.reason == "令和8年度の時間外勤務は320時間、申請41時間で上限360時間を超えます"
    # the 年度 ends on March 31: April of the next one starts afresh
    assert judge("general", [*entries, HourEntry(month(12), 40)], date(FY + 1, 4, 5), 45).allowed


# --- 他律的 ----------------------------------------------------------------------------------------------------


def test_other_driven_month_under_100() -> None:
    assert judge("other_driven", [HourEntry(month(7, 1), 90)], month(7), 9).allowed  # 99
    refused = judge("other_driven", [HourEntry(month(7, 1), 90)], month(7), 10)  # 100
    assert caps_hit(refused) == ["month"]
    assert "2026年7月の時間外勤務は90時間、申請10時間で100時間となり、上限 (100時間未満) を超えます" in refused.reason


def test_other_driven_year_720_fits_721_is_refused() -> None:
    # six months of 79 and five of 41, March 40: 720 with a request of 1 hour, every other cap kept
    entries = hours_in({4: 79, 5: 41, 6: 79, 7: 41, 8: 79, 9: 41, 10: 79, 11: 41, 12: 79, 1: 41, 2: 79, 3: 40})
    fits = judge("other_driven", entries, month(3), 1)
    assert fits.allowed and fits.after.year_hours == 720
    refused = judge("other_driven", entries, month(3), 2)
    assert caps_hit(refused) == ["year"]
    assert "令和8年度の時間外勤務は719時間、申請2時間で上限720時間を超えます" in refused.reason


def test_other_driven_average_of_80_fits_over_80_is_refused() -> None:
    entries = [HourEntry(month(4), 90)]
    fits = judge("other_driven", entries, month(5), 70)
    assert fits.allowed
    assert fits.after.averages[0].average == 80  # 2 months: (90 + 70) / 2
    refused = judge("other_driven", entries, month(5), 71)
    assert caps_hit(refused) == ["average"]
    assert refused.reason == (
        "2026年4月から2026年5月までの2箇月の平均は申請71時間を含めて80.5時間となり、上限80時間を超えます"
    )


def test_the_average_counts_later_months_and_longer_windows() -> None:
    # a request in April with heavy months after it: the window April–May counts the pending May
    assert caps_hit(judge("other_driven", [HourEntry(month(5), 95, pending=True)], month(4), 70)) == ["average"]
    # a 3-month window may exceed where every 2-month one keeps the line: 85, 75, 85 averages 81.67
    entries = hours_in({4: 85, 5: 75})
    assert judge("other_driven", entries, month(6), 80).allowed  # 3 months: exactly 80
    refused = judge("other_driven", entries, month(6), 85)
    assert caps_hit(refused) == ["average"]
    assert [a.average for a in refused.after.averages[:2]] == [80, pytest.approx(81.67, abs=0.01)]
    assert "2026年4月から2026年6月までの3箇月の平均は申請85時間を含めて81.67時間となり" in refused.reason


def test_other_driven_a_seventh_month_over_45_is_refused() -> None:
    entries = hours_in(dict.fromkeys((4, 5, 6, 7, 8, 9), 50.0))
    assert judge("other_driven", entries, month(10), 45).allowed  # 45 is not over 45
    refused = judge("other_driven", entries, month(10), 46)
    assert caps_hit(refused) == ["months_over"]
    assert refused.after.months_over == 7
    assert "令和8年度に45時間を超える月は既に6箇月あり、申請46時間で2026年10月が7箇月目となり、上限6箇月を超えます" in (
        refused.reason
    )
    # a month already over 45 is no new month: more hours in it count only against the other caps
    assert judge("other_driven", entries, month(9), 5).allowed


# --- 特例業務, designations, the person -----------------------------------------------------------------------


def test_a_special_case_may_exceed_the_caps_and_says_which() -> None:
    result = judge("general", [HourEntry(month(8), 44)], month(8), 10, special_case=True)
    assert result.allowed and caps_hit(result) == ["month"]
    overtime.check(result)  # not refused


def test_the_designation_is_effective_dated() -> None:
    assert overtime.limit_class_of(LIMITS, "somu.zaisei", date(2026, 3, 31)) == "general"
    assert overtime.limit_class_of(LIMITS, "somu.zaisei", date(2026, 4, 1)) == "other_driven"
    assert overtime.limit_class_of(LIMITS, "somu.zaisei", date(2027, 3, 31)) == "other_driven"
    assert overtime.limit_class_of(LIMITS, "somu.zaisei", date(2027, 4, 1)) == "general"
    assert overtime.limit_class_of(LIMITS, "somu.somu", date(2026, 6, 1)) == "general"


def test_totals_are_the_persons_whatever_section_ordered_them() -> None:
    # hours ordered in the section before a transfer count the same: entries carry no section at all
    before_transfer = [HourEntry(month(4), 200, document_id="old-section"), HourEntry(month(6), 140)]
    totals = overtime.totals([*before_transfer, HourEntry(month(7), 20, pending=True)], month(7))
    assert (totals.month_hours, totals.pending_month_hours, totals.year_hours) == (20, 20, 360)
    assert judge("general", before_transfer, month(7), 20).allowed
    assert caps_hit(judge("general", before_transfer, month(7), 21)) == ["year"]


def test_fractions_of_hours_meet_the_cap_exactly() -> None:
    entries = [HourEntry(month(5, d), 0.1) for d in range(1, 11)] + [HourEntry(month(5, 12), 43.9)]  # 44.9
    assert judge("general", entries, month(5), 0.1).allowed  # 45.0, not 45.0000000001
