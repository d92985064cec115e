"""休暇の残: a leave request is held against HR's balance less the requests HR does not hold yet."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain import leave
from domain.errors import ChainError
from schemas.general_affairs import (
    AnnualLeaveBalance,
    HourlyLeaveBalance,
    LeaveBalances,
    LeaveDetails,
    SpecialLeaveBalance,
)

DAY = date(2031, 7, 1)


def balances(*, used: float = 3, carried: float = 4, hours_used: float = 0, summer_used: float = 0) -> LeaveBalances:
    return LeaveBalances(
        staff_id="s1",
        year=DAY.year,
        annual=AnnualLeaveBalance(
            granted_days=20, carried_over_days=carried, used_days=used, remaining_days=20 + carried - used
        ),
        hourly=HourlyLeaveBalance(
            hours_per_day=7.75, limit_hours=38.75, used_hours=hours_used, remaining_hours=38.75 - hours_used
        ),
        special=(
            SpecialLeaveBalance(
                kind="summer", name="夏季休暇", granted_days=5, used_days=summer_used, remaining_days=5 - summer_used
            ),
        ),
    )


def request(days: float, **kw: Any) -> LeaveDetails:
    start = kw.pop("start", DAY)
    end = kw.pop("end", start if kw.get("hours") else date(start.year, 12, 31))
    return LeaveDetails(kind=kw.pop("kind", "annual"), start=start, end=end, days=days, **kw)


def test_annual_leave_with_carry_over_and_pending_requests() -> None:
    pending = [request(5), request(9, start=date(2032, 1, 5))]  # the other year's request does not count
    (fits,) = leave.verdicts(request(16), balances(), pending)
    assert fits.allowed and (fits.remaining, fits.pending) == (16, 5)
    (beyond,) = leave.verdicts(request(16.5), balances(), pending)
    assert beyond.reason == (
        "年次有給休暇の残りは16日 (付与20日・繰越4日・取得済み3日・申請中5日) で、申請16.5日は残りを超えます"
    )
    with pytest.raises(ChainError, match="残りは16日") as refused:
        leave.check([beyond])
    assert refused.value.kind == "invalid"


def test_hourly_leave_up_to_the_yearly_hour_limit() -> None:
    hourly = request(1, hours=8)
    found = leave.verdicts(hourly, balances(hours_used=30.75), [])
    assert [v.what for v in found] == ["時間単位の年次有給休暇", "年次有給休暇"]
    assert all(v.allowed for v in found)  # 38.75 − 30.75 = 8 hours left
    over = leave.verdicts(hourly, balances(hours_used=31), [request(1, hours=0.5)])
    assert not over[0].allowed and over[1].allowed
    assert "時間単位の年次有給休暇の残りは7.25時間" in over[0].reason
    # hours count as days against the annual balance too (8 / 7.75 days)
    few_days = leave.verdicts(hourly, balances(used=24, carried=4.5), [])
    assert [v.allowed for v in few_days] == [True, False]


def test_special_leave_by_its_kind_and_kinds_without_a_balance() -> None:
    summer = request(2, kind="special", special_kind="summer")
    (fits,) = leave.verdicts(summer, balances(summer_used=2), [request(1, kind="special", special_kind="summer")])
    assert fits.allowed and fits.remaining == 2
    (beyond,) = leave.verdicts(summer, balances(summer_used=4), [])
    assert beyond.reason == "夏季休暇の残りは1日 (付与5日・取得済み4日・申請中0日) で、申請2日は残りを超えます"
    assert leave.verdicts(request(3, kind="sick"), balances(), []) == []
    assert leave.verdicts(request(3, kind="special"), balances(), []) == []  # no kind named: no allowance


def test_which_requests_are_held_against_a_balance() -> None:
    assert leave.held_against_a_balance(request(1))
    assert leave.held_against_a_balance(request(1, kind="special", special_kind="summer"))
    assert not leave.held_against_a_balance(request(1, kind="special"))
    assert not leave.held_against_a_balance(request(1, kind="sick"))
