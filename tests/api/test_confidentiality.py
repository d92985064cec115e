"""Who sees a document: roles x confidentiality (機密性 1, 2, 3) x states (draft, in review, decided).

A document is visible to its drafter, its route (回議, 合議, 決裁, 供覧, who acted, 代決者 of an absent decider),
the drafter's division, the records office (a role granted to named people: the 総務課長 and one 総務課 係長 in the
demo city — not the rest of 総務課) and admins.  Anyone else is refused: 403 for 機密性1,
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
    "records_office": holder("somu.somu", "chief"),  # 総務課 係長 granted records_office (文書担当)
    "records_division_staff": DRAFTER,  # 総務課 主事: in the records office's division, holds no grant
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


# --- lists carry no content of a 機密性2+ document; its page does, with a view record ------------------------------


def _views(audit: dict[str, Any], staff_id: str) -> int:
    return sum(1 for e in audit["events"] if e["action"] == "view" and e["actor_id"] == staff_id)


@pytest.mark.parametrize("level", LEVELS)
async def test_lists_carry_no_body_or_details_of_a_classified_document(
    stack: Stack, documents: Scene, level: int
) -> None:
    document_id = documents.ids["in_review", level]
    reader = ROLES["colleague"]
    before = (await stack.call(AUTHOR, "GET", f"/v1/documents/{document_id}/audit")).json()
    visible = await stack.call(reader, "GET", "/v1/documents", params={"scope": "visible", "limit": 200})
    mine = await stack.call(AUTHOR, "GET", "/v1/documents", params={"limit": 200})
    for listed in (visible, mine):
        assert listed.status_code == 200, listed.text
        item = next(d for d in listed.json()["items"] if d["id"] == document_id)
        assert item["title"] == "備品購入について", "the title stays: a list names what it lists"
        if level == 1:
            assert item["body"] and not item["content_omitted"]
        else:
            assert (item["body"], item["details"], item["content_omitted"]) == ("", None, True), item
    after_lists = (await stack.call(AUTHOR, "GET", f"/v1/documents/{document_id}/audit")).json()
    assert _views(after_lists, reader) == _views(before, reader), "a list records no view: so it shows no content"
    page = await stack.call(reader, "GET", f"/v1/documents/{document_id}")
    assert page.json()["body"] == "下記のとおり購入してよろしいか伺います。" and not page.json()["content_omitted"]
    after_page = (await stack.call(AUTHOR, "GET", f"/v1/documents/{document_id}/audit")).json()
    assert _views(after_page, reader) == _views(before, reader) + (1 if level >= 2 else 0)


# --- 引用起案 of a 機密性2+ document stays in its division, and is an event in the source's chain -----------------


@pytest.mark.parametrize("level", LEVELS)
async def test_a_copy_of_a_classified_document_stays_in_its_division_and_is_in_the_source_chain(
    stack: Stack, documents: Scene, level: int
) -> None:
    source = documents.ids["in_review", level]
    elsewhere = await stack.call(ROLES["consult"], "POST", f"/v1/documents/{source}/copy")  # on the route, 財政課
    if level == 1:
        assert elsewhere.status_code == 201, elsewhere.text
    else:
        assert "drafting division" in assert_problem(elsewhere, 403)["detail"]
    inside = await stack.call(ROLES["colleague"], "POST", f"/v1/documents/{source}/copy")
    assert inside.status_code == 201, inside.text
    copy = inside.json()
    assert (copy["org_unit"], copy["copied_from"], copy["confidentiality"]) == ("fukushi.kodomo", source, level)
    audit = (await stack.call(AUTHOR, "GET", f"/v1/documents/{source}/audit")).json()
    assert audit["verified"], audit["problem"]
    copied = [e for e in audit["events"] if e["action"] == "copied"]
    assert copy["id"] in {e["detail"]["copy"] for e in copied}
    made = {e["detail"]["copy"]: e["actor_id"] for e in copied}
    assert made[copy["id"]] == ROLES["colleague"]
    if level == 1:
        assert made[elsewhere.json()["id"]] == ROLES["consult"]
    else:
        assert ROLES["consult"] not in made.values(), "a refused copy leaves no trace but the refusal"


# --- a hidden document answers exactly like a missing one, on every document route --------------------------------

DOCUMENT_ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "", {}),
    ("PATCH", "", {"json": {"title": "書き換え"}}),
    ("POST", "/copy", {}),
    ("POST", "/route-preview", {}),
    ("POST", "/submit", {}),
    ("POST", "/actions", {"json": {"action": "approve"}}),
    ("POST", "/resubmit", {"json": {"comment": ""}}),
    ("GET", "/audit", {}),
    ("GET", "/actions/allowed", {}),
    ("GET", "/attachments", {}),
    ("POST", "/attachments", {"files": {"file": ("memo.txt", b"memo", "text/plain")}}),
    ("GET", "/attachments/1", {}),
    ("DELETE", "/attachments/1", {}),
    ("GET", "/print", {}),
    ("GET", "/limits", {}),
    (
        "POST",
        "/issuance",
        {
            "json": {
                "clean_copy_on": "2026-06-01",
                "seal_omitted": True,
                "dispatch_method": "post",
                "dispatched_on": "2026-06-01",
            }
        },
    ),
    ("POST", "/retention-extension", {"json": {"years": 1, "reason": "訴訟のため"}}),
    ("GET", "/retention-extensions", {}),
    ("POST", "/filing", {"json": {"file_id": str(uuid.UUID(int=1))}}),
]


def _shape(response: Any, document_id: str) -> tuple[int, str, str, str]:
    body = response.json()
    return (
        response.status_code,
        body.get("type", ""),
        body.get("title", ""),
        str(body.get("detail")).replace(document_id, "{id}"),
    )


async def test_the_walk_covers_every_document_route(stack: Stack) -> None:
    spec = (await stack.http.get("/openapi.json")).json()
    prefix = "/v1/documents/{document_id}"
    routes = {
        (method.upper(), path[len(prefix) :].replace("{n}", "1"))
        for path, ops in spec["paths"].items()
        if path.startswith(prefix)
        for method in ops
    }
    assert routes == {(method, tail) for method, tail, _ in DOCUMENT_ROUTES}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize(
    ("method", "tail", "request_args"), [pytest.param(*r, id=f"{r[0]}{r[1]}") for r in DOCUMENT_ROUTES]
)
async def test_every_document_route_answers_a_hidden_document_like_a_missing_one(
    stack: Stack, documents: Scene, state: str, method: str, tail: str, request_args: dict[str, Any]
) -> None:
    hidden = documents.ids[state, 3]
    missing = str(uuid.uuid4())
    who = ROLES["unrelated"]
    answers = []
    for document_id in (hidden, missing):
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        r = await stack.call(who, method, f"/v1/documents/{document_id}{tail}", headers=headers, **request_args)
        assert r.status_code >= 400, r.text
        answers.append(_shape(r, document_id))
    assert answers[0] == answers[1]


@pytest.mark.parametrize("state", STATES)
async def test_a_follow_up_of_a_hidden_document_is_refused_like_one_of_a_missing_document(
    stack: Stack, documents: Scene, state: str
) -> None:
    hidden = documents.ids[state, 3]
    missing = str(uuid.uuid4())
    answers = []
    for parent in (hidden, missing):
        r = await stack.call(
            ROLES["unrelated"],
            "POST",
            "/v1/documents",
            json={
                "title": "続報",
                "matter": "spending",
                "amount_yen": 1000,
                "confidentiality": 1,
                "retention_years": 5,
                "follow_up_of": parent,
            },
        )
        assert_problem(r, 422)
        answers.append(_shape(r, parent))
    assert answers[0] == answers[1]


# --- the records office is a role, not 総務課 --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [(ROLES["records_office"], True), (holder("somu.somu", "manager"), True), (DRAFTER, False), (ADMIN, True)],
    ids=["granted-chief", "manager", "somu-staff", "admin"],
)
async def test_records_office_powers_come_from_the_grant(stack: Stack, who: str, allowed: bool) -> None:
    for path in ("/v1/seal-log", "/v1/records/disposals", "/v1/intake/queue"):
        r = await stack.call(who, "GET", path)
        if allowed:
            assert r.status_code == 200, (path, r.text)
        else:
            assert "records office" in assert_problem(r, 403)["detail"], path
