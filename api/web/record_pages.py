"""The records office's pages (文書主管課): 施行 of a decided document with its 公印 (from the document page),
the 公印使用簿 by period, and the yearly 廃棄・移管の審査 (open it, mark each item 延長 / 移管 / 廃棄 with a reason,
submit it as its own 起案文書, see what was applied).

Transport only, over RecordsService and DisposalService (api/services/records.py, disposal.py): the same
authorisation (the records office or an administrator; 施行 the drafter or the drafting division) and the same
refusals, shown on the page in Japanese.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.deps import SessionDep, StateDep
from api.services.disposal import DisposalService
from api.services.records import RecordsService
from api.web.deps import CurrentViewer, FormData, PostingViewer, Viewer, page, today
from api.web.messages import japanese, validation_message
from api.web.pages import _again, _logged
from api.web.render import REFUSAL
from core.errors import Invalid, RingiError
from domain.fiscal import fiscal_year_of
from schemas.api.disposal import DisposalItemUpdate, DisposalReviewRead
from schemas.api.models import IssuanceCreate, RetentionExtensionCreate, SealChoice
from schemas.api.paging import PageRequest
from schemas.disposal import DISPOSITION_LABELS

router = APIRouter(include_in_schema=False)

SEAL_LOG_LIMIT = 100
OMIT_SEAL = "omit"
#: 審査の状態 in Japanese.
REVIEW_STATUS = {
    "open": "審査中（案の入力中）",
    "submitted": "決裁中",
    "approved": "決裁済（適用待ち）",
    "applied": "適用済",
    "rejected": "却下",
    "withdrawn": "取下げ",
}
OUTCOME = {"extended": "延長した", "transferred": "移管した", "disposed": "廃棄した", "skipped": "対象外（処理済み）"}


def _refused(request: Request, viewer: Viewer, exc: RingiError) -> HTMLResponse:
    title = REFUSAL.get(exc.status, exc.title)
    return page(request, "error.html", viewer, status_code=exc.status, title=title, detail=japanese(exc.detail))


# --- 施行 ------------------------------------------------------------------------------------------------------


def _issuance(form: dict[str, Any]) -> IssuanceCreate:
    seal = str(form.get("seal", "")).strip()
    return IssuanceCreate.model_validate(
        {
            "clean_copy_on": str(form.get("clean_copy_on", "")),
            "seal": None if seal in ("", OMIT_SEAL) else SealChoice(name=seal),
            "seal_omitted": seal == OMIT_SEAL,
            "dispatch_method": str(form.get("dispatch_method", "")),
            "dispatched_on": str(form.get("dispatched_on", "")),
        }
    )


@router.post("/documents/{document_id}/issue")
async def issue(
    request: Request, document_id: str, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """施行: 浄書日, 公印 (or 公印省略), 発送方法 and 発送日 — once, after the decision (the same call as
    ``POST /v1/documents/{id}/issuance``); a refusal shows its reason on the document page."""
    key = str(form.get("idempotency_key") or uuid.uuid4())
    try:
        body = _issuance(form)
    except ValidationError as exc:
        return await _again(request, viewer, app, session, document_id, Invalid(validation_message(exc.errors())))
    try:
        await RecordsService(app, session).issue(viewer.staff, document_id, body, key=key)
    except RingiError as exc:
        return await _again(request, viewer, app, session, document_id, exc, key=key)
    return RedirectResponse(f"/documents/{document_id}?done=issue", status_code=303)


# --- 公印使用簿 ---------------------------------------------------------------------------------------------------

DateQuery = Annotated[str, Query(max_length=10, alias="from")]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/records")
async def records_home(request: Request, viewer: CurrentViewer, app: StateDep, session: SessionDep) -> Response:
    """文書管理: the records office's pages (refused to others, as each page is)."""
    try:
        reviews = await DisposalService(app, session).all(viewer.staff, page=PageRequest(limit=5))
    except RingiError as exc:
        return _refused(request, viewer, exc)
    return page(request, "records.html", viewer, reviews=reviews, REVIEW_STATUS=REVIEW_STATUS, nav="records")


@router.get("/records/seal-log")
async def seal_log(
    request: Request,
    viewer: CurrentViewer,
    app: StateDep,
    session: SessionDep,
    start: DateQuery = "",
    end: Annotated[str, Query(max_length=10, alias="to")] = "",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """公印使用簿: the seal uses between two dates (both optional), oldest first, a page at a time."""
    first, last = _day(start), _day(end)
    error = ""
    if (start and first is None) or (end and last is None):
        error, first, last = "日付は YYYY-MM-DD の形で入力してください。", None, None
    elif first is not None and last is not None and first > last:
        error, first, last = "開始日が終了日より後になっています。", None, None
    try:
        uses = await RecordsService(app, session).seal_log(
            viewer.staff, start=first, end=last, page=PageRequest(limit=SEAL_LOG_LIMIT, offset=offset)
        )
    except RingiError as exc:
        return _refused(request, viewer, exc)
    following = offset + SEAL_LOG_LIMIT if offset + SEAL_LOG_LIMIT < uses.total else None
    return page(
        request,
        "seal_log.html",
        viewer,
        uses=uses,
        start=start,
        end=end,
        error=error,
        following=following,
        status_code=422 if error else 200,
        nav="records",
    )


# --- 廃棄・移管の審査 -------------------------------------------------------------------------------------------------


@router.get("/records/disposal")
async def disposal_reviews(request: Request, viewer: CurrentViewer, app: StateDep, session: SessionDep) -> Response:
    """審査の一覧 (newest fiscal year first), with the form that opens a fiscal year's review."""
    return await _reviews(request, viewer, DisposalService(app, session))


async def _reviews(
    request: Request, viewer: Viewer, disposal: DisposalService, *, error: str = "", status_code: int = 200
) -> Response:
    try:
        reviews = await disposal.all(viewer.staff, page=PageRequest(limit=50))
    except RingiError as exc:
        return _refused(request, viewer, exc)
    return page(
        request,
        "disposal_reviews.html",
        viewer,
        reviews=reviews,
        year=fiscal_year_of(today()),
        error=error,
        status_code=status_code,
        REVIEW_STATUS=REVIEW_STATUS,
        nav="records",
    )


@router.post("/records/disposal")
async def open_review(
    request: Request, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """Open the fiscal year's review now (the one already open if there is one): its page follows."""
    disposal = DisposalService(app, session)
    raw = str(form.get("fiscal_year", "")).strip()
    if not raw.isdigit() or not 2000 <= int(raw) <= 2200:
        return await _reviews(
            request, viewer, disposal, error="年度を西暦（2000〜2200）で入力してください。", status_code=422
        )
    try:
        review, _ = await disposal.open(viewer.staff, int(raw))
    except RingiError as exc:
        return _refused(request, viewer, exc)
    return RedirectResponse(f"/records/disposal/{review.id}", status_code=303)


async def _review_page(
    request: Request,
    viewer: Viewer,
    disposal: DisposalService,
    review_id: str,
    *,
    error: str = "",
    status_code: int = 200,
    done: str = "",
    key: str | None = None,
) -> Response:
    try:
        review = await disposal.get(viewer.staff, review_id)
    except RingiError as exc:
        return _refused(request, viewer, exc)
    return page(
        request,
        "disposal_review.html",
        viewer,
        review=review,
        loose=[i for i in review.items if i.file_id is None],
        missing=_missing(review),
        error=error,
        status_code=status_code,
        done=done,
        key=key or str(uuid.uuid4()),
        DISPOSITION=DISPOSITION_LABELS,
        REVIEW_STATUS=REVIEW_STATUS,
        OUTCOME=OUTCOME,
        nav="records",
    )


def _missing(review: DisposalReviewRead) -> int:
    """How many items (a file counting once) still have no proposal."""
    return sum(1 for i in review.items if i.file_id is None and i.disposition is None) + sum(
        1 for f in review.files if f.disposition is None
    )


DONE = {"proposed": "審査案を保存しました。", "submitted": "審査を廃棄決裁として提出しました。"}


@router.get("/records/disposal/{review_id}")
async def disposal_review(
    request: Request,
    review_id: str,
    viewer: CurrentViewer,
    app: StateDep,
    session: SessionDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """One review: each listed file (簿冊) and document with its 満了日 and the proposal; the forms while it is open."""
    return await _review_page(request, viewer, DisposalService(app, session), review_id, done=DONE.get(done, ""))


def _proposal(form: dict[str, Any]) -> DisposalItemUpdate:
    years = str(form.get("extend_years", "")).strip()
    disposition = str(form.get("disposition", ""))
    return DisposalItemUpdate.model_validate(
        {
            "disposition": disposition,
            "extend_years": (int(years) if years.isdigit() else years) if disposition == "extend" else None,
            "reason": str(form.get("reason", "")),
        }
    )


@router.post("/records/disposal/{review_id}/items/{document_id}")
async def propose(
    request: Request,
    review_id: str,
    document_id: str,
    viewer: PostingViewer,
    form: FormData,
    app: StateDep,
    session: SessionDep,
) -> Response:
    """延長 (years and reason), 移管 or 廃棄 for one document listed on its own."""
    return await _propose(request, viewer, DisposalService(app, session), form, review_id, document_id=document_id)


@router.post("/records/disposal/{review_id}/files/{file_id}")
async def propose_file(
    request: Request,
    review_id: str,
    file_id: str,
    viewer: PostingViewer,
    form: FormData,
    app: StateDep,
    session: SessionDep,
) -> Response:
    """延長, 移管 or 廃棄 for one file (簿冊), and so for each document in it."""
    return await _propose(request, viewer, DisposalService(app, session), form, review_id, file_id=file_id)


async def _propose(
    request: Request,
    viewer: Viewer,
    disposal: DisposalService,
    form: dict[str, Any],
    review_id: str,
    *,
    document_id: str | None = None,
    file_id: str | None = None,
) -> Response:
    try:
        body = _proposal(form)
    except ValidationError as exc:
        error = validation_message(exc.errors())
        return await _review_page(request, viewer, disposal, review_id, error=error, status_code=422)
    try:
        if file_id is not None:
            await disposal.propose_file(viewer.staff, review_id, file_id, body)
        else:
            await disposal.propose(viewer.staff, review_id, document_id or "", body)
    except RingiError as exc:
        if exc.status in (404, 409):
            return await _review_page(
                request, viewer, disposal, review_id, error=japanese(exc.detail), status_code=exc.status
            )
        return _refused(request, viewer, exc)
    return RedirectResponse(f"/records/disposal/{review_id}?done=proposed", status_code=303)


@router.post("/records/disposal/{review_id}/submit")
async def submit_review(
    request: Request, review_id: str, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """Submit the review as its 廃棄決裁 (routed for approval; the items freeze)."""
    disposal = DisposalService(app, session)
    key = str(form.get("idempotency_key") or uuid.uuid4())
    try:
        await disposal.submit(viewer.staff, review_id, key=key)
    except RingiError as exc:
        if exc.status in (409, 503):
            return await _review_page(
                request, viewer, disposal, review_id, error=japanese(exc.detail), status_code=exc.status, key=key
            )
        return _refused(request, viewer, exc)
    return RedirectResponse(f"/records/disposal/{review_id}?done=submitted", status_code=303)


# --- 保存期間の延長 (a document's) ---------------------------------------------------------------------------------


async def _retention_page(
    request: Request,
    viewer: Viewer,
    app: StateDep,
    session: SessionDep,
    document_id: str,
    *,
    values: dict[str, str] | None = None,
    error: str = "",
    done: str = "",
    status_code: int = 200,
) -> Response:
    try:
        document, _, _ = await _logged(request, viewer, app, session, document_id)
        history = await RecordsService(app, session).extensions(viewer.staff, document_id)
    except RingiError as exc:
        return _refused(request, viewer, exc)
    return page(
        request,
        "retention.html",
        viewer,
        doc=document,
        history=history,
        values=values or {"years": "", "reason": ""},
        error=error,
        done=done,
        status_code=status_code,
        nav="records" if viewer.records_office else "",
    )


@router.get("/documents/{document_id}/retention")
async def retention_page(
    request: Request,
    document_id: str,
    viewer: CurrentViewer,
    app: StateDep,
    session: SessionDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The document's 保存期間 with the history of its extensions; the records office's extension form."""
    shown = "保存期間を延長しました。" if done == "extended" else ""
    return await _retention_page(request, viewer, app, session, document_id, done=shown)


@router.post("/documents/{document_id}/retention")
async def extend_retention(
    request: Request, document_id: str, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """保存期間の延長 by the records office (the same call as ``POST /v1/documents/{id}/retention-extension``)."""
    values = {"years": str(form.get("years", "")).strip(), "reason": str(form.get("reason", "")).strip()}
    try:
        body = RetentionExtensionCreate.model_validate(values)
    except ValidationError as exc:
        error = validation_message(exc.errors())
        return await _retention_page(
            request, viewer, app, session, document_id, values=values, error=error, status_code=422
        )
    try:
        await RecordsService(app, session).extend_retention(viewer.staff, document_id, body)
    except RingiError as exc:
        if exc.status == 409:
            error = japanese(exc.detail)
            return await _retention_page(
                request, viewer, app, session, document_id, values=values, error=error, status_code=409
            )
        return _refused(request, viewer, exc)
    return RedirectResponse(f"/documents/{document_id}/retention?done=extended", status_code=303)


@router.get("/records/disposals")
async def disposal_records(
    request: Request,
    viewer: CurrentViewer,
    app: StateDep,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """廃棄記録: every disposed document and file (簿冊), kept permanently, oldest first."""
    disposal = DisposalService(app, session)
    try:
        documents = await disposal.records(viewer.staff, page=PageRequest(limit=SEAL_LOG_LIMIT, offset=offset))
        files = await disposal.file_records(viewer.staff, page=PageRequest(limit=SEAL_LOG_LIMIT, offset=offset))
    except RingiError as exc:
        return _refused(request, viewer, exc)
    more = offset + SEAL_LOG_LIMIT < max(documents.total, files.total)
    return page(
        request,
        "disposals.html",
        viewer,
        documents=documents,
        files=files,
        following=offset + SEAL_LOG_LIMIT if more else None,
        nav="records",
    )
