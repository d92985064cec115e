"""The audit trail through the API: views of 機密性2+ documents are recorded; concurrent appends never fork the
chain; an edited, deleted, inserted or reordered event is detected by GET /v1/documents/{id}/audit."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db.session import create_engine, create_sessionmaker
from tests.api.support import DRAFTER, MANAGER, SMALL, STRANGER
from tests.support.stack import Stack, holder
from tests.support.tamper import append_event, delete_event, edit_event, insert_event, swap_events


async def audit(stack: Stack, document_id: str, staff_id: str = DRAFTER) -> dict[str, Any]:
    r = await stack.call(staff_id, "GET", f"/v1/documents/{document_id}/audit")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def attach(stack: Stack, document_id: str, name: str, staff_id: str = DRAFTER) -> None:
    r = await stack.call(
        staff_id,
        "POST",
        f"/v1/documents/{document_id}/attachments",
        files={"file": (name, name.encode(), "text/plain")},
    )
    assert r.status_code == 201, r.text


def _actions(trail: dict[str, Any]) -> list[str]:
    """The trail's actions but the filing at drafting (整理 into the proposed file when the section has one)."""
    return [e["action"] for e in trail["events"] if e["action"] != "file"]


#: A drafter of a section no API test opens files for: their drafts are never filed at drafting, so the chain's
#: length is known.
UNFILED = holder("seisaku.dx", "staff")


# --- views ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("confidentiality", [2, 3])
async def test_views_of_a_classified_document_are_audit_events(stack: Stack, confidentiality: int) -> None:
    doc = await stack.draft(DRAFTER, confidentiality=confidentiality)
    await attach(stack, doc["id"], "名簿.txt")
    assert (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}")).status_code == 200
    assert (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/attachments/1")).status_code == 200

    trail = await audit(stack, doc["id"])
    assert trail["verified"] is True, trail
    views = [e for e in trail["events"] if e["action"] == "view"]
    assert [(e["actor_id"], e["detail"]) for e in views] == [
        (DRAFTER, {"what": "document"}),
        (DRAFTER, {"what": "attachment", "n": 1}),
    ]
    assert all(e["at"] for e in views)


async def test_views_of_an_ordinary_document_are_not_recorded(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER, confidentiality=1)
    await attach(stack, doc["id"], "a.txt")
    await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}")
    await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/attachments/1")
    assert _actions(await audit(stack, doc["id"])) == ["create", "attach"]


async def test_a_refused_view_is_not_recorded(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER, confidentiality=2)
    assert (await stack.call(STRANGER, "GET", f"/v1/documents/{doc['id']}")).status_code == 404  # 機密性2: unseen
    assert _actions(await audit(stack, doc["id"])) == ["create"]


async def test_concurrent_views_and_an_approval_keep_one_chain(stack: Stack) -> None:
    """The API's view events and the workflow projection's approval append to one chain at the same time."""
    doc = await stack.submitted(DRAFTER, SMALL, confidentiality=2)
    readers = [DRAFTER, MANAGER] * 6

    async def view(staff_id: str) -> None:
        r = await stack.call(staff_id, "GET", f"/v1/documents/{doc['id']}")
        assert r.status_code == 200, r.text

    decision, *_ = await asyncio.gather(stack.ok(MANAGER, doc["id"], "approve"), *(view(s) for s in readers))
    assert decision["status"] == "approved"

    trail = await audit(stack, doc["id"])
    assert trail["verified"] is True, trail["problem"]
    actions = [e["action"] for e in trail["events"]]
    assert actions.count("view") == len(readers)
    assert actions.count("approve") == 1 and [a for a in actions if a != "file"][:2] == ["create", "submit"]
    assert [e["seq"] for e in trail["events"]] == list(range(1, len(actions) + 1))


# --- tampering --------------------------------------------------------------------------------------------

Tamper = Callable[[AsyncSession, str], Awaitable[None]]

TAMPERING = [
    pytest.param(lambda s, d: edit_event(s, d, 2), "event 2 was altered", id="edited"),
    pytest.param(lambda s, d: delete_event(s, d, 2), "event 2 is missing", id="deleted"),
    pytest.param(lambda s, d: insert_event(s, d, 2), "event 3 does not link to event 2", id="inserted"),
    pytest.param(lambda s, d: swap_events(s, d, 2, 3), "event 2 does not link to event 1", id="reordered"),
    pytest.param(
        lambda s, d: delete_event(s, d, 4), "event 4 is missing (the chain ends at event 4)", id="last-deleted"
    ),
    pytest.param(append_event, "event 5 was added after the chain's last event 4", id="appended"),
]


@pytest.mark.parametrize(("tamper", "problem"), TAMPERING)
async def test_tampering_is_detected(stack: Stack, tamper: Tamper, problem: str) -> None:
    doc = await stack.draft(UNFILED)
    for name in ("1.txt", "2.txt", "3.txt"):
        await attach(stack, doc["id"], name, UNFILED)
    assert [e["action"] for e in (await audit(stack, doc["id"], UNFILED))["events"]] == ["create"] + ["attach"] * 3

    engine = create_engine(stack.settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            await tamper(session, doc["id"])
    finally:
        await engine.dispose()

    trail = await audit(stack, doc["id"], UNFILED)
    assert trail["verified"] is False
    assert problem in trail["problem"]
