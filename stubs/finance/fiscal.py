"""年度 as finance books it: April 1 - March 31, named after the calendar year it starts in.

A fiscal year's books stay open two months after it ends, the 出納整理期間 (地方自治法 第235条の5: 出納は翌年度の
5月31日をもって閉鎖する): during April 1 - May 31 a commitment may still be booked in the year before.
"""

from __future__ import annotations

from datetime import date


def fiscal_year_of(day: date) -> int:
    """2027-03-31 -> 2026, 2027-04-01 -> 2027."""
    return day.year if day.month >= 4 else day.year - 1


def booking_refusal(decision_date: date, fiscal_year: int) -> str | None:
    """Why a decision on ``decision_date`` cannot be booked in ``fiscal_year`` (None: it can)."""
    current = fiscal_year_of(decision_date)
    if fiscal_year == current or (fiscal_year == current - 1 and decision_date.month in (4, 5)):
        return None
    if fiscal_year > current:
        return f"{fiscal_year}年度は決裁日 {decision_date} にはまだ始まっていません"
    closed_on = date(fiscal_year + 1, 5, 31)
    return f"{fiscal_year}年度は {closed_on} に出納閉鎖されました (決裁日 {decision_date} は {current}年度)"
