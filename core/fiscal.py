"""年度 (fiscal year): April 1 – March 31, named after the calendar year it starts in (FY2026 = 令和8年度).

After a fiscal year ends, its books stay open for two months, the 出納整理期間 (地方自治法 第235条の5: 出納は
翌年度の5月31日をもって閉鎖する).  During April 1 – May 31 a document may therefore name the previous fiscal year;
at any other time it spends in the fiscal year of its decision date.

Pure and deterministic: no clock, no I/O.
"""

from __future__ import annotations

from datetime import date

#: The first fiscal year of 令和 (令和元年度 = FY2019).
REIWA_FIRST_YEAR = 2019


def fiscal_year_of(d: date) -> int:
    """The fiscal year ``d`` falls in: 2027-03-31 -> 2026, 2027-04-01 -> 2027."""
    return d.year if d.month >= 4 else d.year - 1


def fiscal_year_start(fiscal_year: int) -> date:
    """April 1 of ``fiscal_year``."""
    return date(fiscal_year, 4, 1)


def fiscal_year_end(fiscal_year: int) -> date:
    """March 31 after the start of ``fiscal_year``."""
    return date(fiscal_year + 1, 3, 31)


def in_closing_period(d: date) -> bool:
    """Whether ``d`` lies in a 出納整理期間 (April 1 – May 31, closing the fiscal year before ``d``'s)."""
    return d.month in (4, 5)


def closing_period_end(fiscal_year: int) -> date:
    """出納閉鎖: the last day on which ``fiscal_year`` may still be named (May 31 of the next calendar year)."""
    return date(fiscal_year + 1, 5, 31)


def spending_fiscal_year(decision_date: date, named: int | None) -> int:
    """The fiscal year a document decided on ``decision_date`` spends in.

    Args:
        decision_date: the local (JST) date of the decision (決裁日).
        named: the fiscal year the document names, or None for the year of ``decision_date``.

    Raises:
        ValueError: ``named`` is neither the decision date's fiscal year nor, during the 出納整理期間, the one before.
    """
    current = fiscal_year_of(decision_date)
    if named is None or named == current:
        return current
    if named == current - 1:
        if in_closing_period(decision_date):
            return named
        raise ValueError(
            f"{fiscal_year_label(named)} may be named only until its 出納閉鎖 on {closing_period_end(named)};"
            f" {decision_date} is in {fiscal_year_label(current)}"
        )
    if named > current:
        raise ValueError(f"{fiscal_year_label(named)} has not started on {decision_date}")
    raise ValueError(f"{fiscal_year_label(named)} was closed on {closing_period_end(named)}")


def fiscal_year_label(fiscal_year: int) -> str:
    """How a fiscal year is shown: 令和8年度 (2026), 令和元年度 (2019); years before 令和 as 2018年度."""
    if fiscal_year < REIWA_FIRST_YEAR:
        return f"{fiscal_year}年度"
    era_year = fiscal_year - REIWA_FIRST_YEAR + 1
    return f"令和{'元' if era_year == 1 else era_year}年度"
