"""電子申請の収受 through the API: signed applications become receipts once (a resend answers the same receipt),
a bad signature or a stale timestamp stores nothing, an unmapped form waits in the queue until routed by hand,
CSV exports in UTF-8 (BOM) and Shift_JIS are imported row by row, and bad input answers 422 naming the field."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest_asyncio
from structlog.testing import capture_logs
from temporalio.client import Client

from core.signatures import sign
from tests.api.support import DRAFTER, STRANGER, assert_problem
from tests.support.stack import Stack, api_stack, settings_for

SOURCE = "e-shinsei"
SECRET = "intake-test-secret-0123456789"
RECORDS = DRAFTER  # 総務課 主事: the records office (文書担当課)
PATH = "/v1/intake/applications"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def intake(
    api_database_url: str, temporal_client: Client, hr_url: str, tmp_path_factory: Any
) -> AsyncIterator[Stack]:
    """The API alone (intake needs no worker) with secrets for two sources and small size limits."""
    settings = settings_for(
        database_url=api_database_url,
        temporal=temporal_client,
        hr_url=hr_url,
        data_dir=tmp_path_factory.mktemp("intake"),
        intake_secrets={SOURCE: SECRET, "other": "another-secret"},
        intake_attachment_max_bytes=1024,
        intake_max_body_bytes=2_000_000,
    )
    async with api_stack(settings, temporal_client) as stack:
        yield stack


MAPPINGS = {
    "2023-04-01.yaml": "適用日: 2023-04-01\ntitle: 例示\nforms:\n"
    "  - {form_id: f1, form_name: 旧様式1, assigned_unit: shimin.zeimu, branch: reply, category: certificate,"
    " title: '{form_name}'}\n",
    "2024-04-01.yaml": "適用日: 2024-04-01\ntitle: 例示\naddressee: 萩市長\nforms:\n"
    "  - {form_id: f1, form_name: 様式1, assigned_unit: shimin.shimin, branch: circulation, title: '{form_name}'}\n"
    "  - {form_id: f2, form_name: 様式2, assigned_unit: no.such.unit, branch: circulation, title: '{form_name}'}\n",
    "2099-04-01.yaml": "適用日: 2099-04-01\ntitle: 例示\nforms:\n"
    "  - {form_id: f1, form_name: 新様式1, assigned_unit: shimin.zeimu, branch: reply, category: certificate,"
    " title: '{form_name}'}\n",
}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def versioned(
    api_database_url: str, temporal_client: Client, hr_url: str, tmp_path_factory: Any
) -> AsyncIterator[Stack]:
    """The API with a mapping of its own: versions by 適用日 (one not yet in force), a row naming no unit."""
    rules = tmp_path_factory.mktemp("intake-rules")
    for name, text in MAPPINGS.items():
        (rules / name).write_text(text, encoding="utf-8")
    settings = settings_for(
        database_url=api_database_url,
        temporal=temporal_client,
        hr_url=hr_url,
        data_dir=tmp_path_factory.mktemp("intake-versioned"),
        intake_secrets={SOURCE: SECRET},
        intake_rules_dir=rules,
    )
    async with api_stack(settings, temporal_client) as stack:
        yield stack


def application(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "source": SOURCE,
        "form_id": "certificate-tax",
        "application_id": f"A-{uuid.uuid4().hex[:12]}",
        "submitted_at": datetime.now(UTC).isoformat(),
        "applicant": {"name": "山田 太郎", "address": "萩市大字椿東1番地", "phone": "0838-00-0000"},
        "answers": {"証明書の種類": "納税証明書", "部数": 2},
        "attachments": [],
    }
    return body | overrides


async def post(
    stack: Stack,
    body: dict[str, Any] | bytes,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    ts = int(time.time()) if timestamp is None else timestamp
    signed = {
        "content-type": "application/json",
        "X-Ringi-Timestamp": str(ts),
        "X-Ringi-Signature": sign(secret, timestamp=ts, body=raw),
    }
    return await stack.http.post(PATH, content=raw, headers=signed | (headers or {}))


async def receipt_total(stack: Stack, unit: str = "shimin.zeimu") -> int:
    r = await stack.call(RECORDS, "GET", "/v1/receipts", params={"unit": unit, "limit": 1})
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


async def queue_ids(stack: Stack) -> set[str]:
    r = await stack.call(RECORDS, "GET", "/v1/intake/queue", params={"limit": 200})
    assert r.status_code == 200, r.text
    return {item["id"] for item in r.json()["items"]}


async def test_an_application_becomes_a_receipt_and_a_resend_the_same_one(intake: Stack) -> None:
    body = application()
    r = await post(intake, body)
    assert r.status_code == 201, r.text
    first = r.json()
    assert (first["state"], first["intended_branch"], first["category"]) == ("registered", "reply", "certificate")
    assert first["receipt_number"] and first["resent"] is False and first["mapping_version"] == "2024-04-01"
    receipt = (await intake.call(RECORDS, "GET", f"/v1/receipts/{first['receipt_id']}")).json()
    assert receipt["channel"] == "online_application" and receipt["confidentiality"] == 2
    assert (receipt["sender"], receipt["sender_reference"]) == ("山田 太郎", body["application_id"])
    assert (receipt["assigned_unit"], receipt["title"]) == ("shimin.zeimu", "税務証明書交付申請 (山田 太郎)")
    assert receipt["receipt_number"] == first["receipt_number"] and "証明書の種類: 納税証明書" in receipt["summary"]
    total = await receipt_total(intake)
    for _ in range(2):  # re-sent, re-signed with a new timestamp: the first receipt, never a second
        again = await post(intake, body)
        assert again.status_code == 200, again.text
        assert again.json() | {"resent": False} == first
        assert again.json()["resent"] is True
    assert await receipt_total(intake) == total
    events = (await intake.call(RECORDS, "GET", f"/v1/receipts/{first['receipt_id']}/events")).json()["items"]
    assert [e["action"] for e in events] == ["registered", "received_online"]
    assert events[1]["detail"]["application_id"] == body["application_id"]
    # the reply drafted from it is a general matter of the form's 決裁区分 (諸証明), not a routine reply
    reply = await intake.call(RECORDS, "POST", f"/v1/receipts/{first['receipt_id']}/reply")
    assert reply.status_code == 201, reply.text
    assert (reply.json()["matter"], reply.json()["category"]) == ("general", "certificate")


async def test_racing_resends_make_one_receipt(intake: Stack) -> None:
    body = application()
    answers = await asyncio.gather(*(post(intake, body) for _ in range(4)))
    assert sorted(r.status_code for r in answers) == [200, 200, 200, 201], [r.text for r in answers]
    assert len({r.json()["receipt_id"] for r in answers}) == 1


async def test_a_bad_signature_or_a_stale_timestamp_is_401_and_stores_nothing(intake: Stack) -> None:
    body = application()
    raw = json.dumps(body, ensure_ascii=False).encode()
    now = int(time.time())
    before = await receipt_total(intake)
    attempts = [
        await post(intake, body, secret="wrong-secret"),
        await post(intake, body, secret="another-secret"),  # the secret of another source
        await post(intake, body, timestamp=now - 301),
        await post(intake, body, timestamp=now + 600),
        await post(intake, body, headers={"X-Ringi-Signature": ""}),
        await post(intake, body, headers={"X-Ringi-Signature": "sha256=" + "0" * 64}),
        await intake.http.post(PATH, content=raw, headers={"content-type": "application/json"}),
        await post(intake, application(application_id=body["application_id"], source="unknown")),
    ]
    signed = {"X-Ringi-Timestamp": str(now), "X-Ringi-Signature": sign(SECRET, timestamp=now, body=raw)}
    tampered = raw.replace("山田".encode(), "田中".encode())
    attempts.append(await intake.http.post(PATH, content=tampered, headers=signed))
    for r in attempts:
        assert "not accepted" in assert_problem(r, 401)["detail"]
    assert await receipt_total(intake) == before
    r = await post(intake, body)  # nothing was stored under its id: the good one is the first
    assert r.status_code == 201 and r.json()["resent"] is False, r.text


async def test_a_refused_attempt_is_logged_without_the_body(intake: Stack) -> None:
    body = application(answers={"秘密": "見えてはならない"})
    with capture_logs() as logs:
        r = await post(intake, body, secret="wrong-secret")
    assert_problem(r, 401)
    (entry,) = [e for e in logs if e["event"] == "intake.signature_refused"]
    assert entry["source"] == SOURCE and "does not match" in entry["reason"] and entry["body_bytes"] > 0
    assert "見えてはならない" not in json.dumps(logs, ensure_ascii=False, default=str)


async def test_an_unmapped_form_waits_in_the_queue_until_routed_by_hand(intake: Stack) -> None:
    body = application(form_id="dog-registration", applicant={"name": "佐藤 花子"})
    r = await post(intake, body)
    assert r.status_code == 202, r.text
    queued = r.json()
    assert queued["state"] == "queued" and queued["receipt_number"] is None
    assert "dog-registration" in queued["queue_reason"]
    assert queued["id"] in await queue_ids(intake)
    again = await post(intake, body)
    assert (again.status_code, again.json()["id"], again.json()["state"]) == (200, queued["id"], "queued")
    assert_problem(await intake.call(STRANGER, "GET", "/v1/intake/queue"), 403)
    route = f"/v1/intake/queue/{queued['id']}/route"
    assert_problem(await intake.call(STRANGER, "POST", route, json={"assigned_unit": "shimin.shimin"}), 403)
    for bad, field in (
        ({"assigned_unit": "no.such"}, "assigned_unit"),
        ({"assigned_unit": "shimin.shimin", "category": "nope"}, "certificate"),  # the valid ones are listed
        ({"assigned_unit": "shimin.shimin", "confidentiality": 1}, "confidentiality"),
        ({}, "assigned_unit"),
    ):
        assert field in assert_problem(await intake.call(RECORDS, "POST", route, json=bad), 422)["detail"]
    assert queued["id"] in await queue_ids(intake)
    routed = await intake.call(
        RECORDS, "POST", route, json={"assigned_unit": "shimin.shimin", "category": "certificate", "title": "犬の登録"}
    )
    assert routed.status_code == 201, routed.text
    assert (routed.json()["state"], routed.json()["category"]) == ("routed", "certificate")
    receipt = (await intake.call(RECORDS, "GET", f"/v1/receipts/{routed.json()['receipt_id']}")).json()
    assert (receipt["assigned_unit"], receipt["title"], receipt["channel"]) == (
        "shimin.shimin",
        "犬の登録",
        "online_application",
    )
    assert receipt["registered_by"] == RECORDS and receipt["sender"] == "佐藤 花子"
    assert queued["id"] not in await queue_ids(intake)
    assert (
        "routed"
        in assert_problem(await intake.call(RECORDS, "POST", route, json={"assigned_unit": "x"}), 409)["detail"]
    )
    resent = await post(intake, body)
    assert (resent.status_code, resent.json()["receipt_number"]) == (200, routed.json()["receipt_number"])
    missing = "/v1/intake/queue/00000000-0000-0000-0000-000000000000/route"
    assert_problem(await intake.call(RECORDS, "POST", missing, json={"assigned_unit": "shimin.shimin"}), 404)


async def test_the_forms_branch_and_confidentiality_come_from_the_mapping(intake: Stack) -> None:
    entry = (await post(intake, application(form_id="event-entry"))).json()
    assert entry["intended_branch"] == "receipt_only"
    closed = (await intake.call(RECORDS, "GET", f"/v1/receipts/{entry['receipt_id']}")).json()
    assert (closed["branch"], closed["outcome"], closed["assigned_unit"]) == ("closed", "closed", "kyoiku.shogai")
    assert closed["completed_at"] is not None and "受付のみ" in closed["outcome_reason"]
    welfare = (await post(intake, application(form_id="welfare-consult"))).json()
    assert welfare["intended_branch"] == "circulation"
    sensitive = (await intake.call(RECORDS, "GET", f"/v1/receipts/{welfare['receipt_id']}")).json()
    assert (sensitive["confidentiality"], sensitive["branch"]) == (3, "none")
    road = await post(intake, application(form_id="facility-use", answers={"施設名": "市民館", "使用日": "12月20日"}))
    title = (await intake.call(RECORDS, "GET", f"/v1/receipts/{road.json()['receipt_id']}")).json()["title"]
    assert title == "公共施設使用許可申請 市民館 12月20日 (山田 太郎)"


async def test_attachments_are_kept_by_their_hash(intake: Stack) -> None:
    content = "申請書の写し".encode()
    attachment = {"name": "申請書.txt", "content_type": "text/plain", "content": base64.b64encode(content).decode()}
    r = await post(intake, application(attachments=[attachment]))
    assert r.status_code == 201, r.text
    events = (await intake.call(RECORDS, "GET", f"/v1/receipts/{r.json()['receipt_id']}/events")).json()["items"]
    (kept,) = events[1]["detail"]["attachments"]
    assert kept["name"] == "申請書.txt" and kept["size"] == len(content) and len(kept["sha256"]) == 64
    receipt = (await intake.call(RECORDS, "GET", f"/v1/receipts/{r.json()['receipt_id']}")).json()
    assert "添付: 申請書.txt (text/plain)" in receipt["summary"]


async def test_bad_input_is_422_naming_the_field_and_stores_nothing(intake: Stack) -> None:
    application_id = f"A-{uuid.uuid4().hex[:12]}"
    good = application(application_id=application_id)
    large = base64.b64encode(b"x" * 2000).decode()  # over the stack's 1024-byte limit
    big = {"name": "a.bin", "content_type": "application/octet-stream", "content": large}
    cases: list[tuple[dict[str, Any] | bytes, str]] = [
        ({k: v for k, v in good.items() if k != "applicant"}, "applicant"),
        (good | {"applicant": {"name": ""}}, "applicant.name"),
        (good | {"submitted_at": "2026-12-01T10:00:00"}, "submitted_at"),
        (good | {"submitted_at": "yesterday"}, "submitted_at"),
        (good | {"form_id": ""}, "form_id"),
        (good | {"answers": ["not", "a", "dict"]}, "answers"),
        (good | {"attachments": [{"name": "a.pdf", "content_type": "application/pdf", "content": "%%%"}]}, "content"),
        (good | {"attachments": [big]}, "attachments[0].content"),
        (good | {"unexpected": 1}, "unexpected"),
        (json.dumps(good).encode()[:-1], "body"),
    ]
    for body, field in cases:
        r = await post(intake, body)
        assert field in assert_problem(r, 422)["detail"], (field, r.text)
    r = await post(intake, good)
    assert r.status_code == 201 and r.json()["resent"] is False, r.text


HEADER = "申請番号,様式ID,申請日時,氏名,住所,証明書の種類"


def export(ids: list[str]) -> str:
    """A form service's export: good rows, broken rows, an unmapped form, a duplicate; CRLF like Excel's."""
    rows = [
        HEADER,
        f"{ids[0]},certificate-tax,2026/12/01 10:15,山田 太郎,萩市,納税証明書",  # 2: registered
        f"{ids[1]},certificate-tax,2026/12/01 10:16,,萩市,所得証明書",  # 3: no name
        f"{ids[2]},certificate-tax,12月1日,鈴木 一郎,萩市,所得証明書",  # 4: bad date
        f"{ids[3]},dog-registration,2026/12/01 10:17,髙橋 花子,萩市,",  # 5: queued
        f"{ids[0]},certificate-tax,2026/12/01 10:15,山田 太郎,萩市,納税証明書",  # 6: duplicate of line 2
        f"{ids[4]},certificate-tax",  # 7: too few fields
    ]
    return "\r\n".join(rows) + "\r\n"


def ids() -> list[str]:
    return [f"C-{uuid.uuid4().hex[:10]}" for _ in range(5)]


async def test_a_csv_export_is_imported_row_by_row_in_utf8_with_bom(intake: Stack) -> None:
    names = ids()
    data = b"\xef\xbb\xbf" + export(names).encode()
    before = await receipt_total(intake)
    r = await intake.call(
        RECORDS,
        "POST",
        "/v1/intake/batch",
        params={"source": "form-csv"},
        content=data,
        headers={"content-type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["encoding"] == "utf-8-bom"
    outcomes = {row["line"]: row["outcome"] for row in result["rows"]}
    assert outcomes == {2: "registered", 3: "invalid", 4: "invalid", 5: "queued", 6: "duplicate", 7: "invalid"}
    reasons = {row["line"]: row["reason"] for row in result["rows"]}
    assert "氏名" in reasons[3] and "申請日時" in reasons[4] and "2 fields" in reasons[7]
    assert (result["registered"], result["queued"], result["duplicate"], result["invalid"]) == (1, 1, 1, 3)
    assert await receipt_total(intake) == before + 1
    lines = {row["line"]: row for row in result["rows"]}
    assert lines[6]["receipt_number"] == lines[2]["receipt_number"] is not None
    assert lines[5]["intake_id"] in await queue_ids(intake)
    again = await intake.call(
        RECORDS,
        "POST",
        "/v1/intake/batch",
        params={"source": "form-csv"},
        content=data,
        headers={"content-type": "text/csv"},
    )
    assert [row["outcome"] for row in again.json()["rows"] if row["outcome"] != "invalid"] == ["duplicate"] * 3
    assert await receipt_total(intake) == before + 1


async def test_a_shift_jis_export_is_imported_as_an_upload_too(intake: Stack) -> None:
    names = ids()
    data = export(names).encode("cp932")
    r = await intake.call(
        RECORDS,
        "POST",
        "/v1/intake/batch",
        params={"source": "form-csv"},
        files={"file": ("export.csv", data, "text/csv")},
    )
    assert r.status_code == 200, r.text
    assert r.json()["encoding"] == "shift_jis"
    assert [row["outcome"] for row in r.json()["rows"]] == [
        "registered",
        "invalid",
        "invalid",
        "queued",
        "duplicate",
        "invalid",
    ]
    receipt_number = r.json()["rows"][0]["receipt_number"]
    book = await intake.call(RECORDS, "GET", "/v1/receipts", params={"unit": "shimin.zeimu", "limit": 200})
    (row,) = [item for item in book.json()["items"] if item["receipt_number"] == receipt_number]
    assert row["sender"] == "山田 太郎" and row["sender_reference"] == names[0]
    declared = await intake.call(
        RECORDS,
        "POST",
        "/v1/intake/batch",
        params={"source": "form-csv"},
        content=data,
        headers={"content-type": "text/csv; charset=Shift_JIS"},
    )
    assert declared.status_code == 200 and declared.json()["duplicate"] == 3, declared.text


async def test_a_batch_is_the_records_offices_and_a_broken_file_is_422(intake: Stack) -> None:
    csv = {"content": b"a,b\r\n1,2\r\n", "headers": {"content-type": "text/csv"}}
    assert_problem(await intake.call(STRANGER, "POST", "/v1/intake/batch", params={"source": "x"}, **csv), 403)
    broken = await intake.call(RECORDS, "POST", "/v1/intake/batch", params={"source": "x"}, **csv)
    assert "application_id" in assert_problem(broken, 422)["detail"]
    unreadable = await intake.call(
        RECORDS,
        "POST",
        "/v1/intake/batch",
        params={"source": "x"},
        content=b"\x85\x40",
        headers={"content-type": "text/csv"},
    )
    assert "Shift_JIS" in assert_problem(unreadable, 422)["detail"]
    no_source = await intake.call(RECORDS, "POST", "/v1/intake/batch", **csv)
    assert "source" in assert_problem(no_source, 422)["detail"]
    no_file = await intake.call(
        RECORDS, "POST", "/v1/intake/batch", params={"source": "x"}, files={"other": ("a.csv", b"x", "text/csv")}
    )
    assert "file" in assert_problem(no_file, 422)["detail"]


async def test_intake_bodies_have_their_own_size_limit(intake: Stack) -> None:
    """Above the 1 MB of other JSON bodies (base64 attachments, CSV exports), up to ``intake_max_body_bytes``."""
    long_answer = "あ" * 500_000  # 1.5 MB in UTF-8: past the general limit, within intake's
    data = (HEADER + "\r\n" + f"{ids()[0]},certificate-tax,2026/12/01 10:15,山田,萩市,{long_answer}\r\n").encode()
    r = await intake.call(
        RECORDS,
        "POST",
        "/v1/intake/batch",
        params={"source": "form-csv"},
        content=data,
        headers={"content-type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    assert [(row["outcome"], "field limit" in row["reason"]) for row in r.json()["rows"]] == [("invalid", True)]
    signed = await post(intake, application(answers={"長文": long_answer}))
    assert "answers" in assert_problem(signed, 422)["detail"]
    too_large = data + b"x" * 1_000_000
    assert_problem(
        await intake.call(
            RECORDS,
            "POST",
            "/v1/intake/batch",
            params={"source": "form-csv"},
            content=too_large,
            headers={"content-type": "text/csv"},
        ),
        413,
    )


async def test_the_openapi_document_describes_the_signed_body(intake: Stack) -> None:
    schema = (await intake.http.get("/openapi.json")).json()
    operation = schema["paths"]["/v1/intake/applications"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/IntakeApplication"}
    assert {"Applicant", "IntakeAttachment", "IntakeApplication"} <= set(schema["components"]["schemas"])
    assert operation["security"] == [{"RingiSignature": []}]
    assert schema["components"]["securitySchemes"]["RingiSignature"]["name"] == "X-Ringi-Signature"


async def test_the_mapping_in_force_on_the_day_routes_and_a_bad_row_queues(versioned: Stack) -> None:
    today = (await post(versioned, application(form_id="f1"))).json()
    assert (today["state"], today["mapping_version"], today["intended_branch"]) == (
        "registered",
        "2024-04-01",
        "circulation",
    )
    receipt = (await versioned.call(RECORDS, "GET", f"/v1/receipts/{today['receipt_id']}")).json()
    assert (receipt["assigned_unit"], receipt["title"], receipt["addressee"]) == ("shimin.shimin", "様式1", "萩市長")
    earlier = (await post(versioned, application(form_id="f1", submitted_at="2024-03-31T23:59:00+09:00"))).json()
    assert (earlier["mapping_version"], earlier["category"]) == ("2023-04-01", "certificate")
    future = await post(versioned, application(form_id="f1", submitted_at="2099-04-01T09:00:00+09:00"))
    assert "submitted_at" in assert_problem(future, 422)["detail"]
    before = (await post(versioned, application(form_id="f1", submitted_at="2020-01-01T09:00:00+09:00"))).json()
    assert before["state"] == "queued" and "2020-01-01" in before["queue_reason"]
    r = await post(versioned, application(form_id="f2"))
    assert r.status_code == 202, r.text
    assert "no.such.unit" in r.json()["queue_reason"]
