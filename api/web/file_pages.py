"""The records office's file pages (簿冊): the files of a 年度 and section, opening the new 年度's files, a file with
its documents, moving a document to another open file of its section, extending or shortening the file's
retention, and the 文書分類表 of a 年度 (the 共通分類 and, for a section, its additions).

Transport only, over FileService (api/services/files.py): the same authorisation and the same refusals (409 with
the reason when a file is of another section or closed), shown on the page.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile as StarletteUpload

from api.deps import SessionDep, StateDep
from api.services.classification import ClassificationService
from api.services.files import FileService, run_opening
from api.web.deps import CurrentViewer, FormData, PostingViewer, Viewer, page, today
from api.web.messages import japanese
from api.web.render import REFUSAL
from core.clock import now
from core.errors import RingiError
from domain.fiscal import fiscal_year_of
from schemas.api.files import FileDetail, FileOpeningRead, FileRead, RetentionChange
from schemas.api.paging import PageRequest
from schemas.classification import ClassificationProblem

router = APIRouter(include_in_schema=False)

Year = Annotated[int | None, Query(ge=1989, le=2200)]
Unit = Annotated[str | None, Query(max_length=64)]
LIST_LIMIT = 200


def _refused(request: Request, viewer: Viewer, exc: RingiError) -> HTMLResponse:
    title = REFUSAL.get(exc.status, exc.title)
    return page(request, "error.html", viewer, status_code=exc.status, title=title, detail=exc.detail)


async def _list(
    request: Request,
    viewer: Viewer,
    files: FileService,
    *,
    year: int,
    unit: str | None,
    error: str = "",
) -> HTMLResponse:
    listed = await files.page(
        viewer.staff, fiscal_year=year, unit=unit or None, page=PageRequest(limit=LIST_LIMIT), today=today()
    )
    run = await _latest_opening(files, viewer)
    return page(
        request, "files.html", viewer, files=listed, year=year, unit=unit or "", run=run, error=error, nav="files"
    )


@router.get("/files")
async def files_page(
    request: Request, viewer: CurrentViewer, app: StateDep, session: SessionDep, year: Year = None, unit: Unit = None
) -> HTMLResponse:
    """簿冊一覧: the files of a 年度 (default: this one) and section, with the 年度替わり button."""
    chosen = year if year is not None else fiscal_year_at_today()
    return await _list(request, viewer, FileService(app, session), year=chosen, unit=unit)


def fiscal_year_at_today() -> int:
    return fiscal_year_of(today())


@router.post("/files/open-year")
async def open_year(
    request: Request,
    viewer: PostingViewer,
    form: FormData,
    app: StateDep,
    session: SessionDep,
    background: BackgroundTasks,
) -> Response:
    """年度替わり: open the new 年度's files from last year's list (idempotent), after the answer; the page it leads
    to shows the run's progress (polled) and then its result."""
    files = FileService(app, session)
    raw = str(form.get("fiscal_year", ""))
    if not raw.isdigit() or not 1989 <= int(raw) <= 2200:
        return await _list(
            request, viewer, files, year=fiscal_year_at_today(), unit=None, error="年度を西暦で入力してください。"
        )
    try:
        run_id = await files.start_opening(viewer.staff, int(raw))
    except RingiError as exc:
        return _refused(request, viewer, exc)
    background.add_task(run_opening, app, run_id, viewer.staff.id, int(raw), today=today())
    return RedirectResponse(f"/files?year={int(raw)}", status_code=303)


@router.get("/files/open-year/progress")
async def open_year_progress(
    request: Request, viewer: CurrentViewer, app: StateDep, session: SessionDep
) -> HTMLResponse:
    """The last run of 新年度の簿冊の一括作成 (htmx fragment, polled every second while it runs)."""
    run = await _latest_opening(FileService(app, session), viewer)
    return page(request, "_open_year_progress.html", viewer, run=run)


async def _latest_opening(files: FileService, viewer: Viewer) -> FileOpeningRead | None:
    try:
        run = await files.latest_opening(viewer.staff, now=now())
    except RingiError:  # not the records office: no run to show
        return None
    return run.model_copy(update={"error": japanese(run.error)}) if run is not None and run.error else run


async def _classification(
    request: Request,
    viewer: Viewer,
    service: ClassificationService,
    *,
    year: int,
    unit: str,
    status_code: int = 200,
    **upload: Any,
) -> HTMLResponse:
    table = await service.in_force(year, today=today())
    read = await service.version(table.id, today=today(), unit=unit or None) if table is not None else None
    return page(
        request,
        "classification.html",
        viewer,
        table=read,
        year=year,
        unit=unit,
        nav="files",
        status_code=status_code,
        upload=upload,
    )


@router.get("/files/classification")
async def classification_page(
    request: Request, viewer: CurrentViewer, app: StateDep, session: SessionDep, year: Year = None, unit: Unit = None
) -> HTMLResponse:
    """文書分類表: the 年度's version in force (大/中/小分類 with 保存期間, 満了時の措置, 起算), with a section's
    additions (課独自の分類) when one is chosen."""
    chosen = year if year is not None else fiscal_year_at_today()
    return await _classification(request, viewer, ClassificationService(app, session), year=chosen, unit=unit or "")


#: An uploaded table's kind by its file name (CSV, YAML or JSON, as the API takes them).
UPLOAD_TYPES = {
    ".csv": "text/csv",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".json": "application/json",
}


async def _upload(form: dict[str, Any]) -> tuple[bytes, str] | None:
    """The uploaded file's bytes and media type (None: no file chosen, or not a .csv/.yaml/.yml/.json)."""
    upload = form.get("file")
    if not isinstance(upload, StarletteUpload) or not upload.filename:
        return None
    media_type = UPLOAD_TYPES.get(PurePath(upload.filename).suffix.lower())
    if media_type is None:
        return None
    return await upload.read(), media_type


def _field(form: dict[str, Any], name: str) -> str | None:
    value = form.get(name)
    return value.strip() or None if isinstance(value, str) else None


def _year_of(form: dict[str, Any]) -> int:
    raw = _field(form, "year") or ""
    return int(raw) if raw.isdigit() and 1989 <= int(raw) <= 2200 else fiscal_year_at_today()


@router.post("/files/classification")
async def upload_classification(
    request: Request, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> HTMLResponse:
    """文書分類表（共通分類）の読込: a CSV, YAML or JSON file as PUT /v1/admin/classification/{version} takes it; a bad
    row is named (in Japanese) and nothing is stored."""
    service, year = ClassificationService(app, session), _year_of(form)
    upload, version = await _upload(form), _field(form, "version_id") or ""
    if upload is None or not version:
        error = "版の名前と、読み込むファイル（CSV・YAML・JSON）を指定してください。"
        return await _classification(request, viewer, service, year=year, unit="", status_code=422, error=error)
    meta = {
        "fiscal_year": str(year),
        "effective_from": _field(form, "effective_from"),
        "title": _field(form, "title"),
        "source": _field(form, "source"),
    }
    try:
        read, created = await service.load(
            viewer.staff, version, upload[0], media_type=upload[1], meta=meta, today=today()
        )
    except RingiError as exc:
        await session.rollback()
        return await _classification(request, viewer, service, year=year, unit="", **_refusal(exc))
    done = f"版 {read.id} を読み込みました（{len(read.tree)}分類）。" if created else f"版 {read.id} は読込済みです。"
    return await _classification(request, viewer, service, year=read.fiscal_year, unit="", done=done)


@router.post("/files/classification/additions")
async def upload_additions(
    request: Request, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> HTMLResponse:
    """課独自の分類の読込: a section's additions to the 年度's 共通分類 (CSV, YAML or JSON, replacing the earlier
    ones); a bad row is named (in Japanese) and nothing is stored."""
    service, year = ClassificationService(app, session), _year_of(form)
    upload, unit = await _upload(form), _field(form, "unit") or ""
    if upload is None or not unit:
        error = "所属コードと、読み込むファイル（CSV・YAML・JSON）を指定してください。"
        return await _classification(request, viewer, service, year=year, unit="", status_code=422, error=error)
    meta = {"title": _field(form, "title"), "source": _field(form, "source"), "effective_from": None}
    try:
        added = await service.load_additions(
            viewer.staff, year, unit, upload[0], media_type=upload[1], meta=meta, today=today()
        )
    except RingiError as exc:
        await session.rollback()
        return await _classification(request, viewer, service, year=year, unit="", **_refusal(exc))
    done = f"{unit} の課独自の分類を読み込みました（{len(added.classes)}分類）。"
    return await _classification(request, viewer, service, year=year, unit=unit, done=done)


def _refusal(exc: RingiError) -> dict[str, Any]:
    """The refusal as the page shows it: its status, the reason and every bad row, in Japanese."""
    rows = [ClassificationProblem.model_validate(e) for e in exc.extra.get("errors") or ()]
    return {
        "status_code": exc.status,
        "error": japanese(exc.detail),
        "problems": [(p.row, p.code, japanese(p.message)) for p in rows],
    }


def _targets(detail: FileDetail, files: list[FileRead]) -> list[FileRead]:
    """The files a document of this file may move to: the section's other files of the 年度 still open."""
    on = today()
    return [
        f
        for f in files
        if f.id != detail.id
        and f.org_unit == detail.org_unit
        and (f.retention_starts_on is None or f.retention_starts_on > on)
    ]


async def _file_page(
    request: Request, viewer: Viewer, files: FileService, file_id: str, *, error: str = "", status_code: int = 200
) -> HTMLResponse:
    try:
        detail = await files.detail(viewer.staff, file_id, today=today())
    except RingiError as exc:
        return _refused(request, viewer, exc)
    listed = await files.page(
        viewer.staff,
        fiscal_year=detail.fiscal_year,
        unit=detail.org_unit,
        page=PageRequest(limit=LIST_LIMIT),
        today=today(),
    )
    return page(
        request,
        "file.html",
        viewer,
        file=detail,
        targets=_targets(detail, listed.items),
        error=error,
        status_code=status_code,
        nav="files",
    )


@router.get("/files/{file_id}")
async def file_page(
    request: Request, file_id: str, viewer: CurrentViewer, app: StateDep, session: SessionDep
) -> HTMLResponse:
    """簿冊: the file, its retention (with its 延長 and 短縮) and the documents in it (that I may see), each with a
    move form choosing among the section's open files."""
    return await _file_page(request, viewer, FileService(app, session), file_id)


@router.post("/files/{file_id}/retention")
async def change_retention(
    request: Request, file_id: str, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """保存期間の延長 / 短縮 (短縮 with its reason); a refusal shows its reason on the file's page."""
    files = FileService(app, session)
    try:
        body = RetentionChange(
            change=str(form.get("change", "")),
            years=str(form.get("years", "")),
            reason=str(form.get("reason", "")),
        )
    except ValidationError:
        return await _file_page(
            request, viewer, files, file_id, error="延長か短縮かと、1〜30の年数を入力してください。", status_code=422
        )
    try:
        await files.change_retention(viewer.staff, file_id, body, today=today())
    except RingiError as exc:
        if exc.status == 409:
            return await _file_page(request, viewer, files, file_id, error=exc.detail, status_code=409)
        return _refused(request, viewer, exc)
    return RedirectResponse(f"/files/{file_id}", status_code=303)


@router.post("/files/{file_id}/move")
async def move_document(
    request: Request, file_id: str, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """文書の移動: the document goes into the target file (an audit event); a refusal shows its reason."""
    document_id, target = str(form.get("document_id", "")), str(form.get("target_file_id", "")).strip()
    try:
        await FileService(app, session).file_document(viewer.staff, document_id, target, today=today())
    except RingiError as exc:
        return _refused(request, viewer, exc)
    return RedirectResponse(f"/files/{target}", status_code=303)
