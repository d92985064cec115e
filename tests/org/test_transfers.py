"""人事異動 through the API: upload validation, the impact preview, applying it (pending steps follow the post,
finished ones keep who acted), idempotent and resumable re-apply."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime, timedelta
from typing import Any

from activities.transfers import TransferApplier
from core.calendar import JST
from db.session import create_engine, create_sessionmaker
from integrations.hr import HttpHrClient
from schemas.transfers import ReassignInput, TransferApplied
from tests.api.support import ADMIN, BIG, DIRECTOR, DRAFTER, FINANCE, MANAGER, SMALL, assert_problem, submitted
from tests.support.paging import every_item
from tests.support.stack import Stack, holder
from workflows.transfer import transfer_workflow_id

SUCCESSOR = holder("somu.jinji", "assistant_manager")  # 人事課 課長補佐 -> 総務課長


def _day(offset: int) -> str:
    return (datetime.now(JST).date() + timedelta(days=offset)).isoformat()


def spring_transfer(**overrides: Any) -> dict[str, Any]:
    """総務課長 and 人事課 課長補佐 swap posts; 財政課長's post is abolished (its holder leaves it)."""
    return {
        "effective_on": _day(1),
        "note": "令和9年度 人事異動",
        "end": [
            {"staff_id": MANAGER, "org_unit": "somu.somu", "post": "manager"},
            {"staff_id": SUCCESSOR, "org_unit": "somu.jinji", "post": "assistant_manager"},
            {"staff_id": FINANCE, "org_unit": "somu.zaisei", "post": "manager"},
        ],
        "start": [
            {"staff_id": SUCCESSOR, "org_unit": "somu.somu", "post": "manager"},
            {"staff_id": MANAGER, "org_unit": "somu.jinji", "post": "assistant_manager"},
        ],
        "abolished_posts": [{"org_unit": "somu.zaisei", "post": "manager"}],
        **overrides,
    }


async def _upload(stack: Stack, body: dict[str, Any]) -> dict[str, Any]:
    r = await stack.call(ADMIN, "POST", "/v1/org/transfers", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _transfers(stack: Stack) -> list[Any]:
    return await every_item(stack, ADMIN, "/v1/org/transfers")


async def _steps(stack: Stack, document_id: str) -> list[dict[str, Any]]:
    r = await stack.call(DRAFTER, "GET", f"/v1/documents/{document_id}")
    assert r.status_code == 200, r.text
    return list(r.json()["steps"])


async def _audit_length(stack: Stack, document_id: str) -> int:
    r = await stack.call(DRAFTER, "GET", f"/v1/documents/{document_id}/audit")
    assert r.json()["verified"] is True
    return len(r.json()["events"])


async def _inbox(stack: Stack, staff_id: str) -> set[str]:
    return {i["document_id"] for i in await every_item(stack, staff_id, "/v1/inbox") if i["kind"] == "step"}


async def test_uploads_naming_unknown_staff_or_a_past_date_are_refused_and_nothing_is_stored(org_stack: Stack) -> None:
    body = spring_transfer()
    body["start"] = [*body["start"], {"staff_id": "s9999", "org_unit": "somu.somu", "post": "staff"}]
    r = await org_stack.call(ADMIN, "POST", "/v1/org/transfers", json=body)
    detail = assert_problem(r, 422)["detail"]
    assert "start[2]" in detail and "s9999" in detail
    r = await org_stack.call(ADMIN, "POST", "/v1/org/transfers", json=spring_transfer(effective_on=_day(-1)))
    assert "past" in assert_problem(r, 422)["detail"]
    not_held = spring_transfer(end=[{"staff_id": DRAFTER, "org_unit": "somu.somu", "post": "manager"}])
    assert (
        "end[0]"
        in assert_problem(await org_stack.call(ADMIN, "POST", "/v1/org/transfers", json=not_held), 422)["detail"]
    )
    still_held = spring_transfer(end=spring_transfer()["end"][:2])  # 財政課長 left in an abolished post
    r = await org_stack.call(ADMIN, "POST", "/v1/org/transfers", json=still_held)
    assert "still holds it" in assert_problem(r, 422)["detail"]
    unknown_unit = spring_transfer(abolished_org_units=["somu.nowhere"])
    r = await org_stack.call(ADMIN, "POST", "/v1/org/transfers", json=unknown_unit)
    assert "somu.nowhere" in assert_problem(r, 422)["detail"]
    assert_problem(await org_stack.call(MANAGER, "POST", "/v1/org/transfers", json=spring_transfer()), 403)
    assert await _transfers(org_stack) == []
    stored = await _upload(org_stack, spring_transfer())
    assert stored["status"] == "draft" and (stored["ends"], stored["starts"]) == (3, 2)
    assert [t["id"] for t in await _transfers(org_stack)] == [stored["id"]]


async def test_impact_preview_matches_what_applying_does(org_stack: Stack) -> None:
    moving = await submitted(org_stack, BIG)  # pending at 総務課長; 財政課長 (合議) waits
    consulting = await submitted(org_stack, BIG)
    await org_stack.ok(MANAGER, consulting["id"], "approve")  # now pending at 財政課長, whose post is abolished
    small = await submitted(org_stack, SMALL)  # 総務課長 decides alone
    untouched = await submitted(org_stack, BIG)
    for action, who in (("approve", MANAGER), ("consent", FINANCE)):
        await org_stack.ok(who, untouched["id"], action)  # pending at 総務部長, who stays
    transfer = await _upload(org_stack, spring_transfer())

    r = await org_stack.call(ADMIN, "GET", f"/v1/org/transfers/{transfer['id']}/impact")
    assert r.status_code == 200, r.text
    impact = r.json()
    preview = {(m["document_id"], m["stage_index"], m["outcome"], m["new_assignee_id"]) for m in impact["moves"]}
    assert preview == {
        (moving["id"], 0, "reassign", SUCCESSOR),
        (moving["id"], 1, "needs_decision", None),
        (consulting["id"], 1, "needs_decision", None),
        (small["id"], 0, "reassign", SUCCESSOR),
    }
    assert all(m["old_assignee_id"] in (MANAGER, FINANCE) for m in impact["moves"])
    assert {m["reason"] for m in impact["moves"] if m["outcome"] == "needs_decision"} == {
        "post abolished -> needs a decision"
    }
    before_untouched = await _audit_length(org_stack, untouched["id"])

    r = await org_stack.call(ADMIN, "POST", f"/v1/org/transfers/{transfer['id']}/apply")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "applied"
    assert (r.json()["reassigned_documents"], r.json()["needs_decision"]) == (2, 2)

    # What applying did, read back from the documents: exactly the preview's reassignments.
    applied = set()
    for doc in (moving, consulting, small, untouched):
        for step in await _steps(org_stack, doc["id"]):
            if step["state"] in ("pending", "waiting") and step["assignee_id"] == SUCCESSOR:
                applied.add((doc["id"], step["stage_index"], "reassign", SUCCESSOR))
    assert applied == {p for p in preview if p[2] == "reassign"}
    assert await _audit_length(org_stack, untouched["id"]) == before_untouched

    # The new holder sees the steps and can act; the old one may no longer.
    assert {moving["id"], small["id"]} <= await _inbox(org_stack, SUCCESSOR)
    assert not {moving["id"], small["id"]} & await _inbox(org_stack, MANAGER)
    assert_problem(await org_stack.act(MANAGER, small["id"], "approve"), 403)
    assert (await org_stack.ok(SUCCESSOR, small["id"], "approve"))["status"] == "approved"

    # Finished steps keep who acted and the post they held then.
    [done] = [s for s in await _steps(org_stack, consulting["id"]) if s["stage_index"] == 0]
    assert (done["assignee_id"], done["acted_by"], done["state"], done["actor_post"]) == (
        MANAGER,
        MANAGER,
        "done",
        "課長",
    )
    # The records office hears of the steps whose post is gone.
    notes = await every_item(org_stack, SUCCESSOR, "/v1/notifications")
    assert {n["document_id"] for n in notes if n["kind"] == "records"} == {moving["id"], consulting["id"]}
    # Audit trail names the move.
    r = await org_stack.call(DRAFTER, "GET", f"/v1/documents/{moving['id']}/audit")
    [event] = [e for e in r.json()["events"] if e["action"] == "reassign"]
    assert (event["detail"]["from"], event["detail"]["to"]) == (MANAGER, SUCCESSOR)


async def test_applying_twice_changes_nothing(org_stack: Stack) -> None:
    doc = await submitted(org_stack, SMALL)
    transfer = await _upload(org_stack, spring_transfer())
    first = await org_stack.call(ADMIN, "POST", f"/v1/org/transfers/{transfer['id']}/apply")
    assert first.json()["reassigned_documents"] == 1
    length = await _audit_length(org_stack, doc["id"])
    again = await org_stack.call(ADMIN, "POST", f"/v1/org/transfers/{transfer['id']}/apply")
    assert again.status_code == 200, again.text
    assert (again.json()["status"], again.json()["reassigned_documents"]) == ("applied", 0)
    assert await _audit_length(org_stack, doc["id"]) == length
    assert doc["id"] in await _inbox(org_stack, SUCCESSOR)
    r = await org_stack.call(ADMIN, "GET", f"/v1/org/transfers/{transfer['id']}/impact")
    assert [(m["document_id"], m["new_assignee_id"], m["done"]) for m in r.json()["moves"]] == [
        (doc["id"], SUCCESSOR, True)
    ]


class _CrashingApplier(TransferApplier):
    """Applies like the real one but "crashes" on one document's update."""

    def __init__(self, *args: Any, crash_on: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._crash_on = crash_on

    async def _reassign(self, document_id: str, request: ReassignInput) -> bool:
        if document_id == self._crash_on:
            raise ConnectionError("worker lost mid-apply")
        return await super()._reassign(document_id, request)


async def test_a_crash_midway_then_a_re_apply_completes_the_rest(org_stack: Stack) -> None:
    first, second = await submitted(org_stack, SMALL), await submitted(org_stack, SMALL)
    transfer = await _upload(org_stack, spring_transfer())
    settings = org_stack.settings
    engine = create_engine(settings.database_url)
    try:
        async with HttpHrClient(settings.hr_url) as hr:
            sessions = create_sessionmaker(engine)
            crashing = _CrashingApplier(sessions, hr, org_stack.temporal, crash_on=second["id"])
            try:
                await crashing.apply(transfer["id"])
                raise AssertionError("the apply should have crashed")
            except ConnectionError:
                pass
            assert (await org_stack.call(ADMIN, "GET", f"/v1/org/transfers/{transfer['id']}")).json()[
                "status"
            ] == "applying"
            inbox = await _inbox(org_stack, SUCCESSOR)
            assert first["id"] in inbox and second["id"] not in inbox
            length = await _audit_length(org_stack, first["id"])
            result = await TransferApplier(sessions, hr, org_stack.temporal).apply(transfer["id"])
    finally:
        await engine.dispose()
    assert (result.status, result.reassigned_documents) == ("applied", 1)
    assert {first["id"], second["id"]} <= await _inbox(org_stack, SUCCESSOR)
    assert await _audit_length(org_stack, first["id"]) == length


async def test_routing_after_the_effective_date_asks_hr_for_the_new_holder(org_stack: Stack) -> None:
    transfer = await _upload(org_stack, spring_transfer())
    await org_stack.call(ADMIN, "POST", f"/v1/org/transfers/{transfer['id']}/apply")
    async with HttpHrClient(org_stack.settings.hr_url) as hr:
        tomorrow = datetime.now(JST).date() + timedelta(days=1)
        assert [h.id for h in await hr.holders("somu.somu", "manager", as_of=tomorrow)] == [SUCCESSOR]
        assert [h.id for h in await hr.holders("somu.somu", "manager")] == [MANAGER]  # today: not yet
        assert await hr.holders("somu.zaisei", "manager", as_of=tomorrow) == []
    me = await org_stack.call(DIRECTOR, "GET", "/v1/staff", params={"org_unit": "somu.somu", "post": "manager"})
    assert [s["id"] for s in me.json()["items"]] == [MANAGER]


async def test_the_transfer_workflow_applies_it_at_the_effective_date(org_stack: Stack) -> None:
    doc = await submitted(org_stack, SMALL)
    transfer = await _upload(org_stack, spring_transfer(effective_on=_day(0)))  # 00:00 JST today: already due
    handle = org_stack.temporal.get_workflow_handle(transfer_workflow_id(transfer["id"]), result_type=TransferApplied)
    result = await handle.result()
    assert (result.status, result.reassigned_documents, result.needs_decision) == ("applied", 1, 0)
    assert doc["id"] in await _inbox(org_stack, SUCCESSOR)
    r = await org_stack.call(ADMIN, "GET", f"/v1/org/transfers/{transfer['id']}")
    assert r.json()["status"] == "applied" and r.json()["applied_at"] is not None


async def test_a_transfer_for_a_later_date_waits_for_it(org_stack: Stack) -> None:
    transfer = await _upload(org_stack, spring_transfer(effective_on=_day(30)))
    handle = org_stack.temporal.get_workflow_handle(transfer_workflow_id(transfer["id"]))
    description = await handle.describe()
    assert description.status is not None and description.status.name == "RUNNING"
    r = await org_stack.call(ADMIN, "GET", f"/v1/org/transfers/{transfer['id']}")
    assert r.json()["status"] == "draft"
    await handle.terminate("test over")


async def test_the_command_applies_a_transfer_with_a_progress_bar(org_stack: Stack) -> None:
    doc = await submitted(org_stack, SMALL)
    transfer = await _upload(org_stack, spring_transfer())
    settings = org_stack.settings
    env = {
        **os.environ,
        "RINGI_DATABASE_URL": settings.database_url,
        "RINGI_TEMPORAL_ADDRESS": settings.temporal_address,
        "RINGI_TEMPORAL_NAMESPACE": settings.temporal_namespace,
        "RINGI_HR_URL": settings.hr_url,
        "RINGI_LOG_LEVEL": "WARNING",
    }
    argv = [sys.executable, "-m", "cli.main", "org", "apply-transfer", transfer["id"]]
    proc = await asyncio.create_subprocess_exec(
        *argv, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    text = out.decode()
    assert proc.returncode == 0, text
    assert "reassigning documents" in text and "1 documents reassigned" in text
    assert doc["id"] in await _inbox(org_stack, SUCCESSOR)
    missing = await asyncio.create_subprocess_exec(
        *argv[:-1], "no-such-transfer", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(missing.communicate(), timeout=120)
    assert missing.returncode == 1 and "no transfer no-such-transfer" in out.decode()


async def test_unknown_transfers_are_404_and_only_admins_see_any(org_stack: Stack) -> None:
    for method, path in (
        ("GET", "/v1/org/transfers/nope"),
        ("GET", "/v1/org/transfers/nope/impact"),
        ("POST", "/v1/org/transfers/nope/apply"),
    ):
        assert "nope" in assert_problem(await org_stack.call(ADMIN, method, path), 404)["detail"]
    transfer = await _upload(org_stack, spring_transfer())
    for method, path in (
        ("GET", "/v1/org/transfers"),
        ("GET", f"/v1/org/transfers/{transfer['id']}/impact"),
        ("POST", f"/v1/org/transfers/{transfer['id']}/apply"),
    ):
        assert_problem(await org_stack.call(DIRECTOR, method, path), 403)
    r = await org_stack.call(ADMIN, "GET", f"/v1/org/transfers/{transfer['id']}")
    assert r.json()["status"] == "draft"


async def test_a_transfer_deactivates_the_staff_who_retire(org_stack: Stack) -> None:
    """退職 from HR: the leaver must end every post (else 422, nothing stored); applying deactivates the account,
    ends its sessions and refuses its sign-in, while the others go on."""
    still_holding = spring_transfer(leavers=[{"staff_id": DRAFTER, "reason": "retired"}])
    refused = assert_problem(await org_stack.call(ADMIN, "POST", "/v1/org/transfers", json=still_holding), 422)
    assert "leavers[0]" in refused["detail"] and "still holds" in refused["detail"]
    assert (await org_stack.call(FINANCE, "GET", "/v1/me")).status_code == 200
    transfer = await _upload(org_stack, spring_transfer(leavers=[{"staff_id": FINANCE, "reason": "retired"}]))
    r = await org_stack.call(ADMIN, "POST", f"/v1/org/transfers/{transfer['id']}/apply")
    assert r.status_code == 200, r.text
    assert_problem(await org_stack.call(FINANCE, "GET", "/v1/me"), 401)  # the session ended with the account
    signin = await org_stack.http.post("/v1/auth/token", json={"staff_id": FINANCE, "password": "demo"})
    assert_problem(signin, 401)
    account = await org_stack.call(ADMIN, "GET", f"/v1/admin/staff/{FINANCE}")
    assert account.json()["deactivated_at"] is not None
    assert (await org_stack.call(SUCCESSOR, "GET", "/v1/me")).status_code == 200
