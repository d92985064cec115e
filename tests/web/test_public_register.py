"""The published ファイル管理簿: a page, CSV and PDF without sign-in showing each file's 公開用名称, never the title
it hides; the signed-in register's PDF (/v1/file-register.pdf)."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime

import httpx
from pypdf import PdfReader
from sqlalchemy import select

from db.models import ClassificationVersionRow, RecordFileRow
from db.session import create_engine, create_sessionmaker
from tests.api.support import RECORDS_OFFICE
from tests.support.stack import Stack, holder
from tests.support.waiting import insert

YEAR = 2039  # a 年度 of this module's own: no table of it is ever loaded (the files' classes stay)
HIDDEN = "住民甲野太郎氏の訴訟関係綴"
PUBLISHED = "訴訟関係綴"
PLAIN = "道路占用許可綴"


async def _files(stack: Stack) -> None:
    engine = create_engine(stack.settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            version = await session.scalar(select(ClassificationVersionRow.id).limit(1))
    finally:
        await engine.dispose()
    assert version is not None
    rows = [
        RecordFileRow(
            id=str(uuid.uuid4()),
            fiscal_year=YEAR,
            org_unit_code="somu.somu",
            classification_version=version,
            classification_code="01-01-02",
            classification_path="/01/01-01/01-01-02/",
            classification_names=["総務", "文書・法規", "文書の収受・発送"],
            title=title,
            public_title=public,
            storage_location="書庫A",
            medium="paper",
            retention_years=5,
            retention_permanent=False,
            disposition="dispose",
            counting="fiscal_year",
            created_by=holder("somu.somu", "staff"),
            created_at=datetime.now(UTC),
        )
        for title, public in ((HIDDEN, PUBLISHED), (PLAIN, None))
    ]
    await insert(stack, *rows)


async def test_the_public_register_shows_only_published_names_without_sign_in(stack: Stack) -> None:
    await _files(stack)
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=30) as anyone:  # no session cookie
        r = await anyone.get(f"/public/file-register?year={YEAR}")
        assert r.status_code == 200, r.text
        assert PUBLISHED in r.text and PLAIN in r.text and HIDDEN not in r.text
        assert "本文へ移動" in r.text and 'id="main"' in r.text  # the skip link
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert "サインアウト" not in r.text
        csv = await anyone.get(f"/public/file-register.csv?fiscal_year={YEAR}")
        assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
        text = csv.content.decode("utf-8-sig")
        assert PUBLISHED in text and HIDDEN not in text and text.startswith("分類コード,分類,名称")
        pdf = await anyone.get(f"/public/file-register.pdf?fiscal_year={YEAR}")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert PUBLISHED in words and HIDDEN not in words and "ファイル管理簿" in words
        assert (await anyone.get("/public/file-register?year=nineteen")).status_code == 422

    signed = await stack.call(RECORDS_OFFICE, "GET", "/v1/file-register.pdf", params={"fiscal_year": YEAR})
    assert signed.status_code == 200 and signed.content.startswith(b"%PDF")
    own = await stack.call(
        RECORDS_OFFICE, "GET", "/v1/file-register.pdf", params={"fiscal_year": YEAR, "published": "false"}
    )
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(own.content)).pages)
    assert HIDDEN in words  # the records office's own register shows the real title
