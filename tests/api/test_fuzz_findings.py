"""What the schemathesis fuzz (tests/api/fuzz.py) found, each answered 4xx problem+json now (not 500/503/400)."""

from __future__ import annotations

from tests.api.support import ADMIN, DRAFTER, assert_problem
from tests.support.stack import Stack


async def test_a_huge_offset_is_refused_not_a_server_error(stack: Stack) -> None:
    """SQLite's driver overflowed on an offset past 64 bits (500)."""
    r = await stack.call(DRAFTER, "GET", "/v1/notifications", params={"offset": 294230557343230105485312})
    assert_problem(r, 422)
    assert (await stack.call(DRAFTER, "GET", "/v1/notifications", params={"offset": 2**31 - 1})).status_code == 200


async def test_month_zero_of_year_zero_is_refused(stack: Stack) -> None:
    """``date(0, 1, 1)`` raised (500)."""
    r = await stack.call(ADMIN, "GET", "/v1/reports/monthly.csv", params={"month": "0000-01"})
    assert_problem(r, 422)


async def test_a_huge_absence_id_is_refused_before_hr_is_asked(stack: Stack) -> None:
    """The id went to the HR system, which failed on it (503)."""
    assert_problem(await stack.call(ADMIN, "DELETE", "/v1/absences/18871476026591313920"), 422)


async def test_a_malformed_body_is_422_problem_json(stack: Stack) -> None:
    """FastAPI's body-parse failure (a body that is not UTF-8) was an undocumented 400; bad JSON was 422 already."""
    for content in (b'{"title": "\xff\xfe"}', b'{"title": '):
        r = await stack.call(
            DRAFTER, "POST", "/v1/documents", content=content, headers={"content-type": "application/json"}
        )
        assert_problem(r, 422)
