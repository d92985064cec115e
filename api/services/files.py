"""簿冊 (行政文書ファイル): open a file, file a document into it, list and read files, the ファイル管理簿 (and its CSV),
and the document search.

The rules are the domain's: which file a document may go into and which title shows (``domain.filing``), the
file's retention (``domain.retention.file_retention``), the leaf and its class (``domain.classification``), who sees
a document (``domain.visibility``, in SQL through ``db.repositories.visibility.visible_to``).
"""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services.documents import DocumentService
from api.services.file_choice import FilingKind
from api.services.file_choice import proposal as file_proposal
from api.services.printing import PrintingUnavailable
from api.services.receipts import ReceiptService
from api.services.records_rules import require_records_office
from api.services.visibility import viewer
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.fonts import JapaneseFontMissing, find_japanese_font
from core.print_register import render_register
from db.file_opening import NoTable, latest_run, open_year, start_run
from db.models import DocumentRow, FileRetentionChangeRow, OrgUnitRow, RecordFileRow, StaffRow
from db.repositories.audit import AuditRepository
from db.repositories.classification import ClassificationRepository
from db.repositories.documents import DocumentRepository
from db.repositories.files import FileCompletion, FileRepository, SearchFilters, file_period
from db.repositories.org import OrgRepository
from db.session import release, writing
from domain.classification import build, in_force_of, with_additions
from domain.era import JST
from domain.filing import (
    DocumentFacts,
    FileFacts,
    closed_problem,
    document_fiscal_year,
    filing_problem,
    manages,
    opening_stalled,
    shown_title,
)
from domain.fiscal import fiscal_year_at, fiscal_year_label, fiscal_year_of, fiscal_year_start
from domain.retention import RetentionPeriod, changed_expiry, retention_change_problem, retention_label
from domain.visibility import Viewer
from schemas.api.files import (
    MEDIUM_NAMES,
    DocumentHit,
    FileChoice,
    FileCreate,
    FiledDocumentRead,
    FileDetail,
    FiledReceiptRead,
    FileOpeningRead,
    FileProposal,
    FileRead,
    RegisterRow,
    RetentionChange,
    RetentionChangeRead,
    YearOpened,
    YearOpenSkip,
)
from schemas.api.paging import Page, PageRequest
from schemas.classification import DISPOSITION_NAMES

log = structlog.get_logger("ringi.files")

#: ファイル管理簿 columns of the CSV (UTF-8 with BOM: Excel opens it as it is).
REGISTER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("classification_code", "分類コード"),
    ("classification", "分類"),
    ("title", "名称"),
    ("org_unit_name", "作成者"),
    ("fiscal_year_label", "作成年度"),
    ("retention_starts_on", "起算日"),
    ("retention_label", "保存期間"),
    ("retention_expires_on", "満了日"),
    ("storage_location", "保存場所"),
    ("medium_label", "媒体"),
    ("disposition_label", "満了時の措置"),
    ("manager", "管理者"),
)
REGISTER_CSV_LIMIT = 100_000


def _facts(row: RecordFileRow) -> FileFacts:
    return FileFacts(
        org_unit_code=row.org_unit_code, fiscal_year=row.fiscal_year, title=row.title, public_title=row.public_title
    )


def _retention(row: RecordFileRow, done: FileCompletion) -> RetentionPeriod | None:
    """The file's retention from its documents' completions (the latest 完結; none while one is open)."""
    return file_period(row, done)


def _file_read(row: RecordFileRow, done: FileCompletion, who: Viewer) -> FileRead:
    period = _retention(row, done)
    return FileRead(
        id=row.id,
        fiscal_year=row.fiscal_year,
        fiscal_year_label=fiscal_year_label(row.fiscal_year),
        org_unit=row.org_unit_code,
        classification_version=row.classification_version,
        classification_code=row.classification_code,
        classification_names=list(row.classification_names),
        title=shown_title(_facts(row), who),
        public_title=row.public_title if manages(who, row.org_unit_code) else None,
        storage_location=row.storage_location,
        medium=row.medium,
        retention_years=row.retention_years,
        retention_permanent=row.retention_permanent,
        retention_label=retention_label(row.retention_years, permanent=row.retention_permanent),
        disposition=row.disposition,
        disposition_label=DISPOSITION_NAMES[row.disposition],
        counting=row.counting,
        documents=done.documents,
        open_documents=done.open,
        retention_starts_on=period.starts_on if period else None,
        retention_expires_on=period.expires_on if period else None,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def _jst_midnight(d: date) -> datetime:
    return datetime.combine(d, time(), tzinfo=JST).astimezone(UTC)


class FileService:
    def __init__(self, app: AppState, session: AsyncSession) -> None:
        self._app = app
        self._session = session

    async def _viewer(self, staff: StaffRow, today: date) -> Viewer:
        return await viewer(self._app, self._session, staff, today=today)

    async def create(self, staff: StaffRow, body: FileCreate, *, today: date) -> FileRead:
        """簿冊を作成 under a leaf of the 年度's 文書分類表 (the version given, else the one in force today)."""
        who = await self._viewer(staff, today)
        unit = body.org_unit
        if unit is None:
            me = await OrgRepository(self._session).staff_ref(staff.id, as_of=today)
            if me is None:
                raise Conflict("you hold no post today, so you have no section to open a file for")
            unit = me.org_unit.code
        if await self._session.get(OrgUnitRow, unit) is None:
            raise Invalid(f"org_unit: there is no org unit {unit!r}")
        if not manages(who, unit):
            raise Forbidden("only the section's own staff or the records office (文書担当) open its files")
        classification = ClassificationRepository(self._session)
        if body.classification_version is not None:
            table = await classification.get(body.classification_version)
            if table is None:
                raise Invalid(f"classification_version: no version {body.classification_version!r}")
            if table.fiscal_year != body.fiscal_year:
                raise Invalid(
                    f"classification_version {table.id} classifies 年度 {table.fiscal_year}, not {body.fiscal_year}"
                )
        else:
            table = in_force_of(await classification.tables(fiscal_year=body.fiscal_year), body.fiscal_year, today)
            if table is None:
                raise Conflict(
                    f"no 文書分類表 is loaded for 年度 {body.fiscal_year}: load one (PUT /v1/admin/classification/…)"
                )
        additions = await classification.additions(body.fiscal_year, unit)
        leaf = build(with_additions(table, additions)).leaf(body.classification_code)
        if leaf is None:
            raise Invalid(
                f"classification_code: {body.classification_code!r} is not a leaf class of {table.id}"
                f"{' nor of ' + unit + ' の課独自の分類' if additions else ''}"
            )
        async with writing(self._session) as session:
            files = FileRepository(session)
            if await files.exists(
                org_unit_code=unit, fiscal_year=body.fiscal_year, classification_code=leaf.code, title=body.title
            ):
                raise Conflict(f"{unit} already has a file {body.title!r} under {leaf.code} in 年度 {body.fiscal_year}")
            row = RecordFileRow(
                id=str(uuid.uuid4()),
                fiscal_year=body.fiscal_year,
                org_unit_code=unit,
                classification_version=table.id,
                classification_code=leaf.code,
                classification_path="/" + "/".join(leaf.path) + "/",
                classification_names=list(leaf.names),
                title=body.title,
                public_title=body.public_title,
                storage_location=body.storage_location,
                medium=body.medium,
                retention_years=leaf.entry.retention_years or 0,
                retention_permanent=leaf.entry.retention_permanent,
                disposition=leaf.entry.disposition or "dispose",
                counting=leaf.entry.counting,
                created_by=staff.id,
                created_at=datetime.now(UTC),
            )
            files.add(row)
        log.info("file.created", file_id=row.id, org_unit=unit, fiscal_year=row.fiscal_year, code=leaf.code)
        return _file_read(row, FileCompletion(), who)

    async def proposal(
        self,
        staff: StaffRow,
        *,
        matter: str,
        category: str | None,
        expense_class: str | None,
        title: str,
        sender: str,
        unit: str | None,
        fiscal_year: int | None,
        today: date,
    ) -> FileProposal:
        """簿冊の提案 for a document (or a receipt: ``matter`` "receipt") of ``unit`` (default: the caller's section)
        and ``fiscal_year`` (default: this 年度): the proposed file and the candidates."""
        who = await self._viewer(staff, today)
        if unit is None:
            me = await OrgRepository(self._session).staff_ref(staff.id, as_of=today)
            if me is None:
                raise Conflict("you hold no post today, so you have no section to file for: name unit")
            unit = me.org_unit.code
        elif await self._session.get(OrgUnitRow, unit) is None:
            raise Invalid(f"unit: there is no org unit {unit!r}")
        year = fiscal_year if fiscal_year is not None else fiscal_year_of(today)
        kind = FilingKind(
            org_unit_code=unit,
            fiscal_year=year,
            matter=matter,
            category=category,
            expense_class=expense_class,
            title=title,
            sender=sender,
        )
        chosen, rows = await file_proposal(self._session, kind, today=today)
        return FileProposal(
            org_unit=unit,
            fiscal_year=year,
            fiscal_year_label=fiscal_year_label(year),
            file_id=chosen.file_id,
            reason=chosen.reason,
            candidates=[
                FileChoice(
                    id=r.id,
                    title=shown_title(_facts(r), who),
                    classification_code=r.classification_code,
                    classification_names=list(r.classification_names),
                )
                for r in rows
            ],
        )

    async def file_document(self, staff: StaffRow, document_id: str, file_id: str, *, today: date) -> FileDetail:
        """整理: put the document into the file (or move it there); an audit event on the document's chain."""
        document = await DocumentService(self._app, self._session).visible(staff, document_id)
        who = await self._viewer(staff, today)
        if staff.id != document.drafter_id and not manages(who, document.org_unit_code):
            raise Forbidden("only the drafter, the document's section or the records office (文書担当) file it")
        async with writing(self._session) as session:
            file = await FileRepository(session).get(file_id)
            if file is None:
                raise NotFound(f"no file {file_id}")
            row = await DocumentRepository(session).get(document_id, for_update=True)
            if row is None:  # pragma: no cover - it was seen a moment ago
                raise NotFound(f"no document {document_id}")
            drafted = fiscal_year_at(row.created_at)
            year = document_fiscal_year(number_fiscal_year=row.number_fiscal_year, drafted_fiscal_year=drafted)
            facts = DocumentFacts(
                org_unit_code=row.org_unit_code,
                fiscal_year=year,
                records_status=row.records_status,
            )
            if problem := filing_problem(_facts(file), facts):
                raise Conflict(f"the document cannot go into this file: {problem}")
            previous = row.file_id
            if previous != file.id:
                await self._check_open(session, file, "go into this file", today)
                source = await FileRepository(session).get(previous) if previous else None
                if source is not None:
                    await self._check_open(session, source, "leave its file", today)
            if previous != file.id:
                row.file_id = file.id
                detail: dict[str, object] = {"file_id": file.id, "previous_file_id": previous}
                action = "file" if previous is None else "refile"
                await AuditRepository(session).append_for(row, action, staff.id, datetime.now(UTC), detail)
        log.info("document.filed", document_id=document_id, file_id=file_id, previous_file_id=previous)
        return await self.detail(staff, file_id, today=today)

    async def change_retention(
        self, staff: StaffRow, file_id: str, body: RetentionChange, *, today: date
    ) -> FileDetail:
        """保存期間の延長 / 短縮 of a file (records office): its new expiry, the change kept with the file and an audit
        event on each of its documents (whose own expiry follows the file's)."""
        await require_records_office(self._app, self._session, staff)
        shorten = body.change == "shorten"
        now = datetime.now(UTC)
        async with writing(self._session) as session:
            files = FileRepository(session)
            file = await files.get(file_id, for_update=True)
            if file is None:
                raise NotFound(f"no file {file_id}")
            done = (await files.completions([file.id])).get(file.id, FileCompletion())
            period = _retention(file, done)
            problem = retention_change_problem(
                period=period,
                permanent=file.retention_permanent,
                records_status=file.records_status,
                years=body.years,
                shorten=shorten,
                reason=body.reason,
                today=today,
            )
            if problem or period is None or period.expires_on is None:
                raise Conflict(f"the file's retention cannot change: {problem}")
            previous = period.expires_on
            file.extended_expires_on = changed_expiry(previous, body.years, shorten=shorten)
            reason = body.reason.strip()
            files.add_retention_change(
                FileRetentionChangeRow(
                    file_id=file.id,
                    change=body.change,
                    years=body.years,
                    reason=reason,
                    previous_expires_on=previous,
                    new_expires_on=file.extended_expires_on,
                    changed_by=staff.id,
                    changed_at=now,
                )
            )
            detail: dict[str, object] = {
                "file_id": file.id,
                "years": body.years,
                "reason": reason,
                "previous_expires_on": previous.isoformat(),
                "new_expires_on": file.extended_expires_on.isoformat(),
            }
            audit = AuditRepository(session)
            for document in await files.all_documents_of(file.id):
                document.retention_expires_on = file.extended_expires_on
                await audit.append_for(document, f"file_retention_{body.change}", staff.id, now, detail)
        log.info("file.retention_changed", file_id=file_id, change=body.change, years=body.years, by=staff.id)
        return await self.detail(staff, file_id, today=today)

    async def open_year(self, staff: StaffRow, fiscal_year: int, *, today: date) -> YearOpened:
        """年度替わり: open the 年度's files from last year's list (records office; idempotent)."""
        await require_records_office(self._app, self._session, staff)
        await release(self._session)  # each file is its own unit of work (db.file_opening)
        try:
            opened = await open_year(self._app.sessions, fiscal_year, by=staff.id, today=today)
        except NoTable as exc:
            raise Conflict(f"{exc}: load one (PUT /v1/admin/classification/…)") from exc
        log.info("files.year_opened", fiscal_year=fiscal_year, created=opened.created, existing=opened.existing)
        return YearOpened(
            fiscal_year=opened.fiscal_year,
            classification_version=opened.classification_version,
            created=opened.created,
            existing=opened.existing,
            skipped=[YearOpenSkip(source_file_id=f, reason=r) for f, r in opened.skipped],
        )

    async def start_opening(self, staff: StaffRow, fiscal_year: int) -> str:
        """年度替わり, to run apart (the web page's button): authorised and recorded now (a ``file_openings`` row that
        the page polls), opened by ``run_opening`` after the answer."""
        await require_records_office(self._app, self._session, staff)
        await release(self._session)
        return await start_run(self._app.sessions, fiscal_year, by=staff.id)

    async def latest_opening(self, staff: StaffRow, *, now: datetime) -> FileOpeningRead | None:
        """The run of 新年度の簿冊の一括作成 started last (from the API, the page or the command), as it is now."""
        await require_records_office(self._app, self._session, staff)
        row = await latest_run(self._session)
        if row is None:
            return None
        return FileOpeningRead(
            id=row.id,
            fiscal_year=row.fiscal_year,
            status=row.status,
            done=row.done,
            total=row.total,
            created=row.created,
            existing=row.existing,
            skipped=[YearOpenSkip(source_file_id=f, reason=r) for f, r in row.skipped],
            error=row.error,
            started_at=row.started_at,
            finished_at=row.finished_at,
            stalled=opening_stalled(row.status, row.updated_at, now),
        )

    async def file_receipt(self, staff: StaffRow, receipt_id: str, file_id: str, *, today: date) -> FileDetail:
        """整理 of a receipt (the receipts service writes it, with its event); the file as it is then."""
        await ReceiptService(self._app, self._session).file(staff, receipt_id, file_id)
        await release(self._session)  # stored before HR is asked who the caller stands in for
        log.info("receipt.filed", receipt_id=receipt_id, file_id=file_id)
        return await self.detail(staff, file_id, today=today)

    @staticmethod
    async def _check_open(session: AsyncSession, file: RecordFileRow, what: str, today: date) -> None:
        """409 when the file is closed (disposed / transferred, or its retention has started)."""
        done = (await FileRepository(session).completions([file.id])).get(file.id, FileCompletion())
        period = _retention(file, done)
        problem = closed_problem(
            fiscal_year=file.fiscal_year,
            records_status=file.records_status,
            retention_starts_on=period.starts_on if period else None,
            today=today,
        )
        if problem:
            raise Conflict(f"the document cannot {what}: {problem}")

    async def page(
        self, staff: StaffRow, *, fiscal_year: int | None, unit: str | None, page: PageRequest, today: date
    ) -> Page[FileRead]:
        who = await self._viewer(staff, today)
        files = FileRepository(self._session)
        rows, total = await files.page(fiscal_year=fiscal_year, unit=unit, limit=page.limit, offset=page.offset)
        done = await files.completions([r.id for r in rows])
        return page.page([_file_read(r, done.get(r.id, FileCompletion()), who) for r in rows], total)

    async def detail(self, staff: StaffRow, file_id: str, *, today: date) -> FileDetail:
        """The file, its computed retention and the documents in it that the caller may see (never a body)."""
        who = await self._viewer(staff, today)
        files = FileRepository(self._session)
        row = await files.get(file_id)
        if row is None:
            raise NotFound(f"no file {file_id}")
        done = (await files.completions([row.id])).get(row.id, FileCompletion())
        filed = [
            FiledDocumentRead(
                id=d.id,
                title=d.title,
                number=d.number_display,
                status=d.status,
                confidentiality=d.confidentiality,
                completed_at=d.completed_at,
            )
            for d in await files.documents_of(row.id, who)
        ]
        receipts = [
            FiledReceiptRead(
                id=r.id,
                receipt_number=r.receipt_number,
                title=r.title,
                outcome=r.outcome,
                confidentiality=r.confidentiality,
                completed_at=r.completed_at,
            )
            for r in (await files.receipts_of(row.id) if manages(who, row.org_unit_code) else [])
        ]
        changes = [
            RetentionChangeRead.model_validate(c, from_attributes=True) for c in await files.retention_changes(row.id)
        ]
        return FileDetail(
            **_file_read(row, done, who).model_dump(), filed=filed, receipts=receipts, retention_changes=changes
        )

    async def register(
        self,
        staff: StaffRow,
        *,
        fiscal_year: int | None,
        unit: str | None,
        published: bool,
        page: PageRequest,
        today: date,
    ) -> Page[RegisterRow]:
        """ファイル管理簿: the files with their retention; ``published``: as the public sees it (公開用件名)."""
        who = None if published else await self._viewer(staff, today)
        files = FileRepository(self._session)
        rows, total = await files.page(fiscal_year=fiscal_year, unit=unit, limit=page.limit, offset=page.offset)
        return page.page(await self._register_rows(rows, who), total)

    async def register_csv(
        self, staff: StaffRow, *, fiscal_year: int | None, unit: str | None, published: bool, today: date
    ) -> bytes:
        """The ファイル管理簿 as CSV in UTF-8 with BOM (Excel reads it as it is), a header row of Japanese names."""
        lines = await self.register_lines(staff, fiscal_year=fiscal_year, unit=unit, published=published, today=today)
        return _csv(lines)

    async def register_csv_public(self, *, fiscal_year: int | None, today: date) -> bytes:
        """The published ファイル管理簿 as CSV (no sign-in: 公開用名称 wherever a file has one)."""
        return _csv(await self.register_lines(None, fiscal_year=fiscal_year, unit=None, published=True, today=today))

    async def register_pdf(
        self, staff: StaffRow | None, *, fiscal_year: int | None, unit: str | None, published: bool, today: date
    ) -> bytes:
        """The ファイル管理簿 as PDF (landscape A4, the CSV's columns); ``staff`` None: as published."""
        try:
            font = find_japanese_font(self._app.settings.pdf_font_path)
        except JapaneseFontMissing as exc:
            raise PrintingUnavailable(exc.detail) from exc
        lines = await self.register_lines(staff, fiscal_year=fiscal_year, unit=unit, published=published, today=today)
        values = [line.model_dump() for line in lines]
        rows = [["" if v[key] is None else str(v[key]) for key, _ in REGISTER_COLUMNS] for v in values]
        year = fiscal_year_label(fiscal_year) if fiscal_year is not None else "全年度"
        title = f"ファイル管理簿（{year}{'・公開用' if published or staff is None else ''}）"
        columns = [label for _, label in REGISTER_COLUMNS]
        return await asyncio.to_thread(render_register, title, columns, rows, font_path=font)

    async def register_lines(
        self, staff: StaffRow | None, *, fiscal_year: int | None, unit: str | None, published: bool, today: date
    ) -> list[RegisterRow]:
        """Every line of the register (at most REGISTER_CSV_LIMIT); ``staff`` None or ``published``: the public's
        view (公開用名称 wherever a file has one)."""
        who = None if published or staff is None else await self._viewer(staff, today)
        rows, _ = await FileRepository(self._session).page(
            fiscal_year=fiscal_year, unit=unit, limit=REGISTER_CSV_LIMIT, offset=0
        )
        return await self._register_rows(rows, who)

    async def _register_rows(self, rows: Sequence[RecordFileRow], who: Viewer | None) -> list[RegisterRow]:
        done = await FileRepository(self._session).completions([r.id for r in rows])
        codes = sorted({r.org_unit_code for r in rows})
        names: dict[str, str] = {}
        if codes:
            stmt = select(OrgUnitRow.code, OrgUnitRow.name).where(OrgUnitRow.code.in_(codes))
            units = await self._session.execute(stmt)
            names = {code: name for code, name in units.all()}
        lines = []
        for row in rows:
            period = _retention(row, done.get(row.id, FileCompletion()))
            unit_name = names.get(row.org_unit_code, row.org_unit_code)
            lines.append(
                RegisterRow(
                    file_id=row.id,
                    classification_code=row.classification_code,
                    classification=" > ".join(row.classification_names),
                    title=shown_title(_facts(row), who),
                    org_unit=row.org_unit_code,
                    org_unit_name=unit_name,
                    fiscal_year=row.fiscal_year,
                    fiscal_year_label=fiscal_year_label(row.fiscal_year),
                    retention_starts_on=period.starts_on if period else None,
                    retention_label=retention_label(row.retention_years, permanent=row.retention_permanent),
                    retention_expires_on=period.expires_on if period else None,
                    storage_location=row.storage_location,
                    medium=row.medium,
                    medium_label=MEDIUM_NAMES.get(row.medium, row.medium),
                    disposition_label=DISPOSITION_NAMES[row.disposition],
                    manager=unit_name,
                )
            )
        return lines

    async def search(
        self,
        staff: StaffRow,
        *,
        terms: tuple[str, ...],
        number: str | None,
        fiscal_year: int | None,
        unit: str | None,
        classification: str | None,
        drafter: str | None,
        drafted_from: date | None,
        drafted_to: date | None,
        page: PageRequest,
        today: date,
    ) -> Page[DocumentHit]:
        """The documents the caller may see that match every filter, newest first; no body, and nothing about the
        documents outside their audience (not listed, not counted)."""
        who = await self._viewer(staff, today)
        bounds = None
        if fiscal_year is not None:
            bounds = (_jst_midnight(fiscal_year_start(fiscal_year)), _jst_midnight(fiscal_year_start(fiscal_year + 1)))
        filters = SearchFilters(
            terms=terms,
            number=number,
            fiscal_year=fiscal_year,
            fiscal_year_bounds=bounds,
            unit=unit,
            classification=classification,
            drafter=drafter,
            drafted_from=_jst_midnight(drafted_from) if drafted_from else None,
            drafted_before=_jst_midnight(date.fromordinal(drafted_to.toordinal() + 1)) if drafted_to else None,
        )
        found, total = await FileRepository(self._session).search(who, filters, limit=page.limit, offset=page.offset)
        return page.page([_hit(doc, file, who) for doc, file in found], total)


def _csv(lines: Sequence[RegisterRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label for _, label in REGISTER_COLUMNS])
    for line in lines:
        values = line.model_dump()
        writer.writerow(["" if values[key] is None else str(values[key]) for key, _ in REGISTER_COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def _hit(doc: DocumentRow, file: RecordFileRow | None, who: Viewer) -> DocumentHit:
    return DocumentHit(
        id=doc.id,
        title=doc.title,
        number=doc.number_display,
        fiscal_year=document_fiscal_year(
            number_fiscal_year=doc.number_fiscal_year, drafted_fiscal_year=fiscal_year_at(doc.created_at)
        ),
        org_unit=doc.org_unit_code,
        drafter_id=doc.drafter_id,
        status=doc.status,
        confidentiality=doc.confidentiality,
        created_at=doc.created_at,
        completed_at=doc.completed_at,
        file_id=file.id if file else None,
        file_title=shown_title(_facts(file), who) if file else None,
        classification_code=file.classification_code if file else None,
    )


async def run_opening(app: AppState, run_id: str, staff_id: str, fiscal_year: int, *, today: date) -> None:
    """The run started by ``FileService.start_opening``, after the answer (its own sessions, not the request's):
    its progress, its result or its refusal are the run's row."""
    try:
        opened = await open_year(app.sessions, fiscal_year, by=staff_id, today=today, run_id=run_id)
    except NoTable as exc:  # recorded as the run's failure, which the page shows
        log.info("files.year_open_refused", fiscal_year=fiscal_year, reason=str(exc))
        return
    log.info("files.year_opened", fiscal_year=fiscal_year, created=opened.created, existing=opened.existing)
