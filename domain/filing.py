"""簿冊 (行政文書ファイル): which file a document may go into, who may manage a section's files, which title shows.

A file belongs to one section (所属) and one 年度 under one leaf of that year's 文書分類表.  A document goes into a
file of its own section (the drafter's org unit at drafting) and of its own 年度: the 年度 of its 文書番号, else of
its drafting (``document_fiscal_year``).  A disposed or transferred document stays where it was.

The file's title may itself be sensitive (a named resident, a pending lawsuit): then it carries a 公開用件名, which
the published ファイル管理簿 and anyone outside the section and the records office see instead (``shown_title``).

Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass

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
