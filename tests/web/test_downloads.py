"""Downloads through the web UI's cookie session (#13): a document's attachments, numbered 1, 2, … as in the API,
and its 原議 PDF; a hidden (機密性2+) document answers as a missing one; no session, no file."""

from __future__ import annotations

import hashlib

import httpx

from tests.support.stack import Stack, holder
from tests.web.conftest import sign_in

DRAFTER = holder("somu.somu", "staff")
OUTSIDER = holder("somu.jinji", "manager")  # another division
PDF = b"%PDF-1.4\n" + "見積書".encode() * 100 + b"\n%%EOF\n"


async def test_attachments_and_the_original_download_with_the_cookie_session(stack: Stack) -> None:
    draft = await stack.draft(DRAFTER, confidentiality=2)
    for name, data in (("見積書.pdf", PDF), ("仕様書.html", b"<script>alert(1)</script>")):
        r = await stack.call(
            DRAFTER,
            "POST",
            f"/v1/documents/{draft['id']}/attachments",
            files={"file": (name, data, "application/octet-stream")},
        )
        assert r.status_code == 201, r.text
    me = await sign_in(stack, DRAFTER)
    try:
        page = await me.get(f"/documents/{draft['id']}")
        assert page.status_code == 200
        assert f'href="/documents/{draft["id"]}/attachments/1"' in page.text
        assert f'href="/documents/{draft["id"]}/attachments/2"' in page.text
        assert "/v1/documents" not in page.text  # no link a cookie cannot follow
        first = await me.get(f"/documents/{draft['id']}/attachments/1")
        assert first.status_code == 200
        assert hashlib.sha256(first.content).hexdigest() == hashlib.sha256(PDF).hexdigest()
        assert first.headers["content-disposition"].startswith("attachment;")
        assert first.headers["x-content-type-options"] == "nosniff"
        active = await me.get(f"/documents/{draft['id']}/attachments/2")
        assert active.status_code == 200 and active.headers["content-type"] == "application/octet-stream"
        assert (await me.get(f"/documents/{draft['id']}/attachments/3")).status_code == 404
        assert (await me.get(f"/documents/{draft['id']}/attachments/0")).status_code == 422
        original = await me.get(f"/documents/{draft['id']}/print")
        assert original.status_code == 200 and original.content.startswith(b"%PDF")
        assert original.headers["content-type"] == "application/pdf"
    finally:
        await me.http.aclose()

    outsider = await sign_in(stack, OUTSIDER)
    try:
        hidden = await outsider.get(f"/documents/{draft['id']}/attachments/1")
        missing = await outsider.get("/documents/00000000-0000-0000-0000-000000000000/attachments/1")
        assert hidden.status_code == missing.status_code == 404
        assert (await outsider.get(f"/documents/{draft['id']}/print")).status_code == 404
    finally:
        await outsider.http.aclose()

    async with httpx.AsyncClient(base_url=stack.api_url, timeout=30) as anonymous:
        r = await anonymous.get(f"/documents/{draft['id']}/attachments/1")
        assert r.status_code == 303 and r.headers["location"].startswith("/signin")
