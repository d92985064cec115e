"""休暇の残 (leave balances): whether a leave request fits what the person has left, before any approver sees it.

HR (人事給与) knows what it has been posted (decided leave); ringi adds the requests that are still pending, or
decided and not yet posted, so two requests submitted together cannot both spend the same days.  Balances are by
calendar year of the leave's start, as HR keeps them.

- 年次有給休暇: granted + carried over (繰越) − used − pending; 時間単位 hours count as hours / hours_per_day days
  and are also bounded by the yearly hour limit (5 days' hours);
- 特別休暇 with a yearly allowance (e.g. 夏季休暇): its own days;
- other kinds (病気休暇, 介護休暇 …) have no balance here: nothing is checked.

HR still refuses a posting after the decision if the balance changed meanwhile (the safety net).  Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.errors import ChainError
from schemas.general_affairs import LeaveBalances, LeaveDetails

#: A leave request counts against the balance from submit until HR holds it: pending, or decided not yet posted.
PENDING_STATUSES: frozenset[str] = frozenset({"in_review"})
UNPOSTED_DECIDED_STATUSES: frozenset[str] = frozenset({"approved", "circulating", "completed"})


@dataclass(frozen=True)
class LeaveVerdict:
    """The balance a request is held against: what remains before it (pending included) and whether it fits."""

    what: str  # 年次有給休暇, 時間単位の年次有給休暇, 夏季休暇 …
    unit: str  # 日 or 時間
    granted: float
    carried_over: float
    used: float  # posted to HR
    pending: float  # in ringi, not yet in HR
    remaining: float  # before this request
    requested: float
    reason: str = ""  # why it does not fit ("" : it fits)

    @property
    def allowed(self) -> bool:
        return not self.reason


def _n(value: float) -> str:
    return f"{round(value, 2):g}"


def _held(
    what: str, unit: str, *, granted: float, carried: float, used: float, pending: float, requested: float
) -> LeaveVerdict:
    remaining = granted + carried - used - pending
    reason = ""
    if requested > remaining + 1e-9:
        parts = [f"付与{_n(granted)}{unit}"]
        if carried:
            parts.append(f"繰越{_n(carried)}{unit}")
        parts += [f"取得済み{_n(used)}{unit}", f"申請中{_n(pending)}{unit}"]
        reason = (
            f"{what}の残りは{_n(max(remaining, 0))}{unit} ({'・'.join(parts)}) で、"
            f"申請{_n(requested)}{unit}は残りを超えます"
        )
    return LeaveVerdict(what, unit, granted, carried, used, pending, max(remaining, 0.0), requested, reason)


def held_against_a_balance(details: LeaveDetails) -> bool:
    """Whether HR keeps a balance the request is held against (年次有給休暇, a named 特別休暇)."""
    return details.kind == "annual" or (details.kind == "special" and bool(details.special_kind))


def verdicts(details: LeaveDetails, balances: LeaveBalances, pending: Iterable[LeaveDetails]) -> list[LeaveVerdict]:
    """The balances ``details`` is held against (none for kinds HR keeps no balance of), given the person's other
    requests ``pending`` in ringi (those of another calendar year are ignored)."""
    year = details.start.year
    others = [p for p in pending if p.start.year == year]
    per_day = balances.hourly.hours_per_day
    if details.kind == "special":
        special = next((s for s in balances.special if details.special_kind and s.kind == details.special_kind), None)
        if special is None:
            return []
        waiting = sum(p.days for p in others if p.kind == "special" and p.special_kind == special.kind)
        return [
            _held(
                special.name,
                "日",
                granted=special.granted_days,
                carried=0,
                used=special.used_days,
                pending=waiting,
                requested=details.days,
            )
        ]
    if details.kind != "annual":
        return []

    def as_days(leave: LeaveDetails) -> float:
        return leave.hours / per_day if leave.hours is not None else leave.days

    annual = balances.annual
    found = [
        _held(
            "年次有給休暇",
            "日",
            granted=annual.granted_days,
            carried=annual.carried_over_days,
            used=annual.used_days,
            pending=sum(as_days(p) for p in others if p.kind == "annual"),
            requested=as_days(details),
        )
    ]
    if details.hours is not None:
        hourly = balances.hourly
        found.insert(
            0,
            _held(
                "時間単位の年次有給休暇",
                "時間",
                granted=hourly.limit_hours,
                carried=0,
                used=hourly.used_hours,
                pending=sum(p.hours or 0 for p in others if p.kind == "annual"),
                requested=details.hours,
            ),
        )
    return found


def check(found: Iterable[LeaveVerdict]) -> None:
    """Refuse (``ChainError("invalid", …)``) a request beyond a balance, with the balance in the reason."""
    reasons = [v.reason for v in found if not v.allowed]
    if reasons:
        raise ChainError("invalid", "; ".join(reasons))
