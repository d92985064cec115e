"""Bad input never breaks the API: each gets a 4xx problem response with a reason and leaves the data unchanged.

Malformed JSON, missing or extra fields, bad amounts, huge bodies, unknown ids, expired or forged tokens,
actions by the wrong person or in the wrong state, a second submit (RFC 9457 problem details throughout).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import pytest_asyncio

from core.security import issue_token
from tests.api.support import (
    ADMIN,
    BIG,
    DIRECTOR,
    DRAFTER,
    FINANCE,
    MANAGER,
    SMALL,
    STRANGER,
    assert_problem,
    audit_actions,
    completed,
    document_total,
    snapshot,
    submitted,
)
from tests.support.stack import Stack

VALID: dict[str, Any] = {
    "title": "備品購入について",
    "body": "下記のとおり購入してよろしいか伺います。",
    "matter": "spending",
    "amount_yen": 120_000,
    "confidentiality": 1,
    "retention_years": 5,
}


def without(field: str) -> dict[str, Any]:
    return {k: v for k, v in VALID.items() if k != field}


def with_(**changes: Any) -> dict[str, Any]:
    return {**VALID, **changes}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def pending(stack: Stack) -> AsyncIterator[dict[str, Any]]:
    """A submitted 1.5M-yen document waiting for the 総務課長 (shared: nothing here may change it)."""
    doc = await submitted(stack, BIG)
    assert doc["pending"] == [MANAGER]
    before = await snapshot(stack, DRAFTER, doc["id"])
    yield doc
    assert await snapshot(stack, DRAFTER, doc["id"]) == before


# --- creating a draft -------------------------------------------------------------------------------------

BAD_DRAFTS = [
    pytest.param(without("title"), "title", id="missing-title"),
    pytest.param(without("matter"), "matter", id="missing-matter"),
    pytest.param(without("amount_yen"), "amount_yen", id="missing-amount"),
    pytest.param(with_(status="approved"), "status", id="extra-status"),
    pytest.param(with_(drafter_id=MANAGER), "drafter_id", id="extra-drafter"),
    pytest.param(with_(id=str(uuid.uuid4())), "id", id="extra-id"),
    pytest.param(with_(amount_yen=-1), "amount_yen", id="negative-amount"),
    pytest.param(with_(amount_yen=1.5), "amount_yen", id="fractional-amount"),
    pytest.param(with_(amount_yen=1000.0), "amount_yen", id="float-amount"),
    pytest.param(with_(amount_yen="1000"), "amount_yen", id="string-amount"),
    pytest.param(with_(amount_yen=True), "amount_yen", id="boolean-amount"),
    pytest.param(with_(amount_yen=None), "amount_yen", id="null-amount"),
    pytest.param(with_(amount_yen=10**14), "amount_yen", id="huge-amount"),
    pytest.param(with_(amount_yen=10**40), "amount_yen", id="bignum-amount"),
    pytest.param(with_(title=""), "title", id="empty-title"),
    pytest.param(with_(title="   "), "title", id="blank-title"),
    pytest.param(with_(title="あ" * 201), "title", id="long-title"),
    pytest.param(with_(title=["a"]), "title", id="list-title"),
    pytest.param(with_(title="件名\r\nBcc: x@example.jp"), "title", id="crlf-title"),
    pytest.param(with_(title="件名\n続き"), "title", id="lf-title"),
    pytest.param(with_(title="件名\t続き"), "title", id="tab-title"),
    pytest.param(with_(title="件名\x1b[31m"), "title", id="escape-title"),
    pytest.param(with_(title="件名\x85続き"), "title", id="c1-next-line-title"),
    pytest.param(with_(title="件名\u2028続き"), "title", id="line-separator-title"),
    pytest.param(with_(body="x" * 100_001), "body", id="long-body"),
    pytest.param(with_(matter="gift"), "matter", id="unknown-matter"),
    pytest.param(with_(confidentiality=4), "confidentiality", id="unknown-confidentiality"),
    pytest.param(with_(retention_years=7), "retention_years", id="unknown-retention"),
]


@pytest.mark.parametrize(("body", "field"), BAD_DRAFTS)
async def test_invalid_draft_is_refused_with_the_field_named(stack: Stack, body: dict[str, Any], field: str) -> None:
    before = await document_total(stack, DRAFTER)
    r = await stack.call(DRAFTER, "POST", "/v1/documents", json=body)
    problem = assert_problem(r, 422)
    assert field in problem["detail"]
    assert await document_total(stack, DRAFTER) == before


RAW_BODIES = [
    pytest.param(b'{"title": "x", ', id="truncated"),
    pytest.param(b"{'title': 'x'}", id="single-quotes"),
    pytest.param(b"", id="empty"),
    pytest.param(b"null", id="null"),
    pytest.param(b"[]", id="array"),
    pytest.param(b'"a string"', id="string"),
    pytest.param(b"42", id="number"),
    pytest.param(b'{"title": "\xff\xfe"}', id="invalid-utf8"),
    pytest.param(b"NaN", id="nan"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, id="deeply-nested"),
]


@pytest.mark.parametrize("raw", RAW_BODIES)
async def test_malformed_json_is_refused(stack: Stack, raw: bytes) -> None:
    before = await document_total(stack, DRAFTER)
    r = await stack.call(DRAFTER, "POST", "/v1/documents", content=raw, headers={"Content-Type": "application/json"})
    assert_problem(r, {400, 422})
    assert await document_total(stack, DRAFTER) == before


async def test_non_json_content_type_is_refused(stack: Stack) -> None:
    before = await document_total(stack, DRAFTER)
    r = await stack.call(DRAFTER, "POST", "/v1/documents", data={"title": "x", "amount_yen": "1"})
    assert_problem(r, {415, 422})
    assert await document_total(stack, DRAFTER) == before


async def test_nul_characters_are_refused(stack: Stack) -> None:
    """PostgreSQL cannot store NUL in text: it must be a 422, not a database error."""
    before = await document_total(stack, DRAFTER)
    r = await stack.call(DRAFTER, "POST", "/v1/documents", json=with_(title="備品\x00購入"))
    assert_problem(r, 422)
    r = await stack.call(DRAFTER, "POST", "/v1/documents", json=with_(body="本文\x00"))
    assert_problem(r, 422)
    assert await document_total(stack, DRAFTER) == before


TEN_MB = 10 * 1024 * 1024


async def test_ten_megabyte_title_is_refused(stack: Stack) -> None:
    before = await document_total(stack, DRAFTER)
    r = await stack.call(DRAFTER, "POST", "/v1/documents", json=with_(title="x" * TEN_MB))
    problem = assert_problem(r, {413, 422})
    assert r.status_code == 413 and "limited" in problem["detail"]
    assert await document_total(stack, DRAFTER) == before


async def test_ten_megabyte_title_sent_chunked_is_refused(stack: Stack) -> None:
    """Without a Content-Length (chunked transfer) the body limit still holds."""
    payload = f'{{"title": "{"x" * TEN_MB}", "matter": "spending", "amount_yen": 1}}'.encode()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), 65_536):
            yield payload[start : start + 65_536]

    before = await document_total(stack, DRAFTER)
    r = await stack.call(
        DRAFTER, "POST", "/v1/documents", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in r.request.headers
    assert_problem(r, 413)
    assert await document_total(stack, DRAFTER) == before


async def test_chunked_body_within_the_limit_is_accepted(stack: Stack) -> None:
    """The body limit buffers a chunked body and hands it on intact."""
    payload = json.dumps(with_(body="本文" * 50_000)).encode()  # ~300 kB in 64 kB chunks

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), 65_536):
            yield payload[start : start + 65_536]

    r = await stack.call(
        DRAFTER, "POST", "/v1/documents", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in r.request.headers
    assert r.status_code == 201, r.text
    assert r.json()["body"] == "本文" * 50_000


# --- unknown ids and routes -------------------------------------------------------------------------------

UNKNOWN_IDS = [
    pytest.param(str(uuid.uuid4()), id="uuid"),
    pytest.param("not-a-document", id="word"),
    pytest.param("文書", id="unicode"),
    pytest.param("x" * 1000, id="long"),
    pytest.param("%00", id="nul"),
    pytest.param("1%20OR%201=1", id="sql"),
]

DOCUMENT_CALLS = [
    pytest.param("GET", "", None, id="get"),
    pytest.param("GET", "/audit", None, id="audit"),
    pytest.param("POST", "/route-preview", None, id="preview"),
    pytest.param("POST", "/submit", None, id="submit"),
    pytest.param("POST", "/actions", {"action": "approve"}, id="act"),
]


@pytest.mark.parametrize("document_id", UNKNOWN_IDS)
@pytest.mark.parametrize(("method", "suffix", "body"), DOCUMENT_CALLS)
async def test_unknown_document_is_404(
    stack: Stack, document_id: str, method: str, suffix: str, body: dict[str, Any] | None
) -> None:
    before = await document_total(stack, DRAFTER)
    r = await stack.call(
        DRAFTER,
        method,
        f"/v1/documents/{document_id}{suffix}",
        json=body,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert_problem(r, 404)
    assert await document_total(stack, DRAFTER) == before


async def test_unknown_route_and_wrong_method_are_problems(stack: Stack) -> None:
    assert_problem(await stack.call(DRAFTER, "GET", "/v1/nothing-here"), 404)
    assert_problem(await stack.http.get("/v2/documents"), 404)
    assert_problem(await stack.call(DRAFTER, "DELETE", "/v1/documents"), 405)
    assert_problem(await stack.call(DRAFTER, "PUT", "/v1/inbox"), 405)


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"limit": 0}, id="limit-zero"),
        pytest.param({"limit": 201}, id="limit-too-big"),
        pytest.param({"limit": "ten"}, id="limit-word"),
        pytest.param({"limit": "1.5"}, id="limit-fraction"),
        pytest.param({"offset": -1}, id="offset-negative"),
    ],
)
async def test_bad_paging_is_refused(stack: Stack, params: dict[str, Any]) -> None:
    r = await stack.call(DRAFTER, "GET", "/v1/documents", params=params)
    problem = assert_problem(r, 422)
    assert next(iter(params)) in problem["detail"]


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"org_unit": "somu.somu'; DROP TABLE staff; --"}, id="sql"),
        pytest.param({"post": "MANAGER"}, id="upper-case"),
        pytest.param({"org_unit": "x" * 65}, id="too-long"),
        pytest.param({"post": "課長"}, id="japanese"),
    ],
)
async def test_bad_staff_filters_are_refused(stack: Stack, params: dict[str, str]) -> None:
    r = await stack.call(DRAFTER, "GET", "/v1/staff", params=params)
    assert_problem(r, 422)


# --- tokens -----------------------------------------------------------------------------------------------


NO_SESSION = "no-such-session"


def _bad_credentials(stack: Stack, kind: str) -> dict[str, str]:
    secret = stack.settings.jwt_signing_secret()
    now = datetime.now(UTC)
    if kind == "none":
        return {}
    if kind == "expired":
        token = issue_token(DRAFTER, NO_SESSION, secret=secret, ttl_seconds=60, now=now - timedelta(hours=1))
    elif kind == "other-secret":
        token = issue_token(DRAFTER, NO_SESSION, secret="another-secret-0123456789abcdef-xyz", ttl_seconds=600)
    elif kind == "garbage":
        token = "not.a.jwt"
    elif kind == "alg-none":
        token = jwt.encode({"sub": DRAFTER, "iss": "ringi", "exp": now + timedelta(hours=1)}, None, "none")
    elif kind == "wrong-issuer":
        claims = {"sub": DRAFTER, "iss": "elsewhere", "exp": now + timedelta(hours=1)}
        token = jwt.encode(claims, secret, algorithm="HS256")
    elif kind == "no-expiry":
        token = jwt.encode({"sub": DRAFTER, "iss": "ringi"}, secret, algorithm="HS256")
    elif kind == "no-subject":
        token = jwt.encode({"iss": "ringi", "exp": now + timedelta(hours=1)}, secret, algorithm="HS256")
    elif kind == "unknown-staff":
        token = issue_token("s9999", NO_SESSION, secret=secret, ttl_seconds=600)
    elif kind == "tampered":
        header, payload, signature = issue_token(DRAFTER, NO_SESSION, secret=secret, ttl_seconds=600).split(".")
        other = issue_token(ADMIN, NO_SESSION, secret=secret, ttl_seconds=600).split(".")[1]
        token = f"{header}.{other}.{signature}"
        assert other != payload
    elif kind == "basic-scheme":
        return {"Authorization": "Basic ZGVtbzpkZW1v"}
    elif kind == "empty-bearer":
        return {"Authorization": "Bearer"}
    else:  # pragma: no cover
        raise AssertionError(kind)
    return {"Authorization": f"Bearer {token}"}


TOKEN_KINDS = [
    "none",
    "expired",
    "other-secret",
    "garbage",
    "alg-none",
    "wrong-issuer",
    "no-expiry",
    "no-subject",
    "unknown-staff",
    "tampered",
    "basic-scheme",
    "empty-bearer",
]


@pytest.mark.parametrize("kind", TOKEN_KINDS)
async def test_bad_token_is_401_and_changes_nothing(stack: Stack, kind: str, pending: dict[str, Any]) -> None:
    auth = _bad_credentials(stack, kind)
    documents_before = await document_total(stack, DRAFTER)

    problem = assert_problem(await stack.http.get("/v1/me", headers=auth), 401)
    if kind == "expired":
        assert "expired" in problem["detail"]
    assert_problem(await stack.http.get("/v1/documents", headers=auth), 401)
    assert_problem(await stack.http.get(f"/v1/documents/{pending['id']}", headers=auth), 401)
    assert_problem(await stack.http.post("/v1/documents", json=VALID, headers=auth), 401)
    r = await stack.http.post(
        f"/v1/documents/{pending['id']}/actions",
        json={"action": "withdraw", "comment": "取下げ"},
        headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert_problem(r, 401)

    assert await document_total(stack, DRAFTER) == documents_before


async def test_expired_token_of_the_right_person_cannot_act(stack: Stack, pending: dict[str, Any]) -> None:
    token = issue_token(
        MANAGER,
        NO_SESSION,
        secret=stack.settings.jwt_signing_secret(),
        ttl_seconds=stack.settings.jwt_ttl_seconds,
        now=datetime.now(UTC) - timedelta(seconds=stack.settings.jwt_ttl_seconds + 5),
    )
    r = await stack.http.post(
        f"/v1/documents/{pending['id']}/actions",
        json={"action": "approve"},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
    )
    assert "expired" in assert_problem(r, 401)["detail"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"staff_id": DRAFTER, "password": "wrong"}, id="wrong-password"),
        pytest.param({"staff_id": "s9999", "password": "demo"}, id="unknown-staff"),
        pytest.param({"staff_id": DRAFTER.upper() + " ", "password": "demo"}, id="mangled-id"),
    ],
)
async def test_sign_in_with_wrong_credentials_is_401(stack: Stack, body: dict[str, str]) -> None:
    r = await stack.http.post("/v1/auth/token", json=body)
    assert_problem(r, 401)
    assert "access_token" not in r.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"staff_id": DRAFTER}, "password", id="missing-password"),
        pytest.param({"password": "demo"}, "staff_id", id="missing-staff-id"),
        pytest.param({"staff_id": DRAFTER, "password": "demo", "admin": True}, "admin", id="extra"),
        pytest.param({"staff_id": "", "password": "demo"}, "staff_id", id="empty-staff-id"),
        pytest.param({"staff_id": DRAFTER, "password": 1234}, "password", id="number-password"),
        pytest.param({"staff_id": "s\x00", "password": "demo"}, "staff_id", id="nul-staff-id"),
    ],
)
async def test_malformed_sign_in_is_422(stack: Stack, body: dict[str, Any], field: str) -> None:
    r = await stack.http.post("/v1/auth/token", json=body)
    assert field in assert_problem(r, 422)["detail"]


async def test_malformed_json_sign_in_is_422(stack: Stack) -> None:
    r = await stack.http.post("/v1/auth/token", content=b'{"staff_id": ', headers={"Content-Type": "application/json"})
    assert_problem(r, 422)


# --- actions: the wrong person, the wrong state, a malformed request --------------------------------------

WRONG_PEOPLE = [
    pytest.param(DRAFTER, "approve", "", id="drafter-approves"),
    pytest.param(FINANCE, "approve", "", id="later-stage-approves"),
    pytest.param(DIRECTOR, "send_back", "理由", id="decider-sends-back-early"),
    pytest.param(STRANGER, "approve", "", id="stranger-approves"),
    pytest.param(STRANGER, "withdraw", "理由", id="stranger-withdraws"),
    pytest.param(ADMIN, "approve", "", id="admin-approves"),
    pytest.param(MANAGER, "withdraw", "理由", id="approver-withdraws"),
    pytest.param(MANAGER, "resubmit", "", id="approver-resubmits"),
]


@pytest.mark.parametrize(("actor", "action", "comment"), WRONG_PEOPLE)
async def test_action_by_the_wrong_person_is_403(
    stack: Stack, pending: dict[str, Any], actor: str, action: str, comment: str
) -> None:
    before = await snapshot(stack, DRAFTER, pending["id"])
    r = await stack.act(actor, pending["id"], action, comment=comment)
    assert_problem(r, 403)
    assert await snapshot(stack, DRAFTER, pending["id"]) == before


async def test_not_your_step_names_whose_step_it_is(stack: Stack, pending: dict[str, Any]) -> None:
    r = await stack.act(FINANCE, pending["id"], "approve")
    assert MANAGER in assert_problem(r, 403)["detail"]


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("GET", ""), ("GET", "/audit"), ("POST", "/route-preview"), ("POST", "/submit")],
)
async def test_stranger_cannot_see_or_submit(stack: Stack, pending: dict[str, Any], method: str, suffix: str) -> None:
    r = await stack.call(STRANGER, method, f"/v1/documents/{pending['id']}{suffix}")
    assert_problem(r, 403)


async def test_only_the_drafter_submits(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER, amount_yen=SMALL)
    before = await snapshot(stack, DRAFTER, doc["id"])
    assert_problem(await stack.call(STRANGER, "POST", f"/v1/documents/{doc['id']}/submit"), 403)
    # Nobody is on a draft's route yet, so the manager does not see it either.
    assert_problem(await stack.call(MANAGER, "POST", f"/v1/documents/{doc['id']}/submit"), 403)
    assert await snapshot(stack, DRAFTER, doc["id"]) == before
    assert before["document"]["status"] == "draft"


async def test_second_submit_is_409(stack: Stack) -> None:
    doc = await submitted(stack, SMALL)
    before = await snapshot(stack, DRAFTER, doc["id"])
    for key in (None, str(uuid.uuid4())):
        headers = {"Idempotency-Key": key} if key else {}
        r = await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/submit", headers=headers)
        assert "submitted" in assert_problem(r, 409)["detail"]
    after = await snapshot(stack, DRAFTER, doc["id"])
    assert after == before
    assert audit_actions(after) == ["create", "submit"]


async def test_actions_on_a_draft_are_409(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER, amount_yen=SMALL)
    before = await snapshot(stack, DRAFTER, doc["id"])
    for action in ("approve", "withdraw", "resubmit"):
        r = await stack.act(DRAFTER, doc["id"], action, comment="理由")
        assert "not been submitted" in assert_problem(r, 409)["detail"]
    assert await snapshot(stack, DRAFTER, doc["id"]) == before


async def test_resubmit_while_in_review_is_409(stack: Stack, pending: dict[str, Any]) -> None:
    before = await snapshot(stack, DRAFTER, pending["id"])
    r = await stack.act(DRAFTER, pending["id"], "resubmit")
    assert "in_review" in assert_problem(r, 409)["detail"]
    assert await snapshot(stack, DRAFTER, pending["id"]) == before


async def test_actions_on_a_decided_document_are_409(stack: Stack) -> None:
    doc = await submitted(stack, SMALL)  # the 総務課長 decides alone
    r = await stack.act(MANAGER, doc["id"], "approve")
    assert r.status_code == 200 and r.json()["status"] == "approved", r.text
    await completed(stack, DRAFTER, doc["id"])
    before = await snapshot(stack, DRAFTER, doc["id"])
    for actor, action in [
        (MANAGER, "approve"),
        (MANAGER, "send_back"),
        (DRAFTER, "withdraw"),
        (DRAFTER, "resubmit"),
    ]:
        r = await stack.act(actor, doc["id"], action, comment="理由")
        assert "approved" in assert_problem(r, 409)["detail"]
    r = await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/submit")
    assert_problem(r, 409)
    after = await snapshot(stack, DRAFTER, doc["id"])
    assert after == before
    assert audit_actions(after) == ["create", "submit", "approve", "number", "complete"]


async def test_actions_on_a_withdrawn_document_are_409(stack: Stack) -> None:
    doc = await submitted(stack, SMALL)
    r = await stack.act(DRAFTER, doc["id"], "withdraw", comment="取り下げます")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn", r.text
    await completed(stack, DRAFTER, doc["id"])
    before = await snapshot(stack, DRAFTER, doc["id"])
    for actor, action in [(MANAGER, "approve"), (DRAFTER, "resubmit"), (DRAFTER, "withdraw")]:
        r = await stack.act(actor, doc["id"], action, comment="理由")
        assert_problem(r, 409)
    assert await snapshot(stack, DRAFTER, doc["id"]) == before


BAD_ACTIONS = [
    pytest.param({"action": "approve_all"}, "action", id="unknown-action"),
    pytest.param({"action": "APPROVE"}, "action", id="upper-case-action"),
    pytest.param({}, "action", id="missing-action"),
    pytest.param({"action": None}, "action", id="null-action"),
    pytest.param({"action": "approve", "actor_id": MANAGER}, "actor_id", id="impersonation"),
    pytest.param({"action": "approve", "status": "approved"}, "status", id="extra-status"),
    pytest.param({"action": "approve", "comment": "あ" * 4001}, "comment", id="long-comment"),
    pytest.param({"action": "approve", "comment": 5}, "comment", id="number-comment"),
    pytest.param({"action": "send_back", "comment": ""}, "reason", id="send-back-without-reason"),
    pytest.param({"action": "send_back", "comment": "  \n "}, "reason", id="send-back-blank-reason"),
]


@pytest.mark.parametrize(("body", "field"), BAD_ACTIONS)
async def test_malformed_action_is_422(stack: Stack, pending: dict[str, Any], body: dict[str, Any], field: str) -> None:
    before = await snapshot(stack, DRAFTER, pending["id"])
    r = await stack.call(
        MANAGER,
        "POST",
        f"/v1/documents/{pending['id']}/actions",
        json=body,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert field in assert_problem(r, 422)["detail"]
    assert await snapshot(stack, DRAFTER, pending["id"]) == before


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"action": "approve"', id="truncated"),
        pytest.param(b"approve", id="bare-word"),
        pytest.param(b'["approve"]', id="array"),
    ],
)
async def test_malformed_json_action_is_422(stack: Stack, pending: dict[str, Any], raw: bytes) -> None:
    before = await snapshot(stack, DRAFTER, pending["id"])
    r = await stack.call(
        MANAGER,
        "POST",
        f"/v1/documents/{pending['id']}/actions",
        content=raw,
        headers={"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())},
    )
    assert_problem(r, 422)
    assert await snapshot(stack, DRAFTER, pending["id"]) == before


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"Idempotency-Key": ""}, id="empty"),
        pytest.param({"Idempotency-Key": "k" * 201}, id="too-long"),
    ],
)
async def test_action_without_a_usable_idempotency_key_is_refused(
    stack: Stack, pending: dict[str, Any], headers: dict[str, str]
) -> None:
    before = await snapshot(stack, DRAFTER, pending["id"])
    r = await stack.call(
        MANAGER, "POST", f"/v1/documents/{pending['id']}/actions", json={"action": "approve"}, headers=headers
    )
    assert "Idempotency-Key" in assert_problem(r, {400, 422, 428})["detail"]
    assert await snapshot(stack, DRAFTER, pending["id"]) == before
