"""``ringi export`` / ``ringi import``: the データ移行 directory (docs/data-migration.md).

A directory holds one CSV file per table (UTF-8 with BOM, CRLF; an import also reads Shift_JIS and UTF-8 without
BOM), the attachments under ``attachments/`` by relative path (the ``path`` column of ``attachments.csv``) and
``manifest.json`` with every file's SHA-256 and size.  An import reads and checks every row of every file first and
imports nothing when anything is wrong; otherwise it writes everything in one transaction.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from core.settings import Settings
from db.migration import SPECS, export_rows, plan_import, write_import
from db.session import create_engine, create_sessionmaker
from domain.migration import FORMAT, FORMAT_VERSION, Line, Problem, check_header, decode, parse_row
from integrations.attachment_store import attachment_store

MANIFEST = "manifest.json"
ATTACHMENTS = "attachments"
CHUNK = 1024 * 1024


class MigrationRefused(Exception):
    """The directory cannot be written or read at all (not a row problem)."""


@dataclass(frozen=True)
class Exported:
    rows: dict[str, int]
    attachments: int


@dataclass(frozen=True)
class Imported:
    problems: list[Problem]
    written: dict[str, int]
    skipped: dict[str, int]
    encodings: dict[str, str]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def attachment_path(sha256: str) -> str:
    return f"{ATTACHMENTS}/{sha256[:2]}/{sha256}"


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


# --- export --------------------------------------------------------------------------------------------------


async def export_directory(settings: Settings, directory: Path, *, fiscal_year: int | None) -> Exported:
    """Write everything (or a 年度's) into ``directory`` (new or empty)."""
    await asyncio.to_thread(_prepare, directory)
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            tables = await export_rows(session, fiscal_year=fiscal_year)
    finally:
        await engine.dispose()
    copied = await asyncio.to_thread(_write_export, directory, tables, settings.attachment_root(), fiscal_year)
    return Exported({k: len(v) for k, v in tables.items()}, copied)


def _prepare(directory: Path) -> None:
    if directory.exists() and any(directory.iterdir()):
        raise MigrationRefused(f"{directory} is not empty")
    directory.mkdir(parents=True, exist_ok=True)


def _write_export(
    directory: Path, tables: dict[str, list[dict[str, str]]], store: Path, fiscal_year: int | None
) -> int:
    copied = 0
    for row in tables["attachments"]:
        source = store / row["sha256"][:2] / row["sha256"][2:4] / row["sha256"]
        if not source.exists():  # a deleted attachment's tombstone, or bytes the store lost: listed without a file
            row["path"] = ""
            continue
        row["path"] = attachment_path(row["sha256"])
        target = directory / row["path"]
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            copied += 1
    for spec in SPECS:
        write_csv(directory / spec.table.file, spec.table.header, tables[spec.table.name])
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "scope": {"fiscal_year": fiscal_year} if fiscal_year is not None else {"all": True},
        "rows": {spec.table.name: len(tables[spec.table.name]) for spec in SPECS},
        "files": {
            p.relative_to(directory).as_posix(): {"sha256": _sha256(p), "bytes": p.stat().st_size} for p in files
        },
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    (directory / MANIFEST).write_text(text, encoding="utf-8")
    return copied


# --- import --------------------------------------------------------------------------------------------------


def _check_manifest(directory: Path) -> list[Problem]:
    """When there is a manifest, every file it lists must be there with its SHA-256 (a legacy export has none)."""
    path = directory / MANIFEST
    if not path.exists():
        return []
    try:
        manifest = json.loads(path.read_text(encoding="utf-8-sig"))
        listed = manifest["files"]
    except (ValueError, KeyError, TypeError):
        return [Problem(MANIFEST, 0, "not a manifest (JSON with a files object)")]
    problems = []
    for name, entry in sorted(listed.items()):
        file = directory / name
        if not file.is_file():
            problems.append(Problem(MANIFEST, 0, f"{name}: listed but missing"))
        elif _sha256(file) != entry.get("sha256"):
            problems.append(Problem(name, 0, "SHA-256 differs from manifest.json (altered or truncated)"))
    return problems


@dataclass
class Read:
    """The rows read (``lines``), those that could not be (``unreadable``), every problem, each file's encoding."""

    lines: dict[str, list[Line]]
    unreadable: dict[str, list[Line]]
    problems: list[Problem]
    encodings: dict[str, str]


def read_tables(directory: Path) -> Read:
    """Every CSV file parsed (an absent file: no rows), the problems found, and each file's encoding."""
    lines: dict[str, list[Line]] = {}
    unreadable: dict[str, list[Line]] = {}
    problems: list[Problem] = []
    encodings: dict[str, str] = {}
    for spec in SPECS:
        table = spec.table
        path = directory / table.file
        lines[table.name], unreadable[table.name] = [], []
        if not path.exists():
            continue
        try:
            text, encodings[table.file] = decode(path.read_bytes())
        except ValueError as exc:
            problems.append(Problem(table.file, 0, str(exc)))
            continue
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if header is None:
            continue
        header_problems = check_header(table, header)
        problems += header_problems
        if header_problems:
            continue
        start = reader.line_num + 1
        for cells in reader:
            number, start = start, reader.line_num + 1
            if not any(cells):
                continue
            if len(cells) != len(header):
                problems.append(Problem(table.file, number, f"{len(cells)} cells, the header has {len(header)}"))
                continue
            line, row_problems = parse_row(table, number, dict(zip(header, cells, strict=True)))
            problems += row_problems
            (unreadable if row_problems else lines)[table.name].append(line)
    return Read(lines, unreadable, problems, encodings)


def _check_attachments(directory: Path, lines: list[Line]) -> list[Problem]:
    """Each attachment's file by relative path (inside the directory), its SHA-256 and size filled or checked."""
    problems = []
    root = directory.resolve()
    for line in lines:
        v = line.values
        if not v.get("path"):
            if v.get("deleted_at") is None:
                problems.append(Problem("attachments.csv", line.number, "path: a kept attachment needs its file"))
            elif v.get("sha256") is None or v.get("size_bytes") is None:
                problems.append(Problem("attachments.csv", line.number, "sha256 and size_bytes needed without a file"))
            continue
        file = (directory / v["path"]).resolve()
        if not file.is_relative_to(root) or not file.is_file():
            problems.append(
                Problem("attachments.csv", line.number, f"path {v['path']!r}: no such file in the directory")
            )
            continue
        digest, size = _sha256(file), file.stat().st_size
        if v.get("sha256") not in (None, digest):
            problems.append(Problem("attachments.csv", line.number, "sha256 differs from the file's"))
        if v.get("size_bytes") not in (None, size):
            problems.append(Problem("attachments.csv", line.number, "size_bytes differs from the file's"))
        v["sha256"], v["size_bytes"] = digest, size
    return problems


def read_directory(directory: Path) -> Read:
    """The manifest, every CSV file and every attachment checked: the parsed lines and all problems found."""
    if not directory.is_dir():
        raise MigrationRefused(f"{directory} is not a directory")
    read = read_tables(directory)
    read.problems[:0] = _check_manifest(directory)
    read.problems += _check_attachments(directory, read.lines["attachments"])
    return read


def _in_order(problems: list[Problem]) -> list[Problem]:
    """The report: the manifest first, then file by file in the format's order, line by line."""
    order = {MANIFEST: -1} | {spec.table.file: i for i, spec in enumerate(SPECS)}
    return sorted(problems, key=lambda p: (order.get(p.file, len(order)), p.file, p.line))


def _stage(directory: Path, lines: list[Line], store: Path) -> list[tuple[Path, str]]:
    """Copies of the attachment files to hand to the store (which takes each file it keeps)."""
    staging = store / ".import"
    staging.mkdir(parents=True, exist_ok=True)
    staged = []
    for line in lines:
        v: dict[str, Any] = line.values
        if v.get("path"):
            copy = staging / v["sha256"]
            shutil.copyfile(directory / v["path"], copy)
            staged.append((copy, v["sha256"]))
    return staged


async def import_directory(
    settings: Settings,
    directory: Path,
    *,
    now: datetime,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> Imported:
    """Check everything; with any problem write nothing and answer the problems; else import in one transaction."""
    read = await asyncio.to_thread(read_directory, directory)
    encodings = read.encodings
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            plan = await plan_import(session, read.lines, unreadable=read.unreadable)
            problems = _in_order(read.problems + plan.problems)
            if problems:
                return Imported(problems, {}, plan.skipped, encodings)
            store = attachment_store(settings.attachment_root())
            for staged, sha256 in await asyncio.to_thread(
                _stage, directory, plan.lines["attachments"], settings.attachment_root()
            ):
                await store.put(staged, sha256=sha256)  # content-addressed: harmless should the import fail
            total, done = plan.total, 0

            def step(n: int) -> None:
                nonlocal done
                done += n
                progress(done, total)

            written = await write_import(session, plan, now=now, progress=step)
            await session.commit()  # one transaction: the checks' reads and every write
    finally:
        await engine.dispose()
    return Imported([], written, plan.skipped, encodings)
