"""代理申請: a 庶務担当 (an effective-dated grant, given by an administrator or 人事担当) drafts and submits a 庶務
request for a colleague of their unit; the colleague is the requester (HR posting, withdrawal), the clerk the
drafter of record, both in the audit chain; the colleague is notified.  No right, an expired one or a person of
another unit → 403 with the reason.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from tests.api.support import ADMIN, assert_problem
from tests.api.test_general_affairs import create, hr_settled, leave, staff_of
from tests.support.paging import every_item
from tests.support.stack import Stack, holder

GRANTS = "/v1/org/clerk-grants"


async def grant(stack: Stack, clerk: str, unit: str, *, valid_from: date, valid_to: date | None) -> None:
    body: dict[str, Any] = {"staff_id": clerk, "org_unit": unit, "valid_from": valid_from.isoformat()}
    body["valid_to"] = valid_to.isoformat() if valid_to else None
    r = await stack.call(ADMIN, "POST", GRANTS, json=body)
    assert r.status_code == 201, r.text


async def test_the_clerk_files_leave_for_a_colleague_posted_to_hr_for_the_colleague(stack: Stack, hr_url: str) -> None:
    unit = "shimin.kankyo"
    clerk, person = staff_of(unit, 0), staff_of(unit, 1)
    await grant(stack, clerk, unit, valid_from=date(2020, 4, 1), valid_to=None)
    r = await create(stack, clerk, leave(1, start=date(2031, 9, 1)), on_behalf_of=person)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert (doc["drafter_id"], doc["drafted_by"], doc["org_unit"]) == (person, clerk, unit)
    r = await stack.call(clerk, "POST", f"/v1/documents/{doc['id']}/submit")
    assert r.status_code == 200, r.text
    await stack.ok(holder(unit, "manager"), doc["id"], "approve")
    posted = await hr_settled(stack, person, doc["id"])
    assert posted["hr"]["state"] == "posted", posted["hr"]
    async with httpx.AsyncClient(base_url=hr_url) as hr:
        postings = (await hr.get("/postings", params={"document_id": doc["id"]})).json()
    assert [p["payload"]["staff_id"] for p in postings] == [person]
    audit = (await stack.call(person, "GET", f"/v1/documents/{doc['id']}/audit")).json()
    events = {e["action"]: e for e in audit["events"]}
    assert (events["create"]["actor_id"], events["create"]["detail"]["on_behalf_of"]) == (clerk, person)
    assert (events["submit"]["actor_id"], events["submit"]["detail"]["on_behalf_of"]) == (clerk, person)
    notices = await every_item(stack, person, "/v1/notifications")
    filed = [n for n in notices if n["document_id"] == doc["id"] and n["kind"] == "filed_for_you"]
    assert len(filed) == 1 and "代理申請" in filed[0]["subject"], notices


async def test_the_person_withdraws_what_the_clerk_filed(stack: Stack) -> None:
    unit = "gikai.giji"
    clerk, person = staff_of(unit, 0), staff_of(unit, 1)
    await grant(stack, clerk, unit, valid_from=date(2020, 4, 1), valid_to=None)
    r = await create(stack, clerk, leave(1, start=date(2031, 10, 1)), on_behalf_of=person)
    assert r.status_code == 201, r.text
    doc_id = r.json()["id"]
    assert (await stack.call(clerk, "POST", f"/v1/documents/{doc_id}/submit")).status_code == 200
    # the person's own draft is not the clerk's to submit
    own = await create(stack, person, leave(1, start=date(2031, 10, 20)))
    assert_problem(await stack.call(clerk, "POST", f"/v1/documents/{own.json()['id']}/submit"), 403)
    withdrawn = await stack.ok(person, doc_id, "withdraw", "予定が変わりました")
    assert withdrawn["status"] == "withdrawn"


async def test_no_right_an_expired_one_or_another_units_person_is_403(stack: Stack) -> None:
    unit = "kaikei.suito"
    clerk, person = staff_of(unit, 0), staff_of(unit, 1)
    details = leave(1, start=date(2031, 11, 1))
    no_right = assert_problem(await create(stack, clerk, details, on_behalf_of=person), 403)
    assert "権限がありません" in no_right["detail"]
    yesterday = date.today() - timedelta(days=2)
    await grant(stack, clerk, unit, valid_from=date(2020, 4, 1), valid_to=yesterday)
    expired = assert_problem(await create(stack, clerk, details, on_behalf_of=person), 403)
    assert "付与期間外" in expired["detail"]
    await grant(stack, clerk, unit, valid_from=date(2020, 4, 1), valid_to=None)
    other = assert_problem(await create(stack, clerk, details, on_behalf_of=staff_of("suido.gesui")), 403)
    assert "所属の職員ではありません" in other["detail"]
    spending = assert_problem(
        await stack.call(
            clerk,
            "POST",
            "/v1/documents",
            json={"title": "x", "matter": "spending", "amount_yen": 1, "on_behalf_of": person},
        ),
        403,
    )
    assert "庶務の申請" in spending["detail"]
    # only an administrator or 人事担当 grants the right
    body = {"staff_id": clerk, "org_unit": unit, "valid_from": "2026-04-01"}
    assert "人事担当" in assert_problem(await stack.call(clerk, "POST", GRANTS, json=body), 403)["detail"]
    bad = {**body, "valid_to": "2026-03-31"}
    assert_problem(await stack.call(ADMIN, "POST", GRANTS, json=bad), 422)
