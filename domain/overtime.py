"""時間外勤務の上限 (overtime caps): a person's totals and whether one more order fits the rulebook's caps.

The caps are rulebook data (``schemas.rules.OvertimeLimits``), following 人事院規則15-14 第16条の2の2 as the
cities' rules do (福岡市, 堺市 …):

- 一般 sections: at most 45 hours a month and 360 hours a 年度;
- sections designated 他律的 (by 人事課, effective-dated): under 100 hours a month, at most 720 a 年度, at most
  80 hours on average over any 2 to 6 consecutive months, and more than 45 hours in at most 6 months of the 年度;
- 特例業務 (e.g. 大規模災害への対処) may exceed them, with its reason recorded; it is decided at the level the
  rulebook names and listed for 人事課's yearly review (the rules require the later analysis).

Totals are the person's, whatever section ordered the hours: they follow the person across a transfer within
the 年度.  They count every order that is submitted and undecided (pending) or decided (``COUNTED_STATUSES``).

Pure: entries in, totals and a verdict out; the month named 今月 only when the caller says what today is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.errors import ChainError
from domain.fiscal import fiscal_year_label, fiscal_year_of
from domain.general_affairs import COUNTED_STATUSES
from schemas.rules import OvertimeLimits

__all__ = ["COUNTED_STATUSES", "HourEntry", "OvertimeTotals", "OvertimeVerdict", "check", "totals", "verdict"]

#: Sums are rounded to this many decimals before they meet a cap (0.1 + 0.2 is 0.3 here).
_PLACES = 6

Month = tuple[int, int]  # (year, month)


@dataclass(frozen=True)
class HourEntry:
    """One order's hours on its work date; ``pending``: submitted, not yet decided."""

    work_date: date
    hours: float
    document_id: str = ""
    pending: bool = False


@dataclass(frozen=True)
class WindowAverage:
    """The highest average over ``months`` consecutive months that include the month asked about."""

    months: int
    first: Month
    last: Month
    average: float


@dataclass(frozen=True)
class OvertimeTotals:
    """A person's hours around one month: the month, its 年度, the 2–N month averages, the months over the line."""

    month: Month
    month_hours: float
    pending_month_hours: float  # of which pending
    fiscal_year: int
    year_hours: float
    averages: tuple[WindowAverage, ...]
    months_over: int  # months of the 年度 with more than ``over_hours``
    over_hours: float


@dataclass(frozen=True)
class Breach:
    """One cap an order would exceed: which (month / year / average / months_over), its limit, and why in words."""

    cap: str
    limit: float
    message: str


@dataclass(frozen=True)
class OvertimeVerdict:
    """The totals before and with an order, the caps it would exceed, and whether it may go ahead anyway."""

    limit_class: str
    before: OvertimeTotals
    after: OvertimeTotals
    breaches: tuple[Breach, ...]
    special_case: bool = False  # 特例業務: the caps do not stop it

    @property
    def allowed(self) -> bool:
        return not self.breaches or self.special_case

    @property
    def reason(self) -> str:
        return "; ".join(b.message for b in self.breaches)


def month_of(day: date) -> Month:
    return (day.year, day.month)


def _shift(month: Month, by: int) -> Month:
    index = month[0] * 12 + (month[1] - 1) + by
    return (index // 12, index % 12 + 1)


def _fiscal_months(fiscal_year: int) -> list[Month]:
    return [_shift((fiscal_year, 4), i) for i in range(12)]


def _label(month: Month, today: date | None) -> str:
    if today is not None and month_of(today) == month:
        return "今月"
    return f"{month[0]}年{month[1]}月"


def _h(hours: float) -> str:
    """Hours as written: 44, 2.5, 80.33."""
    return f"{round(hours, 2):g}"


def limit_class_of(limits: OvertimeLimits, org_unit: str, on: date) -> str:
    """The class (一般 / 他律的) of ``org_unit`` on ``on``: the last designation covering it, else 一般."""
    covering = [d for d in limits.designations if d.covers(org_unit, on)]
    return covering[-1].limit_class if covering else "general"


def totals(
    entries: Iterable[HourEntry], day: date, *, over_hours: float = 45, average_months: int = 6
) -> OvertimeTotals:
    """The person's totals around the month of ``day`` from all their counted ``entries``."""
    by_month: dict[Month, float] = defaultdict(float)
    pending: dict[Month, float] = defaultdict(float)
    for entry in entries:
        by_month[month_of(entry.work_date)] += entry.hours
        if entry.pending:
            pending[month_of(entry.work_date)] += entry.hours
    by_month = defaultdict(float, {m: round(h, _PLACES) for m, h in by_month.items()})
    month = month_of(day)
    fiscal_year = fiscal_year_of(day)
    fiscal = _fiscal_months(fiscal_year)
    averages = []
    for length in range(2, average_months + 1):
        windows = [[_shift(month, start + i) for i in range(length)] for start in range(-length + 1, 1)]
        best = max(windows, key=lambda w: sum(by_month.get(m, 0.0) for m in w))
        averages.append(WindowAverage(length, best[0], best[-1], sum(by_month.get(m, 0.0) for m in best) / length))
    return OvertimeTotals(
        month=month,
        month_hours=by_month.get(month, 0.0),
        pending_month_hours=pending.get(month, 0.0),
        fiscal_year=fiscal_year,
        year_hours=round(sum(by_month.get(m, 0.0) for m in fiscal), _PLACES),
        averages=tuple(averages),
        months_over=sum(1 for m in fiscal if by_month.get(m, 0.0) > over_hours),
        over_hours=over_hours,
    )


def verdict(
    limits: OvertimeLimits,
    *,
    limit_class: str,
    entries: Iterable[HourEntry],
    work_date: date,
    hours: float,
    special_case: bool = False,
    today: date | None = None,
) -> OvertimeVerdict:
    """Whether an order of ``hours`` on ``work_date`` fits the caps of ``limit_class``, given the person's other
    counted ``entries`` (pending and decided, this order not among them)."""
    caps = limits.caps(limit_class)
    over = caps.over_hours if caps.over_hours is not None else 45.0
    others = list(entries)
    before = totals(others, work_date, over_hours=over, average_months=caps.average_months)
    after = totals(
        [*others, HourEntry(work_date, hours, pending=True)],
        work_date,
        over_hours=over,
        average_months=caps.average_months,
    )
    month = _label(after.month, today)
    ordered = f"{month}の時間外勤務は{_h(before.month_hours)}時間、申請{_h(hours)}時間で"
    breaches: list[Breach] = []
    if caps.month_at_most is not None and after.month_hours > caps.month_at_most:
        breaches.append(Breach("month", caps.month_at_most, f"{ordered}上限{_h(caps.month_at_most)}時間を超えます"))
    if caps.month_below is not None and after.month_hours >= caps.month_below:
        breaches.append(
            Breach(
                "month",
                caps.month_below,
                f"{ordered}{_h(after.month_hours)}時間となり、上限 ({_h(caps.month_below)}時間未満) を超えます",
            )
        )
    if after.year_hours > caps.year_at_most:
        year = fiscal_year_label(after.fiscal_year)
        breaches.append(
            Breach(
                "year",
                caps.year_at_most,
                f"{year}の時間外勤務は{_h(before.year_hours)}時間、申請{_h(hours)}時間で上限"
                f"{_h(caps.year_at_most)}時間を超えます",
            )
        )
    if caps.average_at_most is not None:
        worst = max(after.averages, key=lambda a: a.average)
        if worst.average > caps.average_at_most:
            breaches.append(
                Breach(
                    "average",
                    caps.average_at_most,
                    f"{_label(worst.first, today)}から{_label(worst.last, today)}までの{worst.months}箇月の平均は"
                    f"申請{_h(hours)}時間を含めて{_h(worst.average)}時間となり、上限{_h(caps.average_at_most)}"
                    "時間を超えます",
                )
            )
    if (
        caps.over_months_at_most is not None
        and after.month_hours > over
        and after.months_over > caps.over_months_at_most
    ):
        year = fiscal_year_label(after.fiscal_year)
        breaches.append(
            Breach(
                "months_over",
                caps.over_months_at_most,
                f"{year}に{_h(over)}時間を超える月は既に{before.months_over}箇月あり、申請{_h(hours)}時間で"
                f"{month}が{after.months_over}箇月目となり、上限{caps.over_months_at_most}箇月を超えます",
            )
        )
    return OvertimeVerdict(limit_class, before, after, tuple(breaches), special_case=special_case)


def check(result: OvertimeVerdict) -> None:
    """Refuse (``ChainError("invalid", …)``) an order that exceeds a cap and is not 特例業務."""
    if not result.allowed:
        raise ChainError(
            "invalid",
            f"{result.reason}。大規模災害への対処など特例業務であれば、その旨と理由 (special_case_reason) を"
            "記して申請してください",
        )
