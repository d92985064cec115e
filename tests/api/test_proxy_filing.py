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


async def test_the_clerk_resubmits_what_was_sent_back_until_the_grant_is_revoked(stack: Stack) -> None:
    unit = "doboku.toshi"
    clerk, person, manager = staff_of(unit, 0), staff_of(unit, 1), holder(unit, "manager")
    await grant(stack, clerk, unit, valid_from=date(2020, 4, 1), valid_to=None)
    r = await create(stack, clerk, leave(1, start=date(2031, 12, 1)), on_behalf_of=person)
    assert r.status_code == 201, r.text
    doc_id = r.json()["id"]
    assert (await stack.call(clerk, "POST", f"/v1/documents/{doc_id}/submit")).status_code == 200
    await stack.ok(manager, doc_id, "send_back", "日付を確認してください")

    async def allowed(who: str) -> set[str]:
        r = await stack.call(who, "GET", f"/v1/documents/{doc_id}/actions/allowed")
        assert r.status_code == 200, r.text
        return {a["action"] for a in r.json()["actions"]}

    assert "resubmit" in await allowed(clerk) and "resubmit" in await allowed(person)
    assert "resubmit" not in await allowed(manager)
    edited = await stack.call(
        clerk, "PATCH", f"/v1/documents/{doc_id}", json={"details": leave(1, start=date(2031, 12, 2))}
    )
    assert edited.status_code == 200, edited.text
    resubmitted = await stack.ok(clerk, doc_id, "resubmit")
    assert resubmitted["status"] == "in_review"
    audit = (await stack.call(person, "GET", f"/v1/documents/{doc_id}/audit")).json()
    assert [e["actor_id"] for e in audit["events"] if e["action"] == "resubmit"] == [clerk]

    # sent back again; once the grant is revoked the clerk may no longer resubmit (the person still may)
    await stack.ok(manager, doc_id, "send_back", "もう一度確認してください")
    mine = (await stack.call(ADMIN, "GET", GRANTS, params={"staff_id": clerk})).json()["items"]
    assert [(g["org_unit"], g["valid_to"]) for g in mine] == [(unit, None)]
    assert (await stack.call(ADMIN, "DELETE", f"{GRANTS}/{mine[0]['id']}")).status_code == 204
    refused = assert_problem(await stack.act(clerk, doc_id, "resubmit"), 403)
    assert "権限がありません" in refused["detail"]
    assert (await stack.ok(person, doc_id, "resubmit"))["status"] == "in_review"


async def test_grants_are_listed_and_revoked_by_whoever_may_grant(stack: Stack) -> None:
    unit = "shoko.shoko"
    clerk, other = staff_of(unit, 0), staff_of(unit, 1)
    jinji = holder("somu.jinji", "chief")  # 人事担当 (hr_admin)
    await grant(stack, clerk, unit, valid_from=date(2024, 4, 1), valid_to=date(2025, 3, 31))
    await grant(stack, clerk, unit, valid_from=date(2025, 4, 1), valid_to=None)
    listed = await stack.call(jinji, "GET", GRANTS, params={"org_unit": unit})
    assert listed.status_code == 200, listed.text
    grants = listed.json()["items"]
    assert [(g["staff_id"], g["valid_from"]) for g in grants] == [(clerk, "2024-04-01"), (clerk, "2025-04-01")]
    assert listed.json()["total"] == 2 and grants[0]["granted_by"] == ADMIN
    # the holder sees their own grants, nobody else's; neither may revoke
    assert len((await stack.call(clerk, "GET", GRANTS)).json()["items"]) == 2
    assert (await stack.call(other, "GET", GRANTS)).json()["items"] == []
    assert (
        "人事担当" in assert_problem(await stack.call(other, "GET", GRANTS, params={"staff_id": clerk}), 403)["detail"]
    )
    assert "人事担当" in assert_problem(await stack.call(clerk, "DELETE", f"{GRANTS}/{grants[0]['id']}"), 403)["detail"]
    assert (await stack.call(jinji, "DELETE", f"{GRANTS}/{grants[0]['id']}")).status_code == 204
    assert_problem(await stack.call(jinji, "DELETE", f"{GRANTS}/{grants[0]['id']}"), 404)  # gone
    left = (await stack.call(ADMIN, "GET", GRANTS, params={"org_unit": unit})).json()["items"]
    assert [g["id"] for g in left] == [grants[1]["id"]]
    assert_problem(await stack.call(ADMIN, "GET", GRANTS, params={"org_unit": "NOT A UNIT"}), 422)
