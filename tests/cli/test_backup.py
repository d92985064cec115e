"""`ringi backup` / `ringi restore`: the restore drill (a running city backed up, destroyed, restored: every
document, verified audit chain and attachment is back) and the refusals (non-empty target, altered backup)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any

import asyncpg
import structlog
from click.testing import Result
from sqlalchemy import select
from temporalio.client import Client
from typer.testing import CliRunner

from cli.main import app
from core.backup_manifest import MANIFEST_NAME, SUMS_NAME, Manifest
from db.models import AttachmentRow, AuditEventRow, DocumentRow
from db.repositories.audit import AuditRepository
from db.session import create_engine, create_sessionmaker
from integrations.attachment_store import attachment_store
from tests.support.stack import Stack, full_stack, holder

DRAFTER, MANAGER = holder("somu.somu", "staff"), holder("somu.somu", "manager")
DOCUMENT_COLUMNS = (
    DocumentRow.id,
    DocumentRow.status,
    DocumentRow.title,
    DocumentRow.number_display,
    DocumentRow.version,
    DocumentRow.content_hash,
    DocumentRow.completed_at,
)


async def ringi(*args: str, database_url: str, data_dir: Path) -> Result:
    """Run the CLI in a thread (its commands run their own event loop), then undo its logging set-up: it logs
    onto CliRunner's stream, which closes, while the stack in this process goes on logging."""
    env = {"RINGI_DATABASE_URL": database_url, "RINGI_DATA_DIR": str(data_dir), "RINGI_LOG_JSON": "false"}
    config, handlers = structlog.get_config(), list(logging.getLogger().handlers)
    try:
        return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=env)
    finally:
        structlog.configure(**config)
        for handler in logging.getLogger().handlers[:]:
            if handler not in handlers:
                logging.getLogger().removeHandler(handler)


async def decided_with_attachment(stack: Stack, n: int) -> str:
    doc = await stack.draft(DRAFTER, amount_yen=300_000, title=f"備品購入 その{n}")
    data = f"見積書 {n}\n".encode() * (500 + n) + os.urandom(64)
    r = await stack.call(
        DRAFTER, "POST", f"/v1/documents/{doc['id']}/attachments", files={"file": (f"見積書{n}.pdf", data, "x/y")}
    )
    assert r.status_code == 201, r.text
    assert (await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/submit")).status_code == 200
    await stack.ok(MANAGER, doc["id"], "approve")
    for _ in range(200):  # 完結 follows the decision
        if (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}")).json()["completed_at"]:
            return str(doc["id"])
        await asyncio.sleep(0.05)
    raise AssertionError("the document never completed")


async def city(database_url: str, data_dir: Path) -> dict[str, Any]:
    """Everything a restore must bring back, read from the database and the stores."""
    store = attachment_store(data_dir / "attachments")
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            documents = (await session.execute(select(*DOCUMENT_COLUMNS).order_by(DocumentRow.id))).all()
            audit = (
                await session.execute(
                    select(AuditEventRow.document_id, AuditEventRow.seq, AuditEventRow.hash).order_by(
                        AuditEventRow.document_id, AuditEventRow.seq
                    )
                )
            ).all()
            chains = [(doc, check.problem) for doc, check in await AuditRepository(session).verify_all()]
            rows = (await session.scalars(select(AttachmentRow).order_by(AttachmentRow.document_id))).all()
            attachments = []
            for row in rows:
                stored = b"".join([chunk async for chunk in store.chunks(row.sha256)])
                attachments.append((row.document_id, row.n, row.sha256, hashlib.sha256(stored).hexdigest(), stored))
    finally:
        await engine.dispose()
    archives = {p.relative_to(data_dir).as_posix(): p.read_bytes() for p in (data_dir / "archives").rglob("*.*")}
    return {"documents": documents, "audit": audit, "chains": chains, "attachments": attachments, "archives": archives}


def _delete_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def destroy(database_url: str, data_dir: Path) -> None:
    """The disaster: the database and every file are gone (an empty database remains to restore into)."""
    if database_url.startswith("sqlite"):
        await asyncio.to_thread(_delete_sqlite, data_dir / "ringi.db")
    else:
        connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        finally:
            await connection.close()
    shutil.rmtree(data_dir / "attachments")
    shutil.rmtree(data_dir / "archives")


async def test_restore_drill_brings_back_every_document_chain_and_attachment(
    seeded_database_url: str, temporal_client: Client, hr_url: str, finance_url: str, tmp_path: Path
) -> None:
    url, data, backup = seeded_database_url, tmp_path, tmp_path.parent / f"{tmp_path.name}-backup"
    async with full_stack(url, temporal_client, hr_url=hr_url, finance_url=finance_url, data_dir=data) as stack:
        decided = [await decided_with_attachment(stack, n) for n in range(3)]
        pending = await stack.submitted(DRAFTER, amount_yen=300_000, title="審査中の件")
        archive = data / "archives" / "2026" / "移管-0001.zip"  # a 移管 export, as the disposal review writes them
        archive.parent.mkdir(parents=True, exist_ok=True)
        archive.write_bytes(b"PK\x03\x04" + os.urandom(4096))
        before = await city(url, data)
        made = await ringi("backup", str(backup), database_url=url, data_dir=data)  # while the city runs
    assert made.exit_code == 0, made.output
    assert len(before["attachments"]) == 3 and len(before["documents"]) >= 4
    assert {doc for doc, _ in before["chains"]} >= {*decided, pending["id"]}

    manifest = Manifest.model_validate_json((backup / MANIFEST_NAME).read_text())
    assert manifest.migration_revision and manifest.ringi_version
    assert {f.path for f in manifest.files} >= {manifest.database_file, "archives/2026/移管-0001.zip"}
    assert all(f"{f.sha256}  {f.path}" in (backup / SUMS_NAME).read_text() for f in manifest.files)

    await destroy(url, data)
    restored = await ringi("restore", str(backup), database_url=url, data_dir=data)
    assert restored.exit_code == 0, restored.output

    after = await city(url, data)
    assert after == before
    assert all(problem is None for _, problem in after["chains"])  # every audit chain verifies
    assert all(recorded == computed for _, _, recorded, computed, _ in after["attachments"])
    verified = await ringi("audit", "verify", database_url=url, data_dir=data)
    assert verified.exit_code == 0 and "0 broken" in verified.output


async def test_restore_refuses_a_target_with_data_unless_forced(seeded_database_url: str, tmp_path: Path) -> None:
    url, data, backup = seeded_database_url, tmp_path, tmp_path.parent / f"{tmp_path.name}-backup"
    assert (await ringi("backup", str(backup), database_url=url, data_dir=data)).exit_code == 0

    refused = await ringi("restore", str(backup), database_url=url, data_dir=data)
    assert refused.exit_code == 1
    assert "not empty" in refused.output and "--force" in refused.output

    forced = await ringi("restore", str(backup), "--force", database_url=url, data_dir=data)
    assert forced.exit_code == 0, forced.output
    again = await ringi("backup", str(backup), database_url=url, data_dir=data)
    assert again.exit_code == 1 and "not empty" in again.output  # never over an earlier backup


async def test_an_altered_backup_is_refused_and_nothing_is_touched(seeded_database_url: str, tmp_path: Path) -> None:
    url, data, backup = seeded_database_url, tmp_path, tmp_path.parent / f"{tmp_path.name}-backup"
    assert (await ringi("backup", str(backup), database_url=url, data_dir=data)).exit_code == 0
    manifest = json.loads((backup / MANIFEST_NAME).read_text())
    database = backup / manifest["database_file"]
    database.chmod(0o644)
    with database.open("r+b") as handle:  # one flipped byte in the middle
        handle.seek(database.stat().st_size // 2)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0xFF]))

    refused = await ringi("restore", str(backup), "--force", database_url=url, data_dir=data)
    assert refused.exit_code == 1
    assert "SHA-256 does not match" in refused.output and manifest["database_file"] in refused.output
    assert (await ringi("audit", "verify", database_url=url, data_dir=data)).exit_code == 0
