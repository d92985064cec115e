"""データ移行 (``ringi export`` / ``ringi import``) on SQLite and PostgreSQL: the round trip into an empty ringi is
byte-identical, a broken row imports nothing and the report names file and line, a Shift_JIS file is read, and
an imported document is found by GET /v1/search with its audit chain intact."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from temporalio.client import Client
from typer.testing import CliRunner

from cli.main import app
from cli.migration import export_directory, import_directory
from core.security import hash_password
from core.settings import Settings
from db.models import (
    AttachmentRow,
    ClassificationClassRow,
    ClassificationVersionRow,
    DocumentNumberCounterRow,
    DocumentRow,
    ReceiptRow,
    RecordFileRow,
    RouteStepRow,
    StaffRow,
)
from db.repositories.audit import AuditRepository
from db.repositories.files import FileRepository, file_period
from db.repositories.receipts import ReceiptRepository
from db.seed import sync_rulebooks
from db.session import create_engine, create_sessionmaker
from domain.retention import RetentionPeriod
from tests.support.databases import BACKENDS, fresh_database
from tests.support.documents import document_row
from tests.support.stack import api_stack, holder, settings_for

pytestmark = pytest.mark.parametrize("backend", BACKENDS)

DRAFTER = holder("somu.somu", "staff")
MANAGER = holder("somu.somu", "manager")
FY = 2025
WORD = f"移{uuid.uuid4().hex[:6]}"
NOW = datetime(2026, 5, 1, 1, 2, 3, 456789, tzinfo=UTC)


async def _city(settings: Settings) -> dict[str, str]:
    """Into a seeded city: a 簿冊 of 2025 with a completed, numbered document (route, attachment, audit events), a
    document of 2024 that is not filed, and a receipt filed in the same file."""
    attachment = "見積書".encode() * 50
    sha = hashlib.sha256(attachment).hexdigest()
    stored = settings.attachment_root() / sha[:2] / sha[2:4] / sha
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(attachment)
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            version = await session.scalar(select(ClassificationVersionRow.id).order_by(ClassificationVersionRow.id))
            leaf = await session.scalar(
                select(ClassificationClassRow.code)
                .where(ClassificationClassRow.version_id == version, ClassificationClassRow.retention_years.isnot(None))
                .order_by(ClassificationClassRow.position)
            )
            assert version is not None and leaf is not None
            file = RecordFileRow(
                id=str(uuid.uuid4()),
                fiscal_year=FY,
                org_unit_code="somu.somu",
                classification_version=version,
                classification_code=leaf,
                classification_path=f"/{leaf}/",
                classification_names=["総務"],
                title="移行試験の綴",
                storage_location="書庫A",
                medium="mixed",
                retention_years=5,
                retention_permanent=False,
                disposition="dispose",
                counting="fiscal_year",
                created_by=DRAFTER,
                created_at=NOW,
            )
            session.add(file)
            await session.flush()
            decided = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)
            doc = document_row(
                title=f"{WORD} 市道補修の件",
                body="市道の補修について予算を執行したい。",
                status="completed",
                file_id=file.id,
                created_at=datetime(2025, 5, 20, 0, 0, tzinfo=UTC),
                updated_at=decided,
                submitted_at=datetime(2025, 5, 21, 0, 0, tzinfo=UTC),
                decided_at=decided,
                completed_at=decided,
                completion_fiscal_year=FY,
                number_symbol="萩総",
                number_fiscal_year=FY,
                number_serial=41,
                number_display="萩総第41号",
                numbered_at=decided,
            )
            old = document_row(
                title="平成の決裁", status="approved", created_at=datetime(2024, 7, 1, tzinfo=UTC), updated_at=NOW
            )
            session.add_all([doc, old])
            await session.flush()
            session.add(
                RouteStepRow(
                    document_id=doc.id,
                    stage_index=0,
                    stage_kind="decide",
                    assignee_id=MANAGER,
                    state="done",
                    since=datetime(2025, 5, 21, tzinfo=UTC),
                    acted_at=decided,
                    acted_by=MANAGER,
                    capacity="self",
                    response="approve",
                    actor_post="課長",
                    comment="了",
                )
            )
            session.add(
                AttachmentRow(
                    document_id=doc.id,
                    n=1,
                    filename="見積書.pdf",
                    content_type="application/pdf",
                    size_bytes=len(attachment),
                    sha256=sha,
                    uploaded_by=DRAFTER,
                    uploaded_at=datetime(2025, 5, 20, 1, tzinfo=UTC),
                )
            )
            audit = AuditRepository(session)
            for action, actor, at in (("submit", DRAFTER, doc.submitted_at), ("approve", MANAGER, decided)):
                assert at is not None
                await audit.append_for(doc, action=action, actor_id=actor, at=at, detail={"comment": "了"})
            await audit.append_for(old, action="approve", actor_id=MANAGER, at=NOW, detail={})
            receipt = ReceiptRow(
                id=str(uuid.uuid4()),
                number_symbol="萩総",
                fiscal_year=FY,
                receipt_serial=42,
                receipt_number="萩総第42号",
                received_on=date(2025, 6, 2),
                channel="paper",
                sender="山口県土木建築部",
                addressee="萩市長",
                title=f"{WORD} 補助金交付決定通知",
                assigned_unit="somu.somu",
                confidentiality=1,
                registered_by=DRAFTER,
                registered_at=datetime(2025, 6, 2, 1, tzinfo=UTC),
                file_id=file.id,
                outcome="closed",
                branch="closed",
                completed_at=datetime(2025, 6, 10, 1, tzinfo=UTC),
            )
            session.add(receipt)
            await session.flush()
            await ReceiptRepository(session).append(
                receipt_id=receipt.id, action="registered", actor_id=DRAFTER, at=receipt.registered_at, detail={}
            )
        return {"document": doc.id, "old": old.id, "receipt": receipt.id, "file": file.id}
    finally:
        await engine.dispose()


def _files(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def _rows(directory: Path, name: str) -> list[dict[str, str]]:
    text = (directory / name).read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _rewrite(directory: Path, name: str, rows: list[dict[str, str]], *, encoding: str = "utf-8-sig") -> None:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    (directory / name).write_bytes(buffer.getvalue().encode(encoding))


async def _migrated_later(settings: Settings) -> None:
    """What `ringi migrate` leaves in a new ringi: the 文書分類表 shipped with ringi, stamped at its migration."""
    await sync_rulebooks(settings)
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            for version in (await session.scalars(select(ClassificationVersionRow))).all():
                version.created_at = NOW
    finally:
        await engine.dispose()


async def _count(url: str, model: Any) -> int:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        await engine.dispose()


async def test_round_trip_into_an_empty_ringi_is_identical(backend: str, tmp_path: Path) -> None:
    async with (
        fresh_database(backend, tmp_path / "source", seeded=True) as source_url,
        fresh_database(backend, tmp_path / "target") as target_url,
    ):
        source = Settings(database_url=source_url, data_dir=tmp_path / "source")
        target = Settings(database_url=target_url, data_dir=tmp_path / "target")
        ids = await _city(source)
        first, second = tmp_path / "first", tmp_path / "second"
        await export_directory(source, first, fiscal_year=None)
        assert (first / "documents.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM (Excel)
        assert len(_rows(first, "attachments.csv")) == 1

        await _migrated_later(target)  # the new ringi was migrated on another day than the old one
        result = await import_directory(target, first, now=NOW)
        assert result.problems == []
        assert result.skipped["classification_versions"] == 1  # the same 文書分類表, shipped with ringi
        assert result.written["documents"] == len(_rows(first, "documents.csv"))

        await export_directory(target, second, fiscal_year=None)
        assert _files(second) == _files(first)  # every CSV, every attachment and the manifest, byte for byte

        again = await import_directory(target, first, now=NOW)  # a second run finds it all there, identical
        assert again.problems == [] and sum(again.written.values()) == 0
        assert again.skipped["documents"] == result.written["documents"]
        assert again.skipped["route_steps"] == result.written["route_steps"]

        engine = create_engine(target_url)
        try:
            async with create_sessionmaker(engine)() as session:
                counter = await session.get(DocumentNumberCounterRow, ("萩総", FY))
                assert counter is not None and counter.last_serial == 42  # numbering continues after the import
                checks = dict(await AuditRepository(session).verify_all())
                assert checks[ids["document"]].problem is None
                assert checks[ids["old"]].problem is None
        finally:
            await engine.dispose()

        year = tmp_path / "year"
        await export_directory(source, year, fiscal_year=FY)
        documents = {r["id"] for r in _rows(year, "documents.csv")}
        assert ids["document"] in documents and ids["old"] not in documents
        assert [r["id"] for r in _rows(year, "receipts.csv")] == [ids["receipt"]]


async def test_a_broken_row_imports_nothing_and_the_report_names_file_and_line(backend: str, tmp_path: Path) -> None:
    async with (
        fresh_database(backend, tmp_path / "source", seeded=True) as source_url,
        fresh_database(backend, tmp_path / "target") as target_url,
    ):
        source = Settings(database_url=source_url, data_dir=tmp_path / "source")
        await _city(source)
        out = tmp_path / "out"
        await export_directory(source, out, fiscal_year=None)
        documents = _rows(out, "documents.csv")
        documents[0]["decided_at"] = "2025-13-40"  # line 2
        documents[1]["file_id"] = "no-such-file"  # line 3
        documents[1]["details"] = '{"matter":"leave"}'  # not a 休暇 a reader could read
        documents.append(dict(documents[1], file_id="", decided_at=""))  # line 4: the same id again
        _rewrite(out, "documents.csv", documents)
        files = _rows(out, "record_files.csv")
        files[0]["classification_code"] = "ZZ-99"
        _rewrite(out, "record_files.csv", files, encoding="cp932")  # Shift_JIS, as a legacy export writes it
        steps = _rows(out, "route_steps.csv")
        steps[0]["state"] = "approved"  # a legacy word: ringi's steps are done, pending, …
        _rewrite(out, "route_steps.csv", steps)
        attachments = _rows(out, "attachments.csv")
        attachments[0]["path"] = "../source/ringi.db"  # outside the directory: never read
        _rewrite(out, "attachments.csv", attachments)

        env = {"RINGI_DATABASE_URL": target_url, "RINGI_DATA_DIR": str(tmp_path / "target")}
        result = await asyncio.to_thread(CliRunner().invoke, app, ["import", str(out)], env=env)
        assert result.exit_code == 1, result.output
        report = result.output
        assert "documents.csv:2: decided_at: not a date and time" in report
        assert "documents.csv:3: file_id no-such-file: no such row in record_files.csv" in report
        assert "documents.csv:4: duplicate id" in report
        assert "documents.csv:3: details: leave.kind: Field required" in report
        assert "record_files.csv:2: classification_version, classification_code" in report
        assert "documents.csv: SHA-256 differs from manifest.json" in report  # edited after the export
        assert "route_steps.csv:2: state: 'approved' is not one of cancelled, closed, done" in report
        assert "attachments.csv:2: path '../source/ringi.db': no such file in the directory" in report
        assert "nothing imported" in report
        for model in (StaffRow, DocumentRow, ReceiptRow):
            assert await _count(target_url, model) == 0


LEGACY = {  # a legacy system's export, mapped to the documented columns (only what it has; the rest defaults)
    "org_units.csv": "code,name,kind,parent_code,symbol\r\nkita,北区役所,department,,萩北\r\n",
    "posts.csv": "code,name,rank\nstaff,主事,1\n",
    "staff.csv": "id,name\r\nk001,髙橋 一郎\r\n",
    "post_assignments.csv": "staff_id,org_unit_code,post_code,effective_from\r\nk001,kita,staff,2020/04/01\r\n",
    "classification_versions.csv": "id,fiscal_year,effective_from,origin,created_at\r\nold-2019,2019,2019/04/01,upload,"
    "2019-04-01 09:00\r\n",
    "classification_classes.csv": "version_id,position,code,name,retention_years,disposition\r\n"
    "old-2019,1,01,総務,,\r\nold-2019,2,01-01,文書,10,transfer\r\n",
    "record_files.csv": "id,fiscal_year,org_unit_code,classification_version,classification_code,classification_path,"
    "title,retention_years,disposition,counting,created_by,created_at\r\n"
    "f1,2019,kita,old-2019,01-01,/01/01-01/,例規の綴,10,transfer,fiscal_year,k001,2019-04-01 09:00\r\n",
    "documents.csv": "id,title,body,matter,amount_yen,confidentiality,retention_years,drafter_id,org_unit_code,status,"
    "created_at,updated_at,decided_at,completed_at,number_symbol,number_fiscal_year,number_serial,number_display,"
    "file_id\r\nd1,条例改正の件,旧システムの本文,general,0,1,10,k001,kita,completed,2019-05-07 10:00,"
    "2019-05-20 17:00,2019-05-20 17:00,2019-05-20 17:00,萩北,2019,7,萩北第7号,f1\r\n",
}


async def test_a_legacy_city_in_shift_jis_is_imported_as_decided_history(backend: str, tmp_path: Path) -> None:
    async with fresh_database(backend, tmp_path / "target") as target_url:
        target = Settings(database_url=target_url, data_dir=tmp_path / "target")
        legacy = tmp_path / "legacy"
        legacy.mkdir()
        for name, text in LEGACY.items():  # Shift_JIS, but posts.csv in UTF-8 without BOM
            (legacy / name).write_bytes(text.encode("utf-8" if name == "posts.csv" else "cp932"))
        result = await import_directory(target, legacy, now=NOW)
        assert result.problems == []
        assert result.encodings["org_units.csv"] == "shift_jis" and result.encodings["posts.csv"] == "utf-8"
        engine = create_engine(target_url)
        try:
            async with create_sessionmaker(engine)() as session:
                staff = await session.get(StaffRow, "k001")
                assert staff is not None and staff.name == "髙橋 一郎"
                doc = await session.get(DocumentRow, "d1")
                assert doc is not None and doc.decided_at == datetime(2019, 5, 20, 8, 0, tzinfo=UTC)  # 17:00 JST
                events = await AuditRepository(session).list("d1")
                assert [(e.action, e.actor_id) for e in events] == [("imported", "import")]
                assert dict(await AuditRepository(session).verify_all())["d1"].problem is None
        finally:
            await engine.dispose()


async def test_an_imported_document_is_found_and_its_chain_verifies(
    backend: str, tmp_path: Path, temporal_client: Client, hr_url: str
) -> None:
    async with (
        fresh_database(backend, tmp_path / "source", seeded=True) as source_url,
        fresh_database(backend, tmp_path / "target") as target_url,
    ):
        source = Settings(database_url=source_url, data_dir=tmp_path / "source")
        ids = await _city(source)
        out = tmp_path / "out"
        env = {"RINGI_DATABASE_URL": source_url, "RINGI_DATA_DIR": str(tmp_path / "source")}
        exported = await asyncio.to_thread(
            CliRunner().invoke, app, ["export", "--fiscal-year", str(FY), str(out)], env=env
        )
        assert exported.exit_code == 0, exported.output
        assert "documents 1" in exported.output and "1 attachment files" in exported.output
        settings = settings_for(
            database_url=target_url, temporal=temporal_client, hr_url=hr_url, data_dir=tmp_path / "target"
        )
        result = await import_directory(settings, out, now=NOW)
        assert result.problems == []
        engine = create_engine(target_url)
        try:
            async with create_sessionmaker(engine)() as session, session.begin():
                staff = await session.get(StaffRow, DRAFTER)
                assert staff is not None
                staff.password_hash = hash_password("demo")  # what the records office's reset does, for the test
                file = await session.get(RecordFileRow, ids["file"])
                assert file is not None
                done = await FileRepository(session).completions([file.id])
                # the file's retention, from the latest 完結 of what is filed in it (2025-06-10, 年度 2025), 5 years
                assert file_period(file, done[file.id]) == RetentionPeriod(date(2026, 4, 1), date(2031, 3, 31))
        finally:
            await engine.dispose()
        async with api_stack(settings, temporal_client) as stack:
            r = await stack.call(DRAFTER, "GET", "/v1/search", params={"q": f"{WORD} 補修"})
            assert r.status_code == 200, r.text
            assert [i["id"] for i in r.json()["items"]] == [ids["document"]]
            r = await stack.call(DRAFTER, "GET", "/v1/search", params={"q": f"{WORD} 補助金"})
            assert [i["id"] for i in r.json()["items"]] == [ids["receipt"]]
            r = await stack.call(DRAFTER, "GET", f"/v1/documents/{ids['document']}")  # read without its workflow
            assert r.status_code == 200, r.text
            assert r.json()["status"] == "completed"
            r = await stack.call(DRAFTER, "GET", f"/v1/documents/{ids['document']}/audit")
            assert r.status_code == 200, r.text
        env = {"RINGI_DATABASE_URL": target_url, "RINGI_DATA_DIR": str(tmp_path / "target")}
        verified = await asyncio.to_thread(CliRunner().invoke, app, ["audit", "verify"], env=env)
        assert verified.exit_code == 0, verified.output
        assert "0 broken" in verified.output
