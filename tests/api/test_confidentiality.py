"""Who sees a document: roles x confidentiality (機密性 1, 2, 3) x states (draft, in review, decided).

A document is visible to its drafter, its route (回議, 合議, 決裁, 供覧, who acted, 代決者 of an absent decider),
the drafter's division, the records office (総務課) and admins.  Anyone else is refused: 403 for 機密性1,
404 — the answer for a document that does not exist — for 機密性2 and 3, on reads and on actions alike, and the
document is left out of their lists.

The documents: 1.5M yen drafted in 子育て支援課 (福祉部, not its lead division): 子育て支援課長 (回議) -> 財政課長
(合議) -> 福祉部長 (決裁) -> a 土木課 主事 (供覧).  The 福祉部長's 代決者 is the 社会福祉課長 (lead division).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio

from tests.api.support import ADMIN, BIG, DRAFTER, assert_problem
from tests.api.test_action_authorisation import absent
from tests.support.stack import CITY, Stack, holder


def _holders(unit: str, post: str) -> list[str]:
    return [a.staff_id for a in CITY.assignments if a.org_unit_code == unit and a.post_code == post]


AUTHOR, COLLEAGUE = _holders("fukushi.kodomo", "staff")[:2]
ROLES = {
    "drafter": AUTHOR,
    "colleague": COLLEAGUE,  # 子育て支援課: the drafter's division
    "other_division": holder("fukushi.korei", "staff"),  # 高齢者支援課: same department, other division
    "reviewer": holder("fukushi.kodomo", "manager"),
    "consult": holder("somu.zaisei", "manager"),
    "decider": holder("fukushi", "director"),
    "substitute": holder("fukushi.shakai", "manager"),
    "reader": holder("doboku.doboku", "staff"),
    "records_office": DRAFTER,  # 総務課 主事
    "admin": ADMIN,
    "unrelated": holder("norin.nosei", "staff"),
}
DECIDER = ROLES["decider"]

#: Who sees a document in each state (the substitute: while the decider is absent, or once they decided).
ALWAYS = {"drafter", "colleague", "reviewer", "records_office", "admin"}
ROUTED = ALWAYS | {"consult", "decider", "substitute", "reader"}
SEES = {"draft": ALWAYS, "in_review": ROUTED, "decided": ROUTED}
STATES = tuple(SEES)
LEVELS = (1, 2, 3)


async def _draft(stack: Stack, confidentiality: int) -> str:
    doc = await stack.draft(AUTHOR, BIG, confidentiality=confidentiality, readers=[ROLES["reader"]])
    return str(doc["id"])


async def _in_review(stack: Stack, confidentiality: int) -> str:
    """Approved by the 課長 and the 財政課長: the 福祉部長 decides."""
    doc = await stack.submitted(AUTHOR, BIG, confidentiality=confidentiality, readers=[ROLES["reader"]])
    assert [s["stage_kind"] for s in doc["steps"]] == ["review", "consult", "decide", "circulate"], doc["steps"]
    await stack.ok(ROLES["reviewer"], doc["id"], "approve")
    after = await stack.ok(ROLES["consult"], doc["id"], "approve")
    assert after["pending"] == [DECIDER]
    return str(doc["id"])


async def _decided(stack: Stack, hr_url: str, confidentiality: int) -> str:
    """Decided by 代決 (the 福祉部長 on leave), now in 供覧."""
    doc_id = await _in_review(stack, confidentiality)
    async with absent(hr_url, DECIDER):
        after = await stack.ok(ROLES["substitute"], doc_id, "substitute", on_behalf_of=DECIDER)
    assert after["status"] == "circulating", after
    return doc_id


@dataclass
class Scene:
    ids: dict[tuple[str, int], str]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def documents(stack: Stack, hr_url: str) -> Scene:
    ids: dict[tuple[str, int], str] = {}
    for level in LEVELS:
        ids["draft", level] = await _draft(stack, level)
        ids["in_review", level] = await _in_review(stack, level)
        ids["decided", level] = await _decided(stack, hr_url, level)
    return Scene(ids)


def _refused(level: int) -> int:
    return 403 if level == 1 else 404


def _check(response: Any, visible: bool, level: int, document_id: str) -> None:
    if visible:
        assert response.status_code == 200, response.text
        return
    problem = assert_problem(response, _refused(level))
    if level >= 2:
        assert problem["detail"] == f"no document {document_id}", "the same answer as for a missing document"


MATRIX = [
    pytest.param(role, level, state, id=f"{state}-conf{level}-{role}")
    for state in STATES
    for level in LEVELS
    for role in ROLES
]


@pytest.mark.parametrize(("role", "level", "state"), MATRIX)
async def test_who_sees_what(stack: Stack, documents: Scene, hr_url: str, role: str, level: int, state: str) -> None:
    document_id = documents.ids[state, level]
    who = ROLES[role]
    visible = role in SEES[state]
    away = (DECIDER,) if (role, state) == ("substitute", "in_review") else ()
    async with absent(hr_url, *away):
        _check(await stack.call(who, "GET", f"/v1/documents/{document_id}"), visible, level, document_id)
        _check(await stack.call(who, "GET", f"/v1/documents/{document_id}/audit"), visible, level, document_id)
        listed = await stack.call(who, "GET", "/v1/documents", params={"scope": "visible", "limit": 200})
    assert listed.status_code == 200, listed.text
    assert (document_id in {d["id"] for d in listed.json()["items"]}) == visible


async def test_a_substitute_sees_nothing_while_the_decider_is_at_work(stack: Stack, documents: Scene) -> None:
    document_id = documents.ids["in_review", 2]
    r = await stack.call(ROLES["substitute"], "GET", f"/v1/documents/{document_id}")
    assert_problem(r, 404)


async def test_a_missing_document_and_a_hidden_one_answer_alike(stack: Stack, documents: Scene) -> None:
    hidden = documents.ids["in_review", 3]
    missing = str(uuid.uuid4())
    a = await stack.call(ROLES["unrelated"], "GET", f"/v1/documents/{hidden}")
    b = await stack.call(ROLES["unrelated"], "GET", f"/v1/documents/{missing}")
    assert (a.status_code, a.json()["title"]) == (b.status_code, b.json()["title"]) == (404, "Not found")


async def test_the_list_filters_by_status_and_my_drafts_stay_mine(stack: Stack, documents: Scene) -> None:
    r = await stack.call(ADMIN, "GET", "/v1/documents", params={"scope": "visible", "status": "draft", "limit": 200})
    assert r.status_code == 200, r.text
    assert {d["status"] for d in r.json()["items"]} == {"draft"}
    assert {documents.ids["draft", level] for level in LEVELS} <= {d["id"] for d in r.json()["items"]}
    mine = await stack.call(ROLES["colleague"], "GET", "/v1/documents", params={"limit": 200})
    assert not set(documents.ids.values()) & {d["id"] for d in mine.json()["items"]}, "scope=mine: my drafts only"
    assert_problem(await stack.call(ADMIN, "GET", "/v1/documents", params={"scope": "everything"}), 422)


# --- actions: the chain's rules for those who see, 404 for those who do not ---------------------------------------

ACTIONS = [
    # (state, role, action, extra, status for 機密性1, status for 機密性2+)
    ("in_review", "unrelated", "approve", {}, 403, 404),
    ("in_review", "other_division", "send_back", {"comment": "理由"}, 403, 404),
    ("in_review", "unrelated", "comment", {"comment": "見ました"}, 403, 404),
    ("decided", "unrelated", "acknowledge", {}, 403, 404),
    ("in_review", "substitute", "substitute", {"on_behalf_of": DECIDER}, 403, 404),  # the decider is at work
    ("in_review", "colleague", "approve", {}, 403, 403),  # sees it: not their step
    ("in_review", "records_office", "approve", {}, 403, 403),
    ("in_review", "admin", "reject", {"comment": "理由"}, 403, 403),
    ("decided", "consult", "approve", {}, 409, 409),
]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(
    ("state", "role", "action", "extra", "conf1", "conf2"),
    [pytest.param(*a, id=f"{a[2]}-{a[0]}-by-{a[1]}") for a in ACTIONS],
)
async def test_actions_follow_the_chain_for_those_who_see_and_404_for_the_others(
    stack: Stack,
    documents: Scene,
    level: int,
    state: str,
    role: str,
    action: str,
    extra: dict[str, Any],
    conf1: int,
    conf2: int,
) -> None:
    document_id = documents.ids[state, level]
    before = await stack.call(AUTHOR, "GET", f"/v1/documents/{document_id}")
    body = dict(extra)
    comment = body.pop("comment", "")
    r = await stack.act(ROLES[role], document_id, action, comment, **body)
    assert_problem(r, conf1 if level == 1 else conf2)
    after = await stack.call(AUTHOR, "GET", f"/v1/documents/{document_id}")
    assert after.json() == before.json()


@pytest.mark.parametrize("level", LEVELS)
async def test_editing_a_draft_one_cannot_see_is_404_for_conf2(stack: Stack, documents: Scene, level: int) -> None:
    document_id = documents.ids["draft", level]
    edit = {"title": "書き換え"}
    hidden = await stack.call(ROLES["unrelated"], "PATCH", f"/v1/documents/{document_id}", json=edit)
    assert_problem(hidden, _refused(level))
    seen = await stack.call(ROLES["colleague"], "PATCH", f"/v1/documents/{document_id}", json=edit)
    assert "only the drafter" in assert_problem(seen, 403)["detail"]
    for path in ("route-preview", "copy", "submit"):
        r = await stack.call(ROLES["unrelated"], "POST", f"/v1/documents/{document_id}/{path}")
        assert_problem(r, _refused(level))
