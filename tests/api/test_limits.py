"""庶務 limits through the API (SQLite and PostgreSQL): the 時間外勤務 caps at submit and resubmit with the
numbers in the reason, the totals following the person across a transfer, 特例業務 with and without its reason
and 人事課's list of them, and a leave beyond HR's balance refused before any approver sees it.

The person's other orders are written straight into the read model (decided, or pending), as the workflow's
projection would have left them; each test drafts as its own staff member (the database is the package's).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from core.calendar import JST
from db.session import create_engine, create_sessionmaker
from domain.fiscal import fiscal_year_of
from tests.api.support import assert_problem
from tests.api.test_general_affairs import create, drafted, leave, overtime, route, staff_of, submit
from tests.support.documents import document_row
from tests.support.paging import every_item
from tests.support.stack import CITY, Stack, holder

TODAY = datetime.now(JST).date()
#: A month wholly ahead (事前命令: an order comes before the work), and the 年度 it falls in.
AHEAD = (TODAY.replace(day=1) + timedelta(days=62)).replace(day=1)
FY = fiscal_year_of(AHEAD)
#: 財政課 (designated 他律的 in the demo rulebook, 例示): everyone but the 課長, one per test case.
ZAISEI = [a.staff_id for a in CITY.assignments if a.org_unit_code == "somu.zaisei" and a.post_code != "manager"]


def in_fy(month: int, day: int = 1) -> date:
    """A day of month ``month`` of the 年度 of ``AHEAD``."""
    return date(FY if month >= 4 else FY + 1, month, day)


async def ordered(
    stack: Stack, staff_id: str, unit: str, hours: Mapping[date, float], status: str = "approved"
) -> None:
    """Orders of ``staff_id`` drafted in ``unit`` (maybe a former section), as the workflow's projection leaves
    them: one row per work date."""
    engine = create_engine(stack.settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            for day, total in hours.items():
                while total > 0:  # orders of at most 12 hours (the helper's order spans 14)
                    h, total = min(total, 12), total - min(total, 12)
                    session.add(
                        document_row(
                            title="時間外勤務命令",
                            matter="overtime",
                            status=status,
                            org_unit=unit,
                            drafter_id=staff_id,
                            details=overtime(day, h),
                            submitted_at=datetime.now(UTC),
                        )
                    )
    finally:
        await engine.dispose()


async def limits_of(stack: Stack, staff_id: str, document_id: str) -> dict[str, Any]:
    r = await stack.call(staff_id, "GET", f"/v1/documents/{document_id}/limits")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def refused_at_submit(stack: Stack, staff_id: str, details: dict[str, Any]) -> str:
    """Submit ``details``: 422 with a reason, and nothing happened (a draft still, no route, nobody asked)."""
    doc = await drafted(stack, staff_id, details)
    problem = assert_problem(await submit(stack, staff_id, doc["id"]), 422)
    after = (await stack.call(staff_id, "GET", f"/v1/documents/{doc['id']}")).json()
    assert (after["status"], after["steps"], after["submitted_at"]) == ("draft", [], None)
    return str(problem["detail"])


async def fits(stack: Stack, staff_id: str, details: dict[str, Any]) -> dict[str, Any]:
    """A draft whose limits say it may be submitted (the same verdict submit applies)."""
    doc = await drafted(stack, staff_id, details)
    limits = await limits_of(stack, staff_id, doc["id"])
    assert limits["overtime"]["allowed"], limits["overtime"]["exceeded"]
    return limits


# --- 一般 ----------------------------------------------------------------------------------------------------


async def test_general_caps_of_month_and_year_at_their_boundaries(stack: Stack) -> None:
    person, unit = staff_of("suido.gyomu"), "suido.gyomu"
    await ordered(stack, person, unit, {AHEAD: 24})
    await ordered(stack, person, unit, {AHEAD + timedelta(days=1): 20}, status="in_review")  # pending counts
    month = f"{AHEAD.year}年{AHEAD.month}月"
    limits = await fits(stack, person, overtime(AHEAD + timedelta(days=2), 1))  # 45
    assert (limits["overtime"]["limit_class"], limits["overtime"]["caps"]["month_at_most"]) == ("general", 45)
    totals = limits["overtime"]["with_request"]
    assert (totals["month_hours"], totals["pending_month_hours"], totals["fiscal_year"]) == (45, 21, FY)
    reason = await refused_at_submit(stack, person, overtime(AHEAD + timedelta(days=2), 2))  # 46
    assert f"{month}の時間外勤務は44時間、申請2時間で上限45時間を超えます" in reason

    person = staff_of("suido.gyomu", 1)
    others = [m for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3) if m != AHEAD.month][:8]
    await ordered(stack, person, unit, {in_fy(m): 40 for m in others} | {AHEAD: 27})  # 347
    assert (await fits(stack, person, overtime(AHEAD + timedelta(days=3), 13)))["overtime"]["with_request"][
        "year_hours"
    ] == 360
    reason = await refused_at_submit(stack, person, overtime(AHEAD + timedelta(days=3), 14))  # 361
    assert "の時間外勤務は347時間、申請14時間で上限360時間を超えます" in reason


# --- 他律的 (財政課, 例示) -------------------------------------------------------------------------------------


async def test_other_driven_caps_at_their_boundaries(stack: Stack) -> None:
    unit = "somu.zaisei"
    person = ZAISEI[0]
    await ordered(stack, person, unit, {AHEAD: 24, AHEAD + timedelta(days=1): 24, AHEAD + timedelta(days=2): 24})
    await ordered(stack, person, unit, {AHEAD + timedelta(days=3): 22})  # 94
    limits = await fits(stack, person, overtime(AHEAD + timedelta(days=4), 5))  # 99
    assert limits["overtime"]["limit_class"] == "other_driven"
    reason = await refused_at_submit(stack, person, overtime(AHEAD + timedelta(days=4), 6))  # 100
    assert "94時間、申請6時間で100時間となり、上限 (100時間未満) を超えます" in reason

    # 80 hours on average over 2 months: 90 the month before, 70 fits, 71 does not
    person = ZAISEI[1]
    before = (AHEAD - timedelta(days=1)).replace(day=1)
    await ordered(stack, person, unit, {before: 24, before + timedelta(1): 24, before + timedelta(2): 24})
    await ordered(stack, person, unit, {before + timedelta(3): 18, AHEAD: 24, AHEAD + timedelta(1): 24})
    await ordered(stack, person, unit, {AHEAD + timedelta(2): 12})  # 90, then 60 in AHEAD
    await fits(stack, person, overtime(AHEAD + timedelta(days=3), 10))
    reason = await refused_at_submit(stack, person, overtime(AHEAD + timedelta(days=3), 11))
    assert "2箇月の平均は申請11時間を含めて80.5時間となり、上限80時間を超えます" in reason


async def test_other_driven_year_and_the_seventh_month_over_45(stack: Stack) -> None:
    unit = "somu.zaisei"
    others = [m for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3) if m != AHEAD.month]
    person = ZAISEI[2]
    # six months over 45 (50 each) in the 年度 already: 45 more in AHEAD fits, 46 is the seventh
    await ordered(stack, person, unit, {in_fy(m, d): 25 for m in others[:6] for d in (1, 2)})
    await ordered(stack, person, unit, {AHEAD: 24, AHEAD + timedelta(days=1): 20})
    await fits(stack, person, overtime(AHEAD + timedelta(days=2), 1))
    reason = await refused_at_submit(stack, person, overtime(AHEAD + timedelta(days=2), 2))
    assert "45時間を超える月は既に6箇月あり、申請2時間で" in reason and "7箇月目となり、上限6箇月を超えます" in reason

    # 720 a 年度: six months of 80 and five of 40 (680), AHEAD 39: one hour fits, two do not
    person = ZAISEI[3]
    heavy = {in_fy(m): 80.0 for m in others[:6]}
    light = {in_fy(m): 40.0 for m in others[6:]}
    await ordered(stack, person, unit, heavy | light | {AHEAD: 39})
    assert (await fits(stack, person, overtime(AHEAD + timedelta(days=2), 1)))["overtime"]["with_request"][
        "year_hours"
    ] == 720
    reason = await refused_at_submit(stack, person, overtime(AHEAD + timedelta(days=2), 2))
    assert "の時間外勤務は719時間、申請2時間で上限720時間を超えます" in reason


# --- the person, resubmit, 特例業務 ------------------------------------------------------------------------


async def test_totals_follow_the_person_across_a_transfer(stack: Stack) -> None:
    person = staff_of("kyoiku.shogai")
    former = "kyoiku.bunka"  # the section the person ordered hours in before the transfer (within the 年度)
    await ordered(stack, person, former, {AHEAD: 24, AHEAD + timedelta(days=1): 20})
    doc = await drafted(stack, person, overtime(AHEAD + timedelta(days=2), 2))
    limits = await limits_of(stack, person, doc["id"])
    assert limits["overtime"]["without_request"]["month_hours"] == 44
    assert not limits["overtime"]["allowed"] and "44時間、申請2時間で上限45時間" in limits["overtime"]["exceeded"][0]
    assert (
        "44時間、申請2時間で上限45時間を超えます"
        in assert_problem(await submit(stack, person, doc["id"]), 422)["detail"]
    )


async def test_a_resubmit_beyond_a_cap_is_refused(stack: Stack) -> None:
    person, unit = staff_of("doboku.kenchiku"), "doboku.kenchiku"
    doc = await drafted(stack, person, overtime(AHEAD + timedelta(days=5), 5))
    r = await submit(stack, person, doc["id"])
    assert r.status_code == 200, r.text
    await stack.ok(holder(unit, "manager"), doc["id"], "send_back", comment="理由を具体的に")
    await ordered(stack, person, unit, {AHEAD: 24, AHEAD + timedelta(days=1): 17})  # 41 + 5 = 46
    refused = assert_problem(await stack.act(person, doc["id"], "resubmit"), 422)
    assert "41時間、申請5時間で上限45時間を超えます" in refused["detail"]
    assert (await stack.call(person, "GET", f"/v1/documents/{doc['id']}")).json()["status"] == "sent_back"


async def test_a_special_case_needs_its_reason_exceeds_the_caps_and_is_listed_for_jinji(stack: Stack) -> None:
    person, unit = staff_of("doboku.doboku"), "doboku.doboku"
    no_reason = await create(stack, person, overtime(AHEAD + timedelta(days=2), 10, special_case=True))
    assert "special_case_reason" in assert_problem(no_reason, 422)["detail"]

    await ordered(stack, person, unit, {AHEAD: 24, AHEAD + timedelta(days=1): 20})
    reason = "台風による河川氾濫の応急対策 (大規模災害への対処)"
    special = overtime(AHEAD + timedelta(days=2), 10, special_case=True, special_case_reason=reason)
    doc = await drafted(stack, person, special)
    limits = await limits_of(stack, person, doc["id"])
    assert limits["overtime"]["special_case"] and limits["overtime"]["allowed"] and limits["overtime"]["exceeded"]
    r = await submit(stack, person, doc["id"])
    assert r.status_code == 200, r.text
    assert route(r.json())[-1] == ("decide", holder("executive", "deputy_mayor"))  # the rulebook's level

    jinji = holder("somu.jinji", "chief")  # 人事担当 (hr_admin); a 主事 of 人事課 is not
    path = f"/v1/reports/overtime-special-cases?fiscal_year={FY}"
    listed = (await stack.call(jinji, "GET", path)).json()["items"]
    (mine,) = [c for c in listed if c["document_id"] == doc["id"]]
    assert (mine["staff_id"], mine["hours"], mine["special_case_reason"], mine["status"]) == (
        person,
        10,
        reason,
        "in_review",
    )
    assert [
        c
        for c in (await stack.call(jinji, "GET", f"{path[:-4]}{FY + 1}")).json()["items"]
        if c["document_id"] == doc["id"]
    ] == []
    assert_problem(await stack.call(person, "GET", path), 403)
    assert_problem(await stack.call(holder("somu.jinji", "staff"), "GET", path), 403)


# --- leave balances ----------------------------------------------------------------------------------------


async def grant(hr_url: str, staff_id: str, **grants: Any) -> None:
    async with httpx.AsyncClient(base_url=hr_url) as hr:
        r = await hr.put(f"/admin/leave-grants/{staff_id}", json={"year": 2031, **grants})
        assert r.status_code == 204, r.text


async def test_a_leave_beyond_the_balance_is_refused_before_any_approver_sees_it(stack: Stack, hr_url: str) -> None:
    person, unit = staff_of("suido.josui"), "suido.josui"
    await grant(hr_url, person, annual_days=20, carried_over_days=2)
    pending = await drafted(stack, person, leave(2))
    assert (await submit(stack, person, pending["id"])).status_code == 200
    doc = await drafted(stack, person, leave(21))
    limits = await limits_of(stack, person, doc["id"])
    (held,) = limits["leave"]["held"]
    assert (held["granted"], held["carried_over"], held["pending"], held["remaining"]) == (20, 2, 2, 20)
    assert limits["leave"]["balances"]["annual"]["carried_over_days"] == 2 and not limits["leave"]["allowed"]

    refused = assert_problem(await submit(stack, person, doc["id"]), 422)
    assert refused["detail"] == (
        "年次有給休暇の残りは20日 (付与20日・繰越2日・取得済み0日・申請中2日) で、申請21日は残りを超えます"
    )
    after = (await stack.call(person, "GET", f"/v1/documents/{doc['id']}")).json()
    assert (after["status"], after["steps"]) == ("draft", [])
    for approver in (holder(unit, "manager"), holder("suido", "director")):
        assert doc["id"] not in {i["document_id"] for i in await every_item(stack, approver, "/v1/inbox")}

    summer = leave(3, kind="special") | {"special_kind": "summer"}
    await grant(hr_url, person, special={"summer": 2})
    assert "夏季休暇の残りは2日" in await refused_at_submit(stack, person, summer)
    hourly = {**leave(1), "end": "2031-07-01", "hours": 7.75}
    assert (await limits_of(stack, person, (await drafted(stack, person, hourly))["id"]))["leave"]["allowed"]


async def test_without_hr_a_leave_submit_is_503_and_nothing_happens(stack: Stack, hr_url: str) -> None:
    person = staff_of("suido.gesui")
    doc = await drafted(stack, person, leave(1))
    async with httpx.AsyncClient(base_url=hr_url) as hr:
        await hr.post("/admin/faults", json={"fail_next": 3, "status": 503})
        try:
            r = await submit(stack, person, doc["id"])
        finally:
            await hr.delete("/admin/faults")
    assert "leave balance" in assert_problem(r, 503)["detail"]
    assert (await stack.call(person, "GET", f"/v1/documents/{doc['id']}")).json()["status"] == "draft"
