"""The read endpoints: sign-in, staff look-ups, me, document list paging, document, inbox, audit, OpenAPI."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest

from tests.api.support import (
    ADMIN,
    BIG,
    DIRECTOR,
    DRAFTER,
    FINANCE,
    MANAGER,
    STRANGER,
    assert_problem,
    submitted,
)
from tests.support.paging import every_item
from tests.support.stack import CITY, Stack, holder

UNITS = {u.code: u.name for u in CITY.org_units}
POSTS = {p.code: p.name for p in CITY.posts}
NAMES = {s.id: s.name for s in CITY.staff}
#: Drafts nothing anywhere else in tests/api, so its document list is exactly what the paging test makes.
PAGER = holder("somu.jinji", "staff")


def _held(org_unit: str | None = None, post: str | None = None) -> list[str]:
    today = date.today()
    return sorted(
        a.staff_id
        for a in CITY.assignments
        if (org_unit is None or a.org_unit_code == org_unit)
        and (post is None or a.post_code == post)
        and a.effective_from <= today
        and (a.effective_to is None or a.effective_to > today)
    )


# --- sign-in and who I am ---------------------------------------------------------------------------------


async def test_sign_in_issues_a_bearer_token(stack: Stack) -> None:
    r = await stack.http.post("/v1/auth/token", json={"staff_id": MANAGER, "password": "demo"})
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "bearer"
    me = await stack.http.get("/v1/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
    assert me.status_code == 200, me.text
    assert me.json()["id"] == MANAGER


async def test_sign_in_with_a_wrong_password_is_401(stack: Stack) -> None:
    r = await stack.http.post("/v1/auth/token", json={"staff_id": MANAGER, "password": "not-demo"})
    assert "password" in assert_problem(r, 401)["detail"]


@pytest.mark.parametrize(
    ("staff_id", "org_unit", "post"),
    [
        pytest.param(DRAFTER, "somu.somu", "staff", id="drafter"),
        pytest.param(MANAGER, "somu.somu", "manager", id="manager"),
        pytest.param(DIRECTOR, "somu", "director", id="director"),
        pytest.param(ADMIN, "seisaku.joho", "staff", id="admin"),
    ],
)
async def test_me(stack: Stack, staff_id: str, org_unit: str, post: str) -> None:
    r = await stack.call(staff_id, "GET", "/v1/me")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {
        "id": staff_id,
        "name": NAMES[staff_id],
        "org_unit": {"code": org_unit, "name": UNITS[org_unit]},
        "post": {"code": post, "name": POSTS[post]},
    }


# --- staff look-ups ---------------------------------------------------------------------------------------


async def test_staff_lookup_finds_the_somu_manager(stack: Stack) -> None:
    r = await stack.call(DRAFTER, "GET", "/v1/staff", params={"org_unit": "somu.somu", "post": "manager"})
    assert r.status_code == 200, r.text
    assert r.json()["items"] == [
        {
            "id": MANAGER,
            "name": NAMES[MANAGER],
            "org_unit": {"code": "somu.somu", "name": "総務課"},
            "post": {"code": "manager", "name": "課長"},
        }
    ]


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"org_unit": "somu.somu"}, id="whole-division"),
        pytest.param({"post": "director"}, id="every-director"),
        pytest.param({"org_unit": "somu.zaisei", "post": "manager"}, id="finance-manager"),
        pytest.param({"org_unit": "no.such.unit"}, id="unknown-unit"),
        pytest.param({"org_unit": "somu", "post": "staff"}, id="nobody"),
    ],
)
async def test_staff_lookup_filters(stack: Stack, params: dict[str, str]) -> None:
    r = await stack.call(DRAFTER, "GET", "/v1/staff", params=params)
    assert r.status_code == 200, r.text
    found = r.json()["items"]
    assert r.json()["total"] == len(found)
    assert sorted(s["id"] for s in found) == _held(**params)
    for s in found:
        assert s["org_unit"]["name"] == UNITS[s["org_unit"]["code"]]
        assert s["post"]["name"] == POSTS[s["post"]["code"]]
        assert all(s[k]["code"] == v for k, v in params.items())


async def test_staff_lookup_needs_a_token(stack: Stack) -> None:
    assert_problem(await stack.http.get("/v1/staff", params={"post": "mayor"}), 401)


# --- documents --------------------------------------------------------------------------------------------


async def _page(stack: Stack, staff_id: str, **params: int) -> dict[str, Any]:
    r = await stack.call(staff_id, "GET", "/v1/documents", params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_document_list_pages_newest_first(stack: Stack) -> None:
    assert (await _page(stack, PAGER))["total"] == 0
    made = [(await stack.draft(PAGER, title=f"文書 {n}"))["id"] for n in range(5)]
    newest_first = made[::-1]

    everything = await _page(stack, PAGER)
    assert (everything["total"], everything["limit"], everything["offset"]) == (5, 50, 0)
    assert [d["id"] for d in everything["items"]] == newest_first
    assert everything["items"][0]["title"] == "文書 4"

    pages = [await _page(stack, PAGER, limit=2, offset=offset) for offset in (0, 2, 4)]
    assert [p["total"] for p in pages] == [5, 5, 5]
    assert [(p["limit"], p["offset"]) for p in pages] == [(2, 0), (2, 2), (2, 4)]
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    assert [d["id"] for p in pages for d in p["items"]] == newest_first

    beyond = await _page(stack, PAGER, limit=200, offset=5)
    assert (beyond["items"], beyond["total"]) == ([], 5)

    # Only my own documents: nobody else's list shows them.
    others = await _page(stack, STRANGER, limit=200)
    assert not set(made) & {d["id"] for d in others["items"]}


async def test_document_list_shows_submitted_documents_with_their_status(stack: Stack) -> None:
    doc = await submitted(stack, BIG, drafter=PAGER)
    listed = {d["id"]: d for d in (await _page(stack, PAGER, limit=200))["items"]}
    assert listed[doc["id"]]["status"] == "in_review"


async def test_document_read_by_drafter_assignee_and_admin(stack: Stack) -> None:
    doc = await submitted(stack, BIG)
    for reader in (DRAFTER, MANAGER, FINANCE, DIRECTOR, ADMIN):
        r = await stack.call(reader, "GET", f"/v1/documents/{doc['id']}")
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["id"], body["status"], body["drafter_id"], body["org_unit"]) == (
            doc["id"],
            "in_review",
            DRAFTER,
            "somu.somu",
        )
        assert body["pending"] == [MANAGER]
        assert [(s["stage_kind"], s["assignee_id"], s["state"]) for s in body["steps"]] == [
            ("review", MANAGER, "pending"),
            ("consult", FINANCE, "waiting"),
            ("decide", DIRECTOR, "waiting"),
        ]
    assert_problem(await stack.call(STRANGER, "GET", f"/v1/documents/{doc['id']}"), 403)


async def test_route_preview(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER, amount_yen=BIG)
    r = await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/route-preview")
    assert r.status_code == 200, r.text
    stages = r.json()["stages"]
    assert [(s["kind"], [a["id"] for a in s["assignees"]]) for s in stages] == [
        ("review", [MANAGER]),
        ("consult", [FINANCE]),
        ("decide", [DIRECTOR]),
    ]
    assert all(s["reason"] for s in stages)


async def test_inbox_lists_my_pending_steps_oldest_first(stack: Stack) -> None:
    first, second = await submitted(stack, BIG), await submitted(stack, BIG)
    inbox = await every_item(stack, MANAGER, "/v1/inbox")
    items = {i["document_id"]: i for i in inbox}
    order = [i["document_id"] for i in inbox]
    assert order.index(first["id"]) < order.index(second["id"])
    assert items[first["id"]]["stage_kind"] == "review"
    assert items[first["id"]]["title"] == first["title"]
    assert items[first["id"]]["since"] is not None
    assert [i["since"] for i in inbox] == sorted(i["since"] for i in inbox)

    for other in (DRAFTER, FINANCE, DIRECTOR):  # not theirs yet
        assert first["id"] not in {i["document_id"] for i in await every_item(stack, other, "/v1/inbox")}


async def test_audit_trail_is_chained_and_verified(stack: Stack) -> None:
    doc = await submitted(stack, BIG)
    r = await stack.act(MANAGER, doc["id"], "approve", comment="了")
    assert r.status_code == 200, r.text
    for reader in (DRAFTER, MANAGER, ADMIN):
        r = await stack.call(reader, "GET", f"/v1/documents/{doc['id']}/audit")
        assert r.status_code == 200, r.text
        audit = r.json()
        assert audit["verified"] is True and audit["problem"] is None
        events = audit["events"]
        assert [(e["seq"], e["action"], e["actor_id"]) for e in events] == [
            (1, "create", DRAFTER),
            (2, "submit", DRAFTER),
            (3, "approve", MANAGER),
        ]
        assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(events))
    assert_problem(await stack.call(STRANGER, "GET", f"/v1/documents/{doc['id']}/audit"), 403)


# --- OpenAPI ----------------------------------------------------------------------------------------------

ROUTES = {
    ("/v1/auth/token", "post"),
    ("/v1/staff", "get"),
    ("/v1/me", "get"),
    ("/v1/documents", "get"),
    ("/v1/documents", "post"),
    ("/v1/documents/{document_id}", "get"),
    ("/v1/documents/{document_id}/route-preview", "post"),
    ("/v1/documents/{document_id}/submit", "post"),
    ("/v1/documents/{document_id}/actions", "post"),
    ("/v1/documents/{document_id}/audit", "get"),
    ("/v1/inbox", "get"),
}


async def test_openapi_lists_the_routes(stack: Stack) -> None:
    r = await stack.http.get("/openapi.json")
    assert r.status_code == 200, r.text
    spec = r.json()
    assert spec["info"]["title"] == "ringi"
    listed = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert listed >= ROUTES
    assert "/health" not in spec["paths"]

    schemes = spec["components"]["securitySchemes"]
    assert any(s == {"type": "http", "scheme": "bearer"} for s in schemes.values())
    for path, method in ROUTES - {("/v1/auth/token", "post")}:
        assert spec["paths"][path][method].get("security"), f"{method} {path} declares no bearer security"

    action = spec["paths"]["/v1/documents/{document_id}/actions"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in action["parameters"] if p["in"] == "header"}
    listing = spec["paths"]["/v1/documents"]["get"]
    assert {"limit", "offset"} <= {p["name"] for p in listing["parameters"]}
