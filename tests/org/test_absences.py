"""POST/GET/DELETE /v1/absences: staff register their own 不在 (庶務 and admins for others), kept in HR; while the
decider is away, the first 代決者 sees the decision in their inbox."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from core.calendar import JST
from tests.api.support import ADMIN, BIG, DIRECTOR, DRAFTER, FINANCE, MANAGER, STRANGER, assert_problem, submitted
from tests.support.paging import every_item
from tests.support.stack import Stack, holder

CHIEF = holder("somu.somu", "chief")  # 総務課 係長: 庶務 for the 総務課 主事
MAYOR = holder("executive", "mayor")  # 市長
HR_CLERK = holder("somu.jinji", "staff")  # 人事課 主事: no grant, so no power over others' absences
HR_ADMIN = holder("somu.jinji", "chief")  # 人事課 係長 granted hr_admin (人事担当)


def _today() -> str:
    return datetime.now(JST).date().isoformat()


def _in(days: int) -> str:
    return (datetime.now(JST).date() + timedelta(days=days)).isoformat()


async def test_register_list_and_cancel_my_own_absence(org_stack: Stack) -> None:
    body = {"kind": "leave", "start": _today(), "end": _in(2), "note": "年次有給休暇"}
    r = await org_stack.call(DRAFTER, "POST", "/v1/absences", json=body)
    assert r.status_code == 201, r.text
    absence = r.json()
    assert (absence["staff_id"], absence["kind"], absence["end"]) == (DRAFTER, "leave", _in(2))

    mine = await org_stack.call(MANAGER, "GET", "/v1/absences", params={"staff_id": DRAFTER, "on": _in(1)})
    assert [a["id"] for a in mine.json()["items"]] == [absence["id"]]
    later = await org_stack.call(MANAGER, "GET", "/v1/absences", params={"staff_id": DRAFTER, "on": _in(3)})
    assert later.json()["items"] == []

    assert (await org_stack.call(DRAFTER, "DELETE", f"/v1/absences/{absence['id']}")).status_code == 204
    assert_problem(await org_stack.call(DRAFTER, "DELETE", f"/v1/absences/{absence['id']}"), 404)
    gone = await org_stack.call(DRAFTER, "GET", "/v1/absences", params={"staff_id": DRAFTER})
    assert gone.json()["items"] == []


async def test_a_repeated_idempotency_key_registers_once(org_stack: Stack) -> None:
    key = str(uuid.uuid4())
    body = {"kind": "trip", "start": _in(1), "end": _in(1)}
    first = await org_stack.call(DRAFTER, "POST", "/v1/absences", json=body, headers={"Idempotency-Key": key})
    again = await org_stack.call(DRAFTER, "POST", "/v1/absences", json=body, headers={"Idempotency-Key": key})
    assert first.json()["id"] == again.json()["id"]
    listed = await org_stack.call(DRAFTER, "GET", "/v1/absences", params={"staff_id": DRAFTER})
    assert len(listed.json()["items"]) == listed.json()["total"] == 1


async def test_a_reused_idempotency_key_with_another_absence_is_422(org_stack: Stack) -> None:
    key = str(uuid.uuid4())
    first = {"kind": "trip", "start": _in(5), "end": _in(5)}
    r = await org_stack.call(DRAFTER, "POST", "/v1/absences", json=first, headers={"Idempotency-Key": key})
    assert r.status_code == 201, r.text
    other = {"kind": "leave", "start": _in(6), "end": _in(7)}
    again = await org_stack.call(DRAFTER, "POST", "/v1/absences", json=other, headers={"Idempotency-Key": key})
    assert assert_problem(again, 422)["title"] == "Idempotency-Key reused with a different request"
    listed = await org_stack.call(DRAFTER, "GET", "/v1/absences", params={"staff_id": DRAFTER, "on": _in(6)})
    assert listed.json()["items"] == []


async def test_bad_absences_are_refused_and_nothing_is_stored(org_stack: Stack) -> None:
    backwards = {"kind": "leave", "start": _in(2), "end": _in(1)}
    assert (
        "before start"
        in assert_problem(await org_stack.call(DRAFTER, "POST", "/v1/absences", json=backwards), 422)["detail"]
    )
    bad_kind = {"kind": "holiday", "start": _in(1), "end": _in(1)}
    assert_problem(await org_stack.call(DRAFTER, "POST", "/v1/absences", json=bad_kind), 422)
    unknown = {"staff_id": "nobody", "kind": "leave", "start": _in(1), "end": _in(1)}
    assert "nobody" in assert_problem(await org_stack.call(ADMIN, "POST", "/v1/absences", json=unknown), 422)["detail"]
    everyone = await org_stack.call(ADMIN, "GET", "/v1/absences")
    assert everyone.json()["items"] == []


async def test_only_the_person_their_shomu_or_an_admin_registers_and_cancels(org_stack: Stack) -> None:
    for_drafter = {"staff_id": DRAFTER, "kind": "leave", "start": _in(1), "end": _in(1)}
    assert_problem(await org_stack.call(STRANGER, "POST", "/v1/absences", json=for_drafter), 403)
    by_chief = await org_stack.call(CHIEF, "POST", "/v1/absences", json=for_drafter)
    assert by_chief.status_code == 201, by_chief.text
    assert_problem(await org_stack.call(DRAFTER, "POST", "/v1/absences", json={**for_drafter, "staff_id": CHIEF}), 403)
    absence_id = by_chief.json()["id"]
    assert_problem(await org_stack.call(STRANGER, "DELETE", f"/v1/absences/{absence_id}"), 403)
    assert (await org_stack.call(ADMIN, "DELETE", f"/v1/absences/{absence_id}")).status_code == 204


async def test_others_absences_take_an_hr_administrator_not_any_member_of_jinji(org_stack: Stack) -> None:
    """不在 switches on 代決: a 人事課 主事 may not make the 市長 (or anyone) absent; the granted 人事担当 may."""
    for target in (MAYOR, DRAFTER, holder("somu.jinji", "manager")):
        body = {"staff_id": target, "kind": "trip", "start": _in(1), "end": _in(1)}
        refused = await org_stack.call(HR_CLERK, "POST", "/v1/absences", json=body)
        assert "HR administrator" in assert_problem(refused, 403)["detail"], target
    for_mayor = {"staff_id": MAYOR, "kind": "trip", "start": _in(1), "end": _in(1)}
    by_admin = await org_stack.call(HR_ADMIN, "POST", "/v1/absences", json=for_mayor)
    assert by_admin.status_code == 201, by_admin.text
    absence_id = by_admin.json()["id"]
    assert_problem(await org_stack.call(HR_CLERK, "DELETE", f"/v1/absences/{absence_id}"), 403)
    assert (await org_stack.call(HR_ADMIN, "DELETE", f"/v1/absences/{absence_id}")).status_code == 204
    assert (await org_stack.call(ADMIN, "GET", "/v1/absences", params={"staff_id": MAYOR})).json()["items"] == []


async def test_the_substitute_sees_the_absent_deciders_step_in_the_inbox(org_stack: Stack) -> None:
    doc = await submitted(org_stack, BIG)  # 総務課長 -> 財政課長 (合議) -> 総務部長 (決裁)
    await org_stack.ok(MANAGER, doc["id"], "approve")
    await org_stack.ok(FINANCE, doc["id"], "consent")

    async def substitute_items() -> list[dict[str, str]]:
        inbox = await every_item(org_stack, MANAGER, "/v1/inbox")  # 総務課長: first 代決者 of 総務部長
        return [i for i in inbox if i["document_id"] == doc["id"] and i["kind"] == "substitute"]

    assert await substitute_items() == []
    r = await org_stack.call(
        DIRECTOR, "POST", "/v1/absences", json={"kind": "trip", "start": _today(), "end": _today()}
    )
    assert r.status_code == 201, r.text
    [item] = await substitute_items()
    assert item["on_behalf_of"] == DIRECTOR and item["stage_kind"] == "decide"
    decided = await org_stack.ok(MANAGER, doc["id"], "substitute", on_behalf_of=DIRECTOR)
    assert decided["status"] == "approved"
    assert await substitute_items() == []
