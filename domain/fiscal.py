"""年度 (fiscal year): April 1 – March 31, named after the calendar year it starts in (FY2026 = 令和8年度).

After a fiscal year ends, its books stay open for two months, the 出納整理期間 (地方自治法 第235条の5: 出納は
翌年度の5月31日をもって閉鎖する).  During April 1 – May 31 a document may therefore name the previous fiscal year;
at any other time it spends in the fiscal year of its decision date.

Pure and deterministic: no clock, no I/O.
"""

from __future__ import annotations

from datetime import date, datetime

from domain.era import fiscal_year_label as _era_fiscal_year_label
from domain.era import jst_date


def fiscal_year_of(d: date) -> int:
    """The fiscal year ``d`` falls in: 2027-03-31 -> 2026, 2027-04-01 -> 2027."""
    return d.year if d.month >= 4 else d.year - 1


def fiscal_year_at(at: datetime) -> int:
    """The fiscal year of the instant ``at`` (timezone-aware): it rolls over at midnight JST between March 31
    and April 1, so 2027-03-31T14:59:59Z is still FY2026 and 2027-03-31T15:00Z is FY2027."""
    return fiscal_year_of(jst_date(at))


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
    """How a fiscal year is shown: 令和8年度 (2026), 令和元年度 (2019), 平成30年度 (2018) — see ``domain.era``."""
    return _era_fiscal_year_label(fiscal_year)
