"""簿冊の選択 at drafting (起案) and registration (収受): the file proposed, the files offered, the file named checked.

The rules are the domain's: the proposal (``domain.file_proposal``), which file a document may go into
(``domain.filing.filing_problem``) and whether a file still takes documents (``domain.filing.closed_problem``).
This module reads the facts they need through the caller's session; it never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Conflict, Invalid
from db.models import RecordFileRow
from db.repositories.files import FileCompletion, FileRepository, file_period
from domain.file_proposal import CandidateFile, Proposal, hints_of, proposed_file
from domain.filing import DocumentFacts, FileFacts, closed_problem, filing_problem


@dataclass(frozen=True)
class FilingKind:
    """What is being filed: whose (section), of which 年度, and what kind (matter, 決裁区分, title; a receipt's
    sender)."""

    org_unit_code: str
    fiscal_year: int
    matter: str  # a document's matter, or "receipt"
    category: str | None = None
    expense_class: str | None = None
    title: str = ""
    sender: str = ""


def _closed(row: RecordFileRow, done: FileCompletion, today: date) -> str | None:
    period = file_period(row, done)
    return closed_problem(
        fiscal_year=row.fiscal_year,
        records_status=row.records_status,
        retention_starts_on=period.starts_on if period else None,
        today=today,
    )


async def proposal(session: AsyncSession, kind: FilingKind, *, today: date) -> tuple[Proposal, list[RecordFileRow]]:
    """The file proposed for ``kind`` and the candidates (the section's open files of the 年度), with their rows."""
    files = FileRepository(session)
    rows = await files.of_unit_year(org_unit_code=kind.org_unit_code, fiscal_year=kind.fiscal_year)
    ids = [r.id for r in rows]
    done = await files.completions(ids)
    if kind.matter == "receipt":
        uses = await files.receipt_uses(ids, sender=kind.sender)
    else:
        uses = await files.document_uses(
            ids, org_unit_code=kind.org_unit_code, matter=kind.matter, category=kind.category
        )
    candidates = [
        CandidateFile(
            file_id=r.id,
            org_unit_code=r.org_unit_code,
            fiscal_year=r.fiscal_year,
            classification_code=r.classification_code,
            classification_names=tuple(r.classification_names),
            title=r.title,
            open=_closed(r, done.get(r.id, FileCompletion()), today) is None,
            uses=uses.get(r.id, 0),
        )
        for r in rows
    ]
    hints = hints_of(matter=kind.matter, category=kind.category, expense_class=kind.expense_class, title=kind.title)
    chosen = proposed_file(candidates, org_unit_code=kind.org_unit_code, fiscal_year=kind.fiscal_year, hints=hints)
    by_id = {r.id: r for r in rows}
    return chosen, [by_id[c.file_id] for c in chosen.candidates]


async def file_for(
    session: AsyncSession, kind: FilingKind, file_id: str | None, *, today: date, field: str = "file_id"
) -> RecordFileRow | None:
    """The file a new document or receipt goes into: ``file_id`` checked (no such file: 422 naming ``field``; a
    file of another section or 年度, or a closed one: 409 with the reason, as a move into it), else the proposal
    (None: nothing fits, it stays unfiled until someone files it)."""
    if file_id is None:
        chosen, rows = await proposal(session, kind, today=today)
        return next((r for r in rows if r.id == chosen.file_id), None)
    files = FileRepository(session)
    row = await files.get(file_id)
    if row is None:
        raise Invalid(f"{field}: there is no file {file_id!r}")
    facts = FileFacts(org_unit_code=row.org_unit_code, fiscal_year=row.fiscal_year, title=row.title)
    if problem := filing_problem(facts, DocumentFacts(org_unit_code=kind.org_unit_code, fiscal_year=kind.fiscal_year)):
        raise Conflict(f"{field}: it cannot go into this file: {problem}")
    done = (await files.completions([row.id])).get(row.id, FileCompletion())
    if problem := _closed(row, done, today):
        raise Conflict(f"{field}: it cannot go into this file: {problem}")
    return row
