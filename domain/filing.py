"""簿冊 (行政文書ファイル): which file a document may go into, who may manage a section's files, which title shows.

A file belongs to one section (所属) and one 年度 under one leaf of that year's 文書分類表.  A document goes into a
file of its own section (the drafter's org unit at drafting) and of its own 年度: the 年度 of its 文書番号, else of
its drafting (``document_fiscal_year``).  A disposed or transferred document stays where it was.

The file's title may itself be sensitive (a named resident, a pending lawsuit): then it carries a 公開用件名, which
the published ファイル管理簿 and anyone outside the section and the records office see instead (``shown_title``).

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain.visibility import Viewer


@dataclass(frozen=True)
class FileFacts:
    """What the rules read of a file."""

    org_unit_code: str
    fiscal_year: int
    title: str
    public_title: str | None = None


@dataclass(frozen=True)
class DocumentFacts:
    """What the rules read of a document being filed."""

    org_unit_code: str
    fiscal_year: int
    records_status: str = "active"


def document_fiscal_year(*, number_fiscal_year: int | None, drafted_fiscal_year: int) -> int:
    """A document's 年度: its 文書番号's, else its drafting's (起案年度)."""
    return number_fiscal_year if number_fiscal_year is not None else drafted_fiscal_year


def manages(viewer: Viewer, org_unit_code: str) -> bool:
    """Who opens a section's files and files into them: its staff, the records office, administrators."""
    return viewer.sees_all or org_unit_code in viewer.units


def filing_problem(file: FileFacts, document: DocumentFacts) -> str | None:
    """Why ``document`` may not go into ``file`` (None: it may)."""
    if document.records_status != "active":
        return f"the document has been {document.records_status}; it stays in its file"
    if document.org_unit_code != file.org_unit_code:
        return (
            f"a document of {document.org_unit_code} is filed in that section's own files,"
            f" not in a file of {file.org_unit_code}"
        )
    if document.fiscal_year != file.fiscal_year:
        return f"the document is of 年度 {document.fiscal_year}; the file is of 年度 {file.fiscal_year}"
    return None


def shown_title(file: FileFacts, viewer: Viewer | None) -> str:
    """The file's title for ``viewer`` (None: the public, e.g. the published ファイル管理簿): its own to the section,
    the records office and administrators; else the 公開用件名 where it has one."""
    if viewer is not None and manages(viewer, file.org_unit_code):
        return file.title
    return file.public_title or file.title


def closed_problem(
    *, fiscal_year: int, records_status: str, retention_starts_on: date | None, today: date
) -> str | None:
    """Why a file takes no document in or out any more (None: it does): disposed or transferred, or its 年度 has
    ended and its retention has started (起算: every document complete and the 起算日 come), so a move would change
    a running retention.  A file of last 年度 whose documents are still being completed stays open."""
    if records_status != "active":
        return f"the file has been {records_status}"
    if retention_starts_on is not None and retention_starts_on <= today:
        return f"the file's 年度 {fiscal_year} is closed: its retention started on {retention_starts_on.isoformat()}"
    return None


@dataclass(frozen=True)
class YearFile:
    """A file of last 年度 as the 年度 change reads it (the key the new year's file is found by)."""

    file_id: str
    org_unit_code: str
    classification_code: str
    title: str
    records_status: str = "active"


@dataclass(frozen=True)
class Carry:
    """What opening the new 年度 does with one of last year's files: ``create`` its successor, or not (``exists``:
    opened before, the step is idempotent; ``skip``: with the reason)."""

    source: YearFile
    action: str  # create | exists | skip
    reason: str = ""


def carry_over(
    previous: Sequence[YearFile], *, existing: Collection[tuple[str, str, str]], leaves: Collection[str]
) -> list[Carry]:
    """The new 年度's files from last year's list (年度替わりの簿冊一括作成): one per active file, same section, class
    and title; ``existing``: the (section, class, title) keys already opened in the new year; ``leaves``: the leaf
    codes of the new year's 文書分類表 (a class it no longer has is skipped, named)."""
    plan: list[Carry] = []
    seen: set[tuple[str, str, str]] = set()
    for file in previous:
        key = (file.org_unit_code, file.classification_code, file.title)
        if file.records_status != "active":
            plan.append(Carry(file, "skip", f"the file has been {file.records_status}"))
        elif key in existing or key in seen:
            plan.append(Carry(file, "exists"))
        elif file.classification_code not in leaves:
            plan.append(Carry(file, "skip", f"the new 文書分類表 has no leaf class {file.classification_code}"))
        else:
            plan.append(Carry(file, "create"))
        seen.add(key)
    return plan


#: A run of 新年度の簿冊の一括作成 writes its progress at least every batch of files, well within this; silent longer,
#: its process has died (a restart, a crash) and it will not end by itself.
OPENING_SILENT_LIMIT = timedelta(minutes=5)


def opening_stalled(status: str, updated_at: datetime, now: datetime) -> bool:
    """A run still marked running that has written nothing for ``OPENING_SILENT_LIMIT``: interrupted (opening the
    year again is safe: it is idempotent)."""
    return status == "running" and now - updated_at > OPENING_SILENT_LIMIT
