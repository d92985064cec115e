"""庶務 request details validate on their own: dates in order, no zero days, at most 24 hours, known kinds."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from schemas.general_affairs import AffairDetails, LeaveDetails, OvertimeDetails, TripDetails

DETAILS: TypeAdapter[AffairDetails] = TypeAdapter(AffairDetails)


def leave(**overrides: Any) -> dict[str, Any]:
    return {"matter": "leave", "kind": "annual", "start": "2027-04-05", "end": "2027-04-06", "days": 2, **overrides}


def overtime(**overrides: Any) -> dict[str, Any]:
    return {
        "matter": "overtime",
        "work_date": "2027-04-05",
        "start_time": "17:30",
        "end_time": "20:30",
        "hours": 3,
        "reason": "予算資料の作成",
        **overrides,
    }


def trip(**overrides: Any) -> dict[str, Any]:
    return {
        "matter": "trip",
        "destination": "山口県庁",
        "purpose": "研修",
        "start": "2027-04-05",
        "end": "2027-04-05",
        "days": 1,
        **overrides,
    }


def test_the_matter_picks_the_model() -> None:
    assert isinstance(DETAILS.validate_python(leave(days=0.5, end="2027-04-05")), LeaveDetails)
    assert isinstance(DETAILS.validate_python(overtime()), OvertimeDetails)
    assert isinstance(DETAILS.validate_python(trip()), TripDetails)


@pytest.mark.parametrize(
    ("details", "reason"),
    [
        (leave(end="2027-04-04"), "end is before start"),
        (leave(days=0), "greater than 0"),
        (leave(days=3), "exceed the 2 day(s)"),
        (leave(days=1.3), "multiple of 0.5"),
        (leave(kind="vacation"), "'annual'"),
        (overtime(hours=25), "less than or equal to 24"),
        (overtime(hours=0), "greater than 0"),
        (overtime(hours=4), "exceed the 3 hours"),
        (overtime(end_time="17:30"), "end_time equals start_time"),
        (overtime(emergency=True), "emergency_reason"),
        (overtime(reason=""), "at least 1 character"),
        (trip(end="2027-04-01"), "end is before start"),
        (trip(days=0), "greater than or equal to 1"),
        (trip(days=2), "exceed the 1 day(s)"),
        (trip(destination=""), "at least 1 character"),
        ({"matter": "bonus"}, "does not match any of the expected tags"),
        (leave(extra="x"), "Extra inputs are not permitted"),
    ],
)
def test_bad_details_are_refused_with_a_reason(details: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationError) as error:
        DETAILS.validate_python(details)
    assert reason in str(error.value)


def test_overtime_may_run_past_midnight() -> None:
    night = OvertimeDetails.model_validate(overtime(start_time="22:00", end_time="02:00", hours=4))
    assert night.span_hours == 4
    assert night.work_date == date(2027, 4, 5) and night.end_time == time(2, 0)
