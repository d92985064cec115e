"""The manifest of a ringi backup: which files it holds, their sizes and SHA-256, and what they were taken from.

A backup directory holds ``manifest.json`` (this model), ``SHA256SUMS`` (the same digests in ``sha256sum -c``
form, for an operator without ringi at hand) and the files it lists, by path relative to the directory.  A
restore checks every listed file against the manifest before it touches anything (see cli/backup.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

MANIFEST_NAME = "manifest.json"
SUMS_NAME = "SHA256SUMS"
FORMAT = 1
CHUNK_BYTES = 1024 * 1024

DatabaseKind = Literal["sqlite", "postgresql"]


class BackupFile(BaseModel):
    path: str = Field(description="Relative to the backup directory, with / separators.")
    size_bytes: int
    sha256: str


class Manifest(BaseModel):
    format: int = FORMAT
    ringi_version: str
    migration_revision: str | None = Field(description="Alembic revision of the database when it was backed up.")
    created_at: datetime
    database: DatabaseKind
    database_file: str = Field(description="Which listed file is the database (SQLite copy or pg_dump archive).")
    files: list[BackupFile]

    @property
    def total_bytes(self) -> int:
        return sum(f.size_bytes for f in self.files)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def describe(root: Path, paths: Iterable[Path]) -> list[BackupFile]:
    """Size and SHA-256 of each file under ``root`` (sorted, so two backups of the same data list alike)."""
    return [
        BackupFile(path=path.relative_to(root).as_posix(), size_bytes=path.stat().st_size, sha256=file_sha256(path))
        for path in sorted(paths)
    ]


def files_under(root: Path) -> list[Path]:
    """Every regular file below ``root`` (none when it does not exist)."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def problems(root: Path, manifest: Manifest) -> list[str]:
    """What does not match the manifest: missing files, wrong sizes, wrong digests, paths that leave ``root``."""
    found: list[str] = []
    base = root.resolve()
    for listed in manifest.files:
        path = (root / listed.path).resolve()
        if not path.is_relative_to(base):
            found.append(f"{listed.path}: outside the backup directory")
        elif not path.is_file():
            found.append(f"{listed.path}: missing")
        elif path.stat().st_size != listed.size_bytes:
            found.append(f"{listed.path}: {path.stat().st_size} bytes, the manifest says {listed.size_bytes}")
        elif file_sha256(path) != listed.sha256:
            found.append(f"{listed.path}: SHA-256 does not match the manifest")
    if manifest.database_file not in {f.path for f in manifest.files}:
        found.append(f"{manifest.database_file}: the database file is not listed")
    return found


def sums_text(files: Iterable[BackupFile]) -> str:
    """``sha256sum`` format: ``<digest>  <path>`` per line."""
    return "".join(f"{f.sha256}  {f.path}\n" for f in files)
