"""庶務 requests through the API: details validated, deciders by days, overtime ordered in advance and counted by
the month, and the decided request posted to 人事給与 once (or its refusal shown and notified).

Each test drafts as its own staff member, so the monthly overtime totals and HR's leave balance of one test are
not another's (the HR stub is shared by the session, the database by the package).
"""

from __future__ import annotations

import asyncio
import time
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from core.calendar import JST
from tests.api.support import assert_problem
from tests.support.paging import every_item
from tests.support.stack import CITY, Stack, holder


def staff_of(unit: str, n: int = 0) -> str:
    """The ``n``-th 主事 of an org unit in the demo city."""
    return [a.staff_id for a in CITY.assignments if a.org_unit_code == unit and a.post_code == "staff"][n]


def leave(days: float, *, start: date = date(2031, 7, 1), kind: str = "annual") -> dict[str, Any]:
    return {
        "matter": "leave",
        "kind": kind,
        "start": start.isoformat(),
        "end": (start + timedelta(days=30)).isoformat(),
        "days": days,
    }


def trip(days: int) -> dict[str, Any]:
    start = date(2031, 8, 1)
    return {
        "matter": "trip",
        "destination": "総務省 (東京都千代田区)",
        "purpose": "地方財政に関する説明会",
        "start": start.isoformat(),
        "end": (start + timedelta(days=days - 1)).isoformat(),
        "days": days,
    }


def overtime(work_date: date, hours: float, **overrides: Any) -> dict[str, Any]:
    return {
        "matter": "overtime",
        "work_date": work_date.isoformat(),
        "start_time": "08:00",
        "end_time": "22:00",
        "hours": hours,
        "reason": "議会答弁資料の作成",
        **overrides,
    }


async def create(stack: Stack, drafter: str, details: dict[str, Any], **overrides: Any) -> httpx.Response:
    body = {
        "title": "庶務申請",
        "matter": details["matter"],
        "amount_yen": 0,
        "details": details,
        **overrides,
    }
    return await stack.call(drafter, "POST", "/v1/documents", json=body)


async def drafted(stack: Stack, drafter: str, details: dict[str, Any]) -> dict[str, Any]:
    r = await create(stack, drafter, details)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def submit(stack: Stack, drafter: str, document_id: str) -> httpx.Response:
    return await stack.call(drafter, "POST", f"/v1/documents/{document_id}/submit")


async def submitted(stack: Stack, drafter: str, details: dict[str, Any]) -> dict[str, Any]:
    doc = await drafted(stack, drafter, details)
    r = await submit(stack, drafter, doc["id"])
    assert r.status_code == 200, r.text
    return dict(r.json())


def route(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(stage kind, assignee) in order."""
    return [(s["stage_kind"], s["assignee_id"]) for s in sorted(doc["steps"], key=lambda s: s["stage_index"])]


async def decide_reason(stack: Stack, drafter: str, document_id: str) -> str:
    r = await stack.call(drafter, "POST", f"/v1/documents/{document_id}/route-preview")
    assert r.status_code == 200, r.text
    return str(r.json()["stages"][-1]["reason"])


async def hr_settled(stack: Stack, drafter: str, document_id: str) -> dict[str, Any]:
    """The document once its posting to 人事給与 has an outcome."""
    deadline = time.monotonic() + 60
    while True:
        doc = (await stack.call(drafter, "GET", f"/v1/documents/{document_id}")).json()
        if doc["hr"]["state"] != "none":
            return dict(doc)
        assert time.monotonic() < deadline, f"never posted to HR: {doc['status']} {doc['hr']}"
        await asyncio.sleep(0.1)


# --- validation ----------------------------------------------------------------------------------------------


async def test_bad_requests_are_refused_with_a_reason(stack: Stack) -> None:
    drafter = staff_of("fukushi.shakai")
    cases: list[tuple[dict[str, Any], dict[str, Any], str]] = [
        ({**leave(2), "end": "2031-06-30"}, {}, "end is before start"),
        (leave(0), {}, "greater than 0"),
        (leave(2, kind="vacation"), {}, "annual"),
        (overtime(date(2031, 7, 1), 25), {}, "less than or equal to 24"),
        (overtime(date(2031, 7, 1), 3, emergency=True), {}, "emergency_reason"),
        (trip(2), {"matter": "leave"}, "needs details with matter 'leave'"),
        ({**trip(2), "estimated_cost_yen": -1}, {}, "greater than or equal to 0"),
        ({**trip(2), "transport": "x" * 201}, {}, "at most 200 characters"),
        (leave(2), {"amount_yen": 10_000}, "carries no amount_yen"),
        (leave(2), {"matter": "spending"}, "has no details"),
    ]
    for details, overrides, reason in cases:
        problem = assert_problem(await create(stack, drafter, details, **overrides), 422)
        assert reason in problem["detail"], (details, overrides, problem["detail"])
    no_details = await stack.call(
        drafter, "POST", "/v1/documents", json={"title": "休暇", "matter": "leave", "amount_yen": 0}
    )
    assert "needs details" in assert_problem(no_details, 422)["detail"]


async def test_an_edit_is_validated_and_bumps_the_version(stack: Stack) -> None:
    drafter = staff_of("fukushi.shakai", 1)
    doc = await drafted(stack, drafter, leave(2))
    path = f"/v1/documents/{doc['id']}"
    bad = await stack.call(drafter, "PATCH", path, json={"details": {**leave(2), "days": 0}})
    assert "greater than 0" in assert_problem(bad, 422)["detail"]
    other = await stack.call(drafter, "PATCH", path, json={"details": trip(1)})
    assert "needs details with matter 'leave'" in assert_problem(other, 422)["detail"]
    after = (await stack.call(drafter, "GET", path)).json()
    assert (after["version"], after["content_hash"], after["details"]) == (1, doc["content_hash"], doc["details"])

    r = await stack.call(drafter, "PATCH", path, json={"details": leave(1.5)})
    assert r.status_code == 200, r.text
    edited = r.json()
    assert edited["version"] == 2 and edited["content_hash"] != doc["content_hash"]
    assert edited["details"]["days"] == 1.5


# --- deciders ------------------------------------------------------------------------------------------------


async def test_leave_up_to_two_days_is_the_managers_longer_the_directors(stack: Stack) -> None:
    drafter = staff_of("fukushi.kodomo")
    manager, director = holder("fukushi.kodomo", "manager"), holder("fukushi", "director")
    two = await submitted(stack, drafter, leave(2))
    assert route(two) == [("decide", manager)]
    assert "課長専決" in await decide_reason(stack, drafter, two["id"])
    three = await submitted(stack, drafter, leave(2.5))
    assert route(three) == [("review", manager), ("decide", director)]
    assert "部長専決" in await decide_reason(stack, drafter, three["id"])


async def test_a_trip_up_to_two_days_is_the_managers_longer_the_directors(stack: Stack) -> None:
    drafter = staff_of("fukushi.kodomo", 1)
    manager, director = holder("fukushi.kodomo", "manager"), holder("fukushi", "director")
    assert route(await submitted(stack, drafter, trip(2))) == [("decide", manager)]
    assert route(await submitted(stack, drafter, trip(3))) == [("review", manager), ("decide", director)]


# --- overtime ------------------------------------------------------------------------------------------------


async def test_overtime_in_the_past_is_refused_unless_an_emergency(stack: Stack) -> None:
    drafter = staff_of("shoko.kanko")
    yesterday = datetime.now(JST).date() - timedelta(days=1)
    doc = await drafted(stack, drafter, overtime(yesterday, 3))
    refused = assert_problem(await submit(stack, drafter, doc["id"]), 422)
    assert "事前命令" in refused["detail"] and "emergency" in refused["detail"]
    assert (await stack.call(drafter, "GET", f"/v1/documents/{doc['id']}")).json()["status"] == "draft"

    urgent = overtime(yesterday, 3, emergency=True, emergency_reason="豪雨災害の初動対応")
    r = await stack.call(drafter, "PATCH", f"/v1/documents/{doc['id']}", json={"details": urgent})
    assert r.status_code == 200, r.text
    r = await submit(stack, drafter, doc["id"])
    assert r.status_code == 200, r.text
    assert route(r.json()) == [("decide", holder("shoko.kanko", "manager"))]


async def test_a_month_over_20_hours_goes_one_level_up(stack: Stack) -> None:
    drafter = staff_of("shoko.kanko", 1)
    manager, director = holder("shoko.kanko", "manager"), holder("shoko", "director")
    today = datetime.now(JST).date()
    month = (today.replace(day=1) + timedelta(days=62)).replace(day=1)  # a month wholly ahead

    first = await submitted(stack, drafter, overtime(month, 12))
    assert route(first) == [("decide", manager)]
    second = await submitted(stack, drafter, overtime(month + timedelta(days=1), 8))
    assert route(second) == [("decide", manager)]  # 20 hours: not over
    third_draft = await drafted(stack, drafter, overtime(month + timedelta(days=2), 0.5))
    assert "部長専決" in await decide_reason(stack, drafter, third_draft["id"])
    r = await submit(stack, drafter, third_draft["id"])
    assert r.status_code == 200, r.text
    assert route(r.json()) == [("review", manager), ("decide", director)]

    next_month = (month + timedelta(days=32)).replace(day=1)
    assert route(await submitted(stack, drafter, overtime(next_month, 5))) == [("decide", manager)]
    # A withdrawn request no longer counts: 12 + 0.5 + 1 hours.
    await stack.ok(drafter, second["id"], "withdraw", comment="業務終了のため")
    assert route(await submitted(stack, drafter, overtime(month + timedelta(days=3), 1))) == [("decide", manager)]


# --- posting to 人事給与 --------------------------------------------------------------------------------------


async def test_a_decided_leave_reaches_hr_once(stack: Stack, hr_url: str) -> None:
    drafter = staff_of("norin.nosei")
    doc = await submitted(stack, drafter, leave(2))
    await stack.ok(holder("norin.nosei", "manager"), doc["id"], "approve")
    posted = await hr_settled(stack, drafter, doc["id"])
    assert posted["status"] == "approved"
    assert posted["hr"]["state"] == "posted" and posted["hr"]["error"] == ""
    async with httpx.AsyncClient(base_url=hr_url) as hr:
        postings = (await hr.get("/postings", params={"document_id": doc["id"]})).json()
    assert [p["id"] for p in postings] == [posted["hr"]["posting_id"]]
    payload = postings[0]["payload"]
    assert (postings[0]["kind"], payload["staff_id"], payload["kind"], payload["days"]) == (
        "leave",
        drafter,
        "annual",
        2,
    )


async def test_hr_refusing_after_the_decision_is_shown_and_notified_and_it_stays_decided(
    stack: Stack, hr_url: str
) -> None:
    drafter = staff_of("norin.nosei", 1)
    personnel = holder("somu.jinji", "manager")
    async with httpx.AsyncClient(base_url=hr_url) as hr:
        grants = f"/admin/leave-grants/{drafter}"
        assert (await hr.put(grants, json={"year": 2031, "carried_over_days": 1})).status_code == 204
        doc = await submitted(stack, drafter, leave(21))  # within 20 days and 1 carried over: submitted
        # HR corrects the carry-over after the submit: the balance checked then no longer holds
        assert (await hr.put(grants, json={"year": 2031, "carried_over_days": 0})).status_code == 204
    await stack.ok(holder("norin.nosei", "manager"), doc["id"], "approve")
    await stack.ok(holder("norin", "director"), doc["id"], "approve")
    refused = await hr_settled(stack, drafter, doc["id"])
    assert refused["status"] == "approved"
    assert refused["hr"]["state"] == "refused" and refused["hr"]["posting_id"] is None
    assert "残日数が不足" in refused["hr"]["error"]
    for recipient in (drafter, personnel):
        notices = await every_item(stack, recipient, "/v1/notifications")
        # the drafter also has the decision's own notice: the refusal comes once, beside it
        mine = [n for n in notices if n["document_id"] == doc["id"] and n["kind"] == "hr_refused"]
        assert len(mine) == 1, (recipient, notices)
        assert "残日数が不足" in mine[0]["subject"]
    async with httpx.AsyncClient(base_url=hr_url) as hr:
        assert (await hr.get("/postings", params={"document_id": doc["id"]})).json() == []


async def test_a_managers_own_leave_goes_to_the_director(stack: Stack) -> None:
    manager, director = holder("fukushi.korei", "manager"), holder("fukushi", "director")
    doc = await submitted(stack, manager, leave(1))
    assert route(doc) == [("decide", director)]
    assert "本人が課長のため上位" in await decide_reason(stack, manager, doc["id"])
