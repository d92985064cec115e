"""原議 PDF through the API: the text of the printed original names the number (or 未採番), the title, the
drafter and every approver with their 代決 / 後閲 marks; a draft prints as 未決裁; reading rules apply."""

from __future__ import annotations

import contextlib
import io
import re
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pypdf
import pytest

from core.calendar import JST
from core.print_original import wareki
from integrations.hr import HttpHrClient
from tests.api.support import BIG, DIRECTOR, DRAFTER, FINANCE, MANAGER, SMALL, STRANGER, assert_problem
from tests.support.stack import CITY, Stack, holder

DEPUTY = holder("somu.somu", "assistant_manager")  # 総務課長補佐: first 代決者 of the 総務課長
NAMES = {s.id: s.name for s in CITY.staff}


@contextlib.asynccontextmanager
async def absent(hr_url: str, staff_id: str) -> AsyncIterator[None]:
    """``staff_id`` is on leave today (HR's record), for the length of the block."""
    today = datetime.now(JST).date()
    async with HttpHrClient(hr_url) as hr:
        record = await hr.add_absence(staff_id, kind="leave", start=today, end=today, note="年次休暇")
        try:
            yield
        finally:
            await hr.delete_absence(record.id)


async def printed(stack: Stack, staff_id: str, document_id: str) -> str:
    """The PDF's text (whitespace squeezed), after checking it is a PDF."""
    r = await stack.call(staff_id, "GET", f"/v1/documents/{document_id}/print")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(r.content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


async def test_a_decided_document_prints_with_every_approver(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER, BIG, title="庁用備品（事務用椅子）の購入について")
    r = await stack.call(
        DRAFTER, "POST", f"/v1/documents/{doc['id']}/attachments", files={"file": ("見積書.pdf", b"%PDF", "x/y")}
    )
    sha256 = r.json()["sha256"]
    assert (await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/submit")).status_code == 200
    for approver in (MANAGER, FINANCE, DIRECTOR):
        decided = await stack.ok(approver, doc["id"], "approve")
    assert decided["status"] == "approved"

    text = await printed(stack, DRAFTER, doc["id"])
    assert "未採番" in text
    assert "庁用備品（事務用椅子）の購入について" in text
    for staff_id in (DRAFTER, MANAGER, FINANCE, DIRECTOR):
        assert NAMES[staff_id] in text, staff_id
    today = datetime.now(JST).date()
    assert f"起案日 {wareki(today)}" in text and f"決裁日 {wareki(today)}" in text
    assert "決裁済" in text and "未決裁" not in text and "代決" not in text
    assert "総務課長" in text and "財政課長" in text and "総務部長" in text
    assert "見積書.pdf" in text and sha256[:16] in text


async def test_a_substitute_decision_carries_its_marks(stack: Stack, hr_url: str) -> None:
    doc = await stack.submitted(DRAFTER, SMALL)
    async with absent(hr_url, MANAGER):
        decided = await stack.ok(DEPUTY, doc["id"], "substitute", on_behalf_of=MANAGER)
    assert decided["status"] == "approved"

    text = await printed(stack, DRAFTER, doc["id"])
    assert NAMES[DEPUTY] in text
    assert "代決" in text and "後閲未了" in text

    await stack.ok(MANAGER, doc["id"], "post_review")
    assert "後閲済" in await printed(stack, DRAFTER, doc["id"])


async def test_a_draft_prints_marked_undecided(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER, title="下書きの起案")
    text = await printed(stack, DRAFTER, doc["id"])
    assert "下書きの起案" in text and "未決裁" in text and "未採番" in text and NAMES[DRAFTER] in text


async def test_printing_a_classified_document_is_audited(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER, confidentiality=2)
    assert "機密性2" in await printed(stack, DRAFTER, doc["id"])
    trail = (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/audit")).json()
    assert trail["verified"] is True
    assert [(e["action"], e["actor_id"], e["detail"]) for e in trail["events"][1:]] == [
        ("view", DRAFTER, {"what": "print"})
    ]


async def test_printing_follows_the_reading_rules(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER)
    assert_problem(await stack.call(STRANGER, "GET", f"/v1/documents/{doc['id']}/print"), 403)
    assert_problem(await stack.call(DRAFTER, "GET", f"/v1/documents/{uuid.uuid4()}/print"), 404)


async def test_no_japanese_font_is_a_clear_503(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = await stack.draft(DRAFTER, confidentiality=2)
    monkeypatch.setattr(stack.settings, "pdf_font_path", Path("/nonexistent/font.ttf"))
    problem = assert_problem(await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/print"), 503)
    assert "RINGI_PDF_FONT_PATH" in problem["detail"]
    trail = (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/audit")).json()
    assert [e["action"] for e in trail["events"]] == ["create"]  # nothing was printed, so nothing was viewed
