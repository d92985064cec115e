"""庶務 (leave, overtime, trip) rules: what a request carries, 事前命令, and the month's overtime total.

- A 庶務 request carries details of its own matter and no amount or budget code; other matters carry no details.
- 時間外勤務 must be ordered before the work (事前命令): a request whose hours have begun is refused at submit
  unless flagged 緊急 with a reason.
- A person's overtime in one calendar month (pending and decided requests, this one included) is the total the
  rulebook bands (月20時間を超えるもの: 部長); which requests count is ``statuses.PURSUED``.
- The caps (上限: 月45時間・年360時間, 他律的 100/720/80/6) are ``domain.overtime``; leave balances ``domain.leave``.

Refusals raise ``ChainError("invalid", …)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from domain.errors import ChainError
from domain.statuses import PURSUED
from schemas.general_affairs import AFFAIR_MATTERS, AffairDetails, OvertimeDetails

#: 日本標準時: overtime hours are written in local time (Japan keeps no daylight saving, so the offset is fixed).
JAPAN = timezone(timedelta(hours=9), "JST")
#: Overtime requests that count towards the month: pending (回議中) and decided ones.
COUNTED_STATUSES: frozenset[str] = PURSUED


def check_details(matter: str, details: AffairDetails | None) -> None:
    """Details fit the document's matter: a 庶務 request has its own, any other document none."""
    if matter not in AFFAIR_MATTERS:
        if details is not None:
            raise ChainError("invalid", f"details: a {matter} document has no details")
    elif details is None or details.matter != matter:
        raise ChainError("invalid", f"details: a {matter} request needs details with matter {matter!r}")


def check_no_money(matter: str, *, amount_yen: int | None, budget_code: str | None) -> None:
    """A 庶務 request spends nothing: no amount, no budget code."""
    if matter in AFFAIR_MATTERS and (amount_yen or budget_code):
        raise ChainError("invalid", f"a {matter} request carries no amount_yen or budget_code")


def check_ordered_in_advance(details: OvertimeDetails, now: datetime) -> None:
    """事前命令: the order must come before the work, unless it is an emergency (緊急) with its reason."""
    starts_at = details.starts_at(JAPAN)
    if starts_at <= now and not details.emergency:
        raise ChainError(
            "invalid",
            f"overtime must be ordered before the work (事前命令): it starts at {starts_at:%Y-%m-%d %H:%M}, "
            "which has passed; flag it as an emergency (緊急) with an emergency_reason if it could not be ordered "
            "in advance",
        )


def month_total_hours(details: OvertimeDetails, others: Iterable[OvertimeDetails]) -> float:
    """The hours of ``details`` plus those of ``others`` (the person's other counted requests) in its month."""
    month = (details.work_date.year, details.work_date.month)
    return details.hours + sum(o.hours for o in others if (o.work_date.year, o.work_date.month) == month)
