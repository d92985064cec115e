"""``ringi backup`` / ``ringi restore``: ringi's database, the attachment store and the 移管 archives, in one
directory with a manifest (core/backup_manifest.py).

- SQLite: a consistent copy through SQLite's online backup API (the API and worker may keep running).
- PostgreSQL: ``pg_dump --format=custom``, restored with ``pg_restore --clean --single-transaction``
  (all or nothing).  pg_dump must be of the server's major version or newer.
- Attachments (``RINGI_ATTACHMENTS_DIR``, default ``<data dir>/attachments``) and archives
  (``<data dir>/archives``) are copied file by file.

Restore checks every file against the manifest first and refuses a database, attachment store or archive that
already holds data unless ``force``.  Stop the API and the worker before restoring; afterwards run
``ringi migrate`` (a backup from an older release is then brought up to date).  Temporal's own databases are
backed up on their own (README, "Backup and restore").
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from core.backup_manifest import (
    MANIFEST_NAME,
    SUMS_NAME,
    DatabaseKind,
    Manifest,
    describe,
    files_under,
    problems,
    sums_text,
)
from core.settings import Settings
from db.session import create_engine

SQLITE_FILE = "database/ringi.sqlite3"
PG_DUMP_FILE = "database/ringi.pgdump"
ATTACHMENTS = "attachments"
ARCHIVES = "archives"
#: Tables whose rows make a database "not empty" (a migrated one holds rulebooks, but no staff or documents).
DATA_TABLES = ("staff", "documents", "audit_events")


class BackupRefused(RuntimeError):
    """The backup or restore cannot go ahead; the message says why (and what to do)."""


@dataclass(frozen=True)
class Places:
    """Where a deployment keeps what a backup holds."""

    database_url: str
    attachments: Path
    archives: Path

    @classmethod
    def of(cls, settings: Settings) -> Places:
        return cls(settings.database_url, settings.attachment_root(), settings.data_dir / "archives")

    @property
    def kind(self) -> DatabaseKind:
        backend = make_url(self.database_url).get_backend_name()
        if backend == "sqlite":
            return "sqlite"
        if backend == "postgresql":
            return "postgresql"
        raise BackupRefused(f"cannot back up a {backend} database")


# --------------------------------------------------------------------------- backup


def create_backup(places: Places, target: Path, *, now: datetime) -> Manifest:
    """Write a backup of ``places`` into ``target`` (new or empty) and return its manifest."""
    if target.exists() and any(target.iterdir()):
        raise BackupRefused(f"{target} is not empty: back up into a new directory")
    target.mkdir(parents=True, exist_ok=True)
    database_file = _dump_database(places, target)
    for name, source in ((ATTACHMENTS, places.attachments), (ARCHIVES, places.archives)):
        if source.is_dir():
            shutil.copytree(source, target / name)
    listed = [target / database_file, *files_under(target / ATTACHMENTS), *files_under(target / ARCHIVES)]
    manifest = Manifest(
        ringi_version=_ringi_version(),
        migration_revision=asyncio.run(_revision(places.database_url)),
        created_at=now,
        database=places.kind,
        database_file=database_file,
        files=describe(target, listed),
    )
    (target / SUMS_NAME).write_text(sums_text(manifest.files), encoding="utf-8")
    (target / MANIFEST_NAME).write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
    return manifest


def _dump_database(places: Places, target: Path) -> str:
    if places.kind == "sqlite":
        copy = target / SQLITE_FILE
        copy.parent.mkdir(parents=True)
        _sqlite_copy(_sqlite_path(places.database_url), copy)
        return SQLITE_FILE
    dump = target / PG_DUMP_FILE
    dump.parent.mkdir(parents=True)
    _run(
        _tool("pg_dump"),
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        f"--file={dump}",
        f"--dbname={_libpq_url(places.database_url)}",
    )
    return PG_DUMP_FILE


# --------------------------------------------------------------------------- restore


def read_manifest(source: Path) -> Manifest:
    try:
        return Manifest.model_validate_json((source / MANIFEST_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupRefused(f"{source} holds no {MANIFEST_NAME}: not a ringi backup") from exc
    except ValueError as exc:
        raise BackupRefused(f"{source / MANIFEST_NAME} is not a valid manifest: {exc}") from exc


def restore_backup(places: Places, source: Path, *, force: bool = False) -> Manifest:
    """Put the backup in ``source`` back into ``places``; refuses a mismatching backup or, unless ``force``, a
    target that holds data.  Nothing is changed when it refuses."""
    manifest = read_manifest(source)
    wrong = problems(source, manifest)
    if wrong:
        raise BackupRefused("the backup does not match its manifest: " + "; ".join(wrong))
    if manifest.database != places.kind:
        raise BackupRefused(f"a {manifest.database} backup cannot be restored into a {places.kind} database")
    if not force:
        occupied = asyncio.run(_occupied(places))
        if occupied:
            raise BackupRefused(f"not empty: {', '.join(occupied)}; restore with --force to replace it")
    _load_database(places, source / manifest.database_file)
    for name, target in ((ATTACHMENTS, places.attachments), (ARCHIVES, places.archives)):
        if target.exists():
            shutil.rmtree(target)
        if (source / name).is_dir():
            shutil.copytree(source / name, target)
    return manifest


def _load_database(places: Places, file: Path) -> None:
    if places.kind == "sqlite":
        path = _sqlite_path(places.database_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(file, path)  # the backup API replaces the whole target database, pages and schema
        return
    _run(
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={_libpq_url(places.database_url)}",
        str(file),
    )


async def _occupied(places: Places) -> list[str]:
    """What already holds data: the database (staff, documents or audit rows), the attachments, the archives."""
    found = []
    tables = await _tables_with_rows(places)
    if tables:
        found.append(f"the database ({', '.join(tables)} have rows)")
    for path in (places.attachments, places.archives):
        count = len(files_under(path))
        if count:
            found.append(f"{path} ({count} files)")
    return found


async def _tables_with_rows(places: Places) -> list[str]:
    if places.kind == "sqlite" and not _sqlite_path(places.database_url).exists():
        return []  # never create the file just to look into it
    engine = create_engine(places.database_url)
    try:
        async with engine.connect() as connection:
            present = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
            full = []
            for table in (t for t in DATA_TABLES if t in present):
                if await connection.scalar(text(f"SELECT EXISTS (SELECT 1 FROM {table})")):
                    full.append(table)
            return full
    finally:
        await engine.dispose()


async def _revision(database_url: str) -> str | None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            present = await connection.run_sync(lambda sync: inspect(sync).has_table("alembic_version"))
            if not present:
                return None
            found = await connection.scalar(text("SELECT version_num FROM alembic_version"))
            return None if found is None else str(found)
    finally:
        await engine.dispose()


# --------------------------------------------------------------------------- helpers


def _sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise BackupRefused("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent snapshot even while others write to ``source``."""
    if not source.is_file():
        raise BackupRefused(f"no SQLite database at {source}")
    reader, writer = sqlite3.connect(source), sqlite3.connect(target)
    try:
        reader.backup(writer)
    finally:
        writer.close()
        reader.close()


def _libpq_url(database_url: str) -> str:
    """``postgresql+asyncpg://…`` -> ``postgresql://…`` (what pg_dump and pg_restore take)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupRefused(f"{name} was not found: install the PostgreSQL client of the server's major version")
    return found


def _run(*argv: str) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tool = Path(argv[0]).name
        raise BackupRefused(f"{tool} failed ({result.returncode}): {result.stderr.strip()[-500:]}")


def _ringi_version() -> str:
    try:
        return version("ringi")
    except PackageNotFoundError:
        return "unknown"


def summary(manifest: Manifest) -> str:
    """One line for the terminal."""
    return json.dumps(
        {
            "database": manifest.database,
            "migration_revision": manifest.migration_revision,
            "files": len(manifest.files),
            "bytes": manifest.total_bytes,
            "created_at": manifest.created_at.isoformat(),
        },
        ensure_ascii=False,
    )
