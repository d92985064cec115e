"""文書分類表 admin, 簿冊 (行政文書ファイル), filing (整理), the ファイル管理簿 and the document search."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from api.deps import CurrentStaff, SessionDep, StateDep
from api.paging import Paging
from api.services.classification import ClassificationService
from api.services.files import FileService
from core.clock import now, today_in_japan
from core.errors import Invalid, NotFound
from schemas.api.files import (
    AdditionsRead,
    ClassificationRead,
    ClassificationSummary,
    DocumentHit,
    FileCreate,
    FileDetail,
    FileOpeningRead,
    FileProposal,
    FileRead,
    FilingCreate,
    RegisterRow,
    RetentionChange,
    YearOpen,
    YearOpened,
)
from schemas.api.paging import Page
from schemas.document import ExpenseClass

router = APIRouter(tags=["files"])

#: What a 簿冊の提案 is asked for: a draft's matter, or a receipt (収受).
ProposalMatter = Literal["spending", "contract", "leave", "overtime", "trip", "general", "receipt"]

MAX_QUERY = 200
MAX_TERMS = 10


def _files(app: StateDep, session: SessionDep) -> FileService:
    return FileService(app, session)


def _classification(app: StateDep, session: SessionDep) -> ClassificationService:
    return ClassificationService(app, session)


Files = Annotated[FileService, Depends(_files)]
Classification = Annotated[ClassificationService, Depends(_classification)]
FiscalYear = Annotated[int | None, Query(ge=1989, le=2200, description="年度 (2026 = 令和8年度)")]
Unit = Annotated[str | None, Query(max_length=64, description="所属: an org unit and the units under it")]
Published = Annotated[bool, Query(description="as published: the 公開用件名 wherever a file has one")]

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


@router.put("/v1/admin/classification/{version_id}", openapi_extra=_UPLOAD_BODY)
async def load_classification(
    version_id: str,
    request: Request,
    response: Response,
    staff: CurrentStaff,
    classification: Classification,
    fiscal_year: FiscalYear = None,
    effective_from: Annotated[date | None, Query(description="適用日 (CSV: required)")] = None,
    title: Annotated[str | None, Query(max_length=200)] = None,
    source: Annotated[str | None, Query(max_length=400, description="the 規程 it comes from, or 例示")] = None,
) -> ClassificationRead:
    """Records office / admin: store a 文書分類表 version (YAML, JSON or CSV); 422 naming every bad row, nothing
    stored; 201 when stored, 200 when the same version is there already, 409 when a different one is."""
    meta = {
        "fiscal_year": str(fiscal_year) if fiscal_year is not None else None,
        "effective_from": effective_from.isoformat() if effective_from else None,
        "title": title,
        "source": source,
    }
    media_type = request.headers.get("content-type", "application/yaml")
    table, created = await classification.load(
        staff, version_id, await request.body(), media_type=media_type, meta=meta, today=today_in_japan()
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return table


@router.get("/v1/admin/classification")
async def list_classifications(
    staff: CurrentStaff, classification: Classification, page: Paging, fiscal_year: FiscalYear = None
) -> Page[ClassificationSummary]:
    """The 文書分類表 versions by 年度 and 適用日, marking each year's version in force today."""
    return page.slice(await classification.versions(fiscal_year=fiscal_year, today=today_in_japan()))


@router.get("/v1/admin/classification/{version_id}")
async def get_classification(
    version_id: str,
    staff: CurrentStaff,
    classification: Classification,
    unit: Annotated[
        str | None, Query(max_length=64, description="with this section's additions (課独自の分類)")
    ] = None,
) -> ClassificationRead:
    """One version with its classes (大/中/小分類), each leaf with 保存期間 and 満了時の措置; with ``unit``, the tree
    that section's files are classified by (the common classes and its additions, marked ``added``)."""
    return await classification.version(version_id, today=today_in_japan(), unit=unit or None)


@router.put("/v1/admin/classification-additions/{fiscal_year}/{org_unit}", openapi_extra=_UPLOAD_BODY)
async def load_classification_additions(
    fiscal_year: Annotated[int, Path(ge=1989, le=2200)],
    org_unit: Annotated[str, Path(max_length=64)],
    request: Request,
    staff: CurrentStaff,
    classification: Classification,
    title: Annotated[str | None, Query(max_length=200)] = None,
    source: Annotated[str | None, Query(max_length=400, description="the 規程 it comes from, or 例示")] = None,
) -> AdditionsRead:
    """Records office: replace a section's additions (課独自の分類) to the 年度's 共通分類 (YAML, JSON or CSV like the
    common table); 422 naming every bad row or a leaf the section's files use that they drop, nothing stored."""
    meta = {"title": title, "source": source, "effective_from": None}
    media_type = request.headers.get("content-type", "application/yaml")
    return await classification.load_additions(
        staff, fiscal_year, org_unit, await request.body(), media_type=media_type, meta=meta, today=today_in_japan()
    )


@router.get("/v1/admin/classification-additions/{fiscal_year}/{org_unit}")
async def get_classification_additions(
    fiscal_year: Annotated[int, Path(ge=1989, le=2200)],
    org_unit: Annotated[str, Path(max_length=64)],
    staff: CurrentStaff,
    classification: Classification,
) -> AdditionsRead:
    """A section's additions (課独自の分類) of the 年度 (empty: the section classifies by the 共通分類 alone)."""
    return await classification.additions(fiscal_year, org_unit)


@router.post("/v1/files", status_code=status.HTTP_201_CREATED)
async def create_file(body: FileCreate, staff: CurrentStaff, files: Files) -> FileRead:
    """簿冊を作成: a file of a section and 年度 under a leaf of that year's 文書分類表."""
    return await files.create(staff, body, today=today_in_japan())


@router.get("/v1/files")
async def list_files(
    staff: CurrentStaff, files: Files, page: Paging, fiscal_year: FiscalYear = None, unit: Unit = None
) -> Page[FileRead]:
    """Files by 年度 (newest first), section, classification and title, with their computed retention."""
    return await files.page(staff, fiscal_year=fiscal_year, unit=unit, page=page, today=today_in_japan())


@router.get("/v1/files/proposal")
async def file_proposal(
    staff: CurrentStaff,
    files: Files,
    matter: Annotated[ProposalMatter, Query(description="the draft's matter, or receipt (収受)")] = "general",
    category: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z0-9_]*$", description="決裁区分")] = None,
    expense_class: Annotated[ExpenseClass | None, Query(description="spending / contract: 節 group")] = None,
    title: Annotated[str, Query(max_length=400, description="件名 (its words count)")] = "",
    sender: Annotated[str, Query(max_length=400, description="a receipt's 差出人")] = "",
    unit: Annotated[str | None, Query(max_length=64, description="所属 (default: mine)")] = None,
    fiscal_year: FiscalYear = None,
) -> FileProposal:
    """簿冊の提案: the file a new document or receipt of the section and 年度 is proposed to go into, and the files
    it may go into (the section's open files of the 年度)."""
    return await files.proposal(
        staff,
        matter=matter,
        category=category or None,
        expense_class=expense_class,
        title=unicodedata.normalize("NFKC", title),
        sender=sender,
        unit=unit or None,
        fiscal_year=fiscal_year,
        today=today_in_japan(),
    )


@router.get("/v1/files/{file_id}")
async def get_file(file_id: str, staff: CurrentStaff, files: Files) -> FileDetail:
    """One file, its retention (from the latest 完結 of its documents) and the documents in it I may see."""
    return await files.detail(staff, file_id, today=today_in_japan())


@router.post("/v1/files/{file_id}/retention")
async def change_retention(file_id: str, body: RetentionChange, staff: CurrentStaff, files: Files) -> FileDetail:
    """Records office: 保存期間の延長 or 短縮 (with its reason) of a file, by whole years; an audit event on each of
    its documents, and the change kept with the file (409 with the reason when the file's retention cannot change)."""
    return await files.change_retention(staff, file_id, body, today=today_in_japan())


@router.post("/v1/files/open-year")
async def open_year(body: YearOpen, staff: CurrentStaff, files: Files) -> YearOpened:
    """Records office: open the 年度's files from last year's list (idempotent: a second call opens nothing)."""
    return await files.open_year(staff, body.fiscal_year, today=today_in_japan())


@router.get("/v1/files/open-year/latest")
async def latest_opening(staff: CurrentStaff, files: Files) -> FileOpeningRead:
    """Records office: the last run of the 年度替わり (from the API, the page or ``ringi files open-year``): its
    progress (``done`` of ``total``, written every few files) while it runs, then its result (404: none yet)."""
    run = await files.latest_opening(staff, now=now())
    if run is None:
        raise NotFound("no run of open-year yet")
    return run


@router.post("/v1/documents/{document_id}/filing")
async def file_document(document_id: str, body: FilingCreate, staff: CurrentStaff, files: Files) -> FileDetail:
    """整理: put the document into a file of its section and 年度 (or move it there; 409 with the reason if not)."""
    return await files.file_document(staff, document_id, body.file_id, today=today_in_japan())


@router.post("/v1/receipts/{receipt_id}/filing")
async def file_receipt(receipt_id: str, body: FilingCreate, staff: CurrentStaff, files: Files) -> FileDetail:
    """整理: put a receipt (収受文書) into a file of its assigned unit and 年度 (or move it there)."""
    return await files.file_receipt(staff, receipt_id, body.file_id, today=today_in_japan())


@router.get("/v1/file-register")
async def file_register(
    staff: CurrentStaff,
    files: Files,
    page: Paging,
    fiscal_year: FiscalYear = None,
    unit: Unit = None,
    published: Published = False,
) -> Page[RegisterRow]:
    """ファイル管理簿: 分類, 名称, 作成者, 作成年度, 起算日, 保存期間, 満了日, 保存場所, 媒体, 満了時の措置, 管理者."""
    today = today_in_japan()
    return await files.register(staff, fiscal_year=fiscal_year, unit=unit, published=published, page=page, today=today)


@router.get("/v1/file-register.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def file_register_csv(
    staff: CurrentStaff, files: Files, fiscal_year: FiscalYear = None, unit: Unit = None, published: Published = True
) -> Response:
    """ファイル管理簿 as CSV (UTF-8 with BOM, for Excel); by default as published (公開用件名)."""
    body = await files.register_csv(
        staff, fiscal_year=fiscal_year, unit=unit, published=published, today=today_in_japan()
    )
    name = f"file-register-{fiscal_year or 'all'}.csv"
    return Response(
        body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/v1/file-register.pdf", response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
async def file_register_pdf(
    staff: CurrentStaff, files: Files, fiscal_year: FiscalYear = None, unit: Unit = None, published: Published = True
) -> Response:
    """ファイル管理簿 as PDF (landscape A4, the CSV's columns); by default as published (公開用名称)."""
    body = await files.register_pdf(
        staff, fiscal_year=fiscal_year, unit=unit, published=published, today=today_in_japan()
    )
    name = f"file-register-{fiscal_year or 'all'}.pdf"
    return Response(
        body, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/v1/documents/search")
async def search_documents(
    staff: CurrentStaff,
    files: Files,
    page: Paging,
    q: Annotated[str | None, Query(max_length=MAX_QUERY, description="words of the 件名 (all must appear)")] = None,
    number: Annotated[str | None, Query(max_length=60, description="文書番号 or a part of it")] = None,
    fiscal_year: FiscalYear = None,
    unit: Unit = None,
    classification: Annotated[str | None, Query(max_length=40, description="分類 code (大/中/小)")] = None,
    drafter: Annotated[str | None, Query(max_length=40, description="起案者 (staff id)")] = None,
    drafted_from: Annotated[date | None, Query(alias="from", description="起案日 from (JST, inclusive)")] = None,
    drafted_to: Annotated[date | None, Query(alias="to", description="起案日 to (JST, inclusive)")] = None,
) -> Page[DocumentHit]:
    """Search the documents I may see by 件名, 文書番号, 年度, 所属, 分類, 起案者 and 起案日; newest first, no body."""
    terms = tuple(unicodedata.normalize("NFKC", q or "").split())
    if len(terms) > MAX_TERMS:
        raise Invalid(f"q: at most {MAX_TERMS} words")
    if drafted_from and drafted_to and drafted_from > drafted_to:
        raise Invalid("from: the range starts after it ends (from > to)")
    return await files.search(
        staff,
        terms=terms,
        number=unicodedata.normalize("NFKC", number).strip() or None if number else None,
        fiscal_year=fiscal_year,
        unit=unit or None,
        classification=classification or None,
        drafter=drafter or None,
        drafted_from=drafted_from,
        drafted_to=drafted_to,
        page=page,
        today=today_in_japan(),
    )
