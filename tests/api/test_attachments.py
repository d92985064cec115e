"""Attachments (添付ファイル) through the API: upload, list, download, the immutability rules, bad input.

Every upload is an event in the document's audit chain; a file's SHA-256 is recorded and served back.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote

import httpx

from tests.api.support import BIG, DRAFTER, FINANCE, MANAGER, STRANGER, assert_problem
from tests.support.stack import Stack, holder

COLLEAGUE = holder("somu.somu", "chief")  # 総務課 係長: the drafter's division, not the drafter
LIMIT = 30 * 1024 * 1024  # the default RINGI_ATTACHMENT_MAX_BYTES
PDF = b"%PDF-1.4\n" + "見積書".encode() * 1000 + b"\n%%EOF\n"


async def upload(
    stack: Stack, staff_id: str, document_id: str, filename: str = "見積書.pdf", data: bytes = PDF
) -> httpx.Response:
    return await stack.call(
        staff_id,
        "POST",
        f"/v1/documents/{document_id}/attachments",
        files={"file": (filename, data, "application/octet-stream")},
    )


async def attached(stack: Stack, staff_id: str, document_id: str, **kwargs: Any) -> dict[str, Any]:
    r = await upload(stack, staff_id, document_id, **kwargs)
    assert r.status_code == 201, r.text
    return dict(r.json())


def multipart(filename: bytes, data: bytes, boundary: str = "ringi-boundary") -> tuple[bytes, dict[str, str]]:
    """A multipart body built by hand (to send names httpx would not, and to stream it chunked)."""
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
        + filename
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
    )
    return head + data + f"\r\n--{boundary}--\r\n".encode(), {
        "Content-Type": f"multipart/form-data; boundary={boundary}"
    }


async def in_chunks(payload: bytes, size: int = 1024 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(payload), size):
        yield payload[start : start + size]


async def audit_events(stack: Stack, staff_id: str, document_id: str) -> list[dict[str, Any]]:
    r = await stack.call(staff_id, "GET", f"/v1/documents/{document_id}/audit")
    assert r.status_code == 200, r.text
    assert r.json()["verified"] is True, r.json()
    return list(r.json()["events"])


# --- upload, list, download -----------------------------------------------------------------------------


async def test_upload_list_and_download_round_trip(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER)
    first = await attached(stack, DRAFTER, doc["id"])
    second = await attached(stack, DRAFTER, doc["id"], filename="仕様書 (案).txt", data="仕様".encode())

    assert (first["n"], second["n"]) == (1, 2)
    assert first["filename"] == "見積書.pdf" and first["content_type"] == "application/pdf"
    assert first["sha256"] == hashlib.sha256(PDF).hexdigest() and first["size_bytes"] == len(PDF)
    assert first["uploaded_by"] == DRAFTER and second["content_type"].startswith("text/plain")

    listed = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/attachments")
    assert listed.status_code == 200 and listed.json()["items"] == [first, second]
    read = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}")
    assert read.json()["attachments"] == [first, second]

    r = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/attachments/1")
    assert r.status_code == 200, r.text
    assert r.content == PDF
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["etag"] == f'"{first["sha256"]}"'
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "見積書.pdf"


async def test_each_upload_is_an_audit_event(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER)
    meta = await attached(stack, DRAFTER, doc["id"])
    events = await audit_events(stack, DRAFTER, doc["id"])
    assert [e["action"] for e in events] == ["create", "attach"]
    assert events[1]["actor_id"] == DRAFTER
    assert events[1]["detail"] == {"n": 1, "filename": "見積書.pdf", "size_bytes": len(PDF), "sha256": meta["sha256"]}


async def test_the_same_bytes_twice_are_two_attachments(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER)
    a = await attached(stack, DRAFTER, doc["id"])
    b = await attached(stack, DRAFTER, doc["id"], filename="写し.pdf")
    assert a["sha256"] == b["sha256"] and (a["n"], b["n"]) == (1, 2)
    for n in (1, 2):
        r = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/attachments/{n}")
        assert r.content == PDF


async def test_concurrent_uploads_get_distinct_numbers_and_one_chain(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER)
    names = [f"資料{i}.txt" for i in range(6)]
    results = await asyncio.gather(*(attached(stack, DRAFTER, doc["id"], filename=n, data=n.encode()) for n in names))
    assert sorted(r["n"] for r in results) == list(range(1, 7))
    assert {r["filename"] for r in results} == set(names)
    events = await audit_events(stack, DRAFTER, doc["id"])
    assert sorted(e["detail"]["n"] for e in events if e["action"] == "attach") == list(range(1, 7))


async def test_the_division_may_attach_while_sent_back(stack: Stack) -> None:
    """The 総務課長 is of the drafter's division and, once on the route, sees the document."""
    doc = await stack.submitted(DRAFTER, BIG)
    await stack.ok(MANAGER, doc["id"], "send_back", comment="資料を添付してください")
    meta = await attached(stack, MANAGER, doc["id"], filename="参考資料.txt", data=b"ref")
    assert meta["uploaded_by"] == MANAGER
    assert (await stack.call(MANAGER, "DELETE", f"/v1/documents/{doc['id']}/attachments/1")).status_code == 204


async def test_someone_who_cannot_see_the_draft_cannot_attach(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER)
    assert_problem(await upload(stack, STRANGER, doc["id"]), 403)  # visibility comes first


# --- immutability after the first approval ---------------------------------------------------------------


async def test_a_draft_attachment_may_be_deleted_and_its_number_is_not_reused(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER)
    await attached(stack, DRAFTER, doc["id"])
    r = await stack.call(DRAFTER, "DELETE", f"/v1/documents/{doc['id']}/attachments/1")
    assert r.status_code == 204, r.text
    assert (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/attachments")).json()["items"] == []
    assert_problem(await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/attachments/1"), 404)
    again = await attached(stack, DRAFTER, doc["id"])
    assert again["n"] == 2
    actions = [e["action"] for e in await audit_events(stack, DRAFTER, doc["id"])]
    assert actions == ["create", "attach", "detach", "attach"]


async def test_in_review_the_drafter_may_add_but_not_delete(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER)
    await attached(stack, DRAFTER, doc["id"])
    assert (await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/submit")).status_code == 200
    added = await attached(stack, DRAFTER, doc["id"], filename="追加資料.txt", data=b"more")
    assert added["n"] == 2
    problem = assert_problem(await stack.call(DRAFTER, "DELETE", f"/v1/documents/{doc['id']}/attachments/1"), 409)
    assert "in_review" in problem["detail"]
    # An approver on the route sees the files but may not add to them.
    assert_problem(await upload(stack, MANAGER, doc["id"]), 403)
    assert (await stack.call(MANAGER, "GET", f"/v1/documents/{doc['id']}/attachments/2")).content == b"more"


async def test_after_the_first_approval_nothing_is_deleted_even_when_sent_back(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER, amount_yen=BIG)
    await attached(stack, DRAFTER, doc["id"])
    assert (await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/submit")).status_code == 200
    await stack.ok(MANAGER, doc["id"], "approve")
    await stack.ok(FINANCE, doc["id"], "send_back", comment="見積を追加してください")

    problem = assert_problem(await stack.call(DRAFTER, "DELETE", f"/v1/documents/{doc['id']}/attachments/1"), 409)
    assert "approved" in problem["detail"]
    added = await attached(stack, DRAFTER, doc["id"], filename="相見積.pdf")
    assert added["n"] == 2
    listed = (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/attachments")).json()["items"]
    assert [a["n"] for a in listed] == [1, 2]


async def test_a_closed_document_takes_no_attachments(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER)
    assert (await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/submit")).status_code == 200
    await stack.ok(DRAFTER, doc["id"], "withdraw", comment="取り下げます")
    assert "withdrawn" in assert_problem(await upload(stack, DRAFTER, doc["id"]), 409)["detail"]


# --- who may see ------------------------------------------------------------------------------------------


async def test_strangers_and_unknown_documents(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER)
    await attached(stack, DRAFTER, doc["id"])
    base = f"/v1/documents/{doc['id']}/attachments"
    assert_problem(await upload(stack, STRANGER, doc["id"]), 403)
    assert_problem(await stack.call(STRANGER, "GET", base), 403)
    assert_problem(await stack.call(STRANGER, "GET", f"{base}/1"), 403)
    assert_problem(await stack.call(STRANGER, "DELETE", f"{base}/1"), 403)
    unknown = f"/v1/documents/{uuid.uuid4()}/attachments"
    assert_problem(await upload(stack, DRAFTER, unknown.split("/")[3]), 404)
    assert_problem(await stack.call(DRAFTER, "GET", unknown), 404)
    assert_problem(await stack.call(DRAFTER, "GET", f"{unknown}/1"), 404)


# --- bad input --------------------------------------------------------------------------------------------


async def test_unknown_numbers_are_404(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER)
    await attached(stack, DRAFTER, doc["id"])
    for n in ("2", "0", "-1", "99999999999"):
        assert_problem(await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/attachments/{n}"), 404)
    assert_problem(await stack.call(DRAFTER, "DELETE", f"/v1/documents/{doc['id']}/attachments/7"), 404)
    assert_problem(await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/attachments/abc"), 422)


async def test_empty_files_and_bad_names_are_422(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER)
    assert "empty" in assert_problem(await upload(stack, DRAFTER, doc["id"], data=b""), 422)["detail"]
    for name in ("../../etc/passwd", "a/b.txt", ".."):
        problem = assert_problem(await upload(stack, DRAFTER, doc["id"], filename=name), 422)
        assert "separator" in problem["detail"] or "name" in problem["detail"]
    body, headers = multipart(b"a\x00b.txt", b"data")
    r = await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/attachments", content=body, headers=headers)
    assert_problem(r, 422)
    no_file = await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/attachments", data={"x": "y"})
    assert_problem(no_file, 422)
    assert (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/attachments")).json()["items"] == []


async def test_names_with_control_characters_are_422(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER)
    for raw in (b"a\tb.txt", b"a\x1bb.txt", b"a\x7fb.txt", "a\u0085b.txt".encode(), "a\u2028b".encode()):
        body, headers = multipart(raw, b"data")
        r = await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/attachments", content=body, headers=headers)
        assert "control" in assert_problem(r, 422)["detail"]
    assert (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/attachments")).json()["items"] == []


async def test_names_are_limited_in_utf8_bytes(stack: Stack) -> None:
    """85 kanji are 255 bytes: accepted; 86 (258 bytes, under 255 characters) are refused, naming the field."""
    doc = await stack.draft(DRAFTER)
    ok = "見" * 81 + ".pdf"  # 243 + 4 bytes
    assert (await attached(stack, DRAFTER, doc["id"], filename=ok))["filename"] == ok
    problem = assert_problem(await upload(stack, DRAFTER, doc["id"], filename="見" * 86 + ".pdf"), 422)
    assert "255 bytes" in problem["detail"] and "file" in problem["detail"]


ACTIVE = [
    ("page.html", b"<script>alert(1)</script>"),
    ("page.htm", b"<script>alert(1)</script>"),
    ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
    ("page.xhtml", b"<html xmlns='http://www.w3.org/1999/xhtml'><script>alert(1)</script></html>"),
    ("code.js", b"alert(1)"),
    ("code.mjs", b"alert(1)"),
    ("page.xml", b"<?xml version='1.0'?><x/>"),
]


async def test_active_content_is_served_as_a_download_of_octet_stream(stack: Stack) -> None:
    """A browser never renders an uploaded page or script in ringi's origin: octet-stream, attachment, nosniff."""
    doc = await stack.draft(DRAFTER)
    for n, (name, data) in enumerate(ACTIVE, start=1):
        meta = await attached(stack, DRAFTER, doc["id"], filename=name, data=data)
        assert meta["content_type"] == "application/octet-stream", (name, meta)
        r = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/attachments/{n}")
        assert r.status_code == 200 and r.content == data
        assert r.headers["content-type"] == "application/octet-stream", name
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["content-disposition"].startswith("attachment;")
        assert unquote(r.headers["content-disposition"].split("filename*=UTF-8''")[1]) == name


async def test_a_windows_path_is_cut_to_its_last_part(stack: Stack) -> None:
    """Old browsers send the whole path; the multipart parser keeps the last part (sanitised, not refused)."""
    doc = await stack.draft(DRAFTER)
    meta = await attached(stack, DRAFTER, doc["id"], filename="C:\\Users\\somu\\見積書.pdf")
    assert meta["filename"] == "見積書.pdf"


async def test_too_large_is_413_declared_or_streamed(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER)
    path = f"/v1/documents/{doc['id']}/attachments"
    big = b"x" * (LIMIT + 1024 * 1024)
    just_over = b"x" * (LIMIT + 1)

    declared = await upload(stack, DRAFTER, doc["id"], data=big)
    assert "limited" in assert_problem(declared, 413)["detail"]
    over_by_one = await upload(stack, DRAFTER, doc["id"], data=just_over)
    assert str(LIMIT) in assert_problem(over_by_one, 413)["detail"]
    body, headers = multipart(b"big.bin", big)
    streamed = await stack.call(DRAFTER, "POST", path, content=in_chunks(body), headers=headers)
    assert "content-length" not in streamed.request.headers
    assert_problem(streamed, 413)

    assert (await stack.call(DRAFTER, "GET", path)).json()["items"] == []
    assert [e["action"] for e in await audit_events(stack, DRAFTER, doc["id"])] == ["create"]


async def test_a_streamed_upload_within_the_limit_is_accepted(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER)
    data = bytes(range(256)) * 8192  # 2 MiB
    body, headers = multipart("議事録.bin".encode(), data)
    r = await stack.call(
        DRAFTER, "POST", f"/v1/documents/{doc['id']}/attachments", content=in_chunks(body), headers=headers
    )
    assert r.status_code == 201, r.text
    assert r.json()["sha256"] == hashlib.sha256(data).hexdigest() and r.json()["filename"] == "議事録.bin"
    download = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/attachments/1")
    assert download.content == data
