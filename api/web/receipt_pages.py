"""収受の画面: 収受登録, 収受簿, the receipt with its branches (起案・供覧・完結) and 配布, my 供覧, the intake queue.

Transport only, over the same services as ``/v1/receipts`` and ``/v1/intake`` (ReceiptService, IntakeService), so
the same rules and authorisation apply.  A receipt someone may not see answers exactly like one that does not
exist (the same page, the same status, no id echoed).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import SessionDep, StateDep
from api.services.files import FileService
from api.services.intake import IntakeService
from api.services.people import people
from api.services.receipts import ReceiptService
from api.services.units import reader_candidates, unit_names
from api.web.deps import CurrentViewer, FormData, PostingViewer, Viewer, page, today
from api.web.messages import japanese
from api.web.receipt_forms import FieldErrors, field_of, parse_receipt, receipt_values
from api.web.render import REFUSAL
from core.errors import NotFound, RingiError
from db.repositories.org import OrgRepository
from db.repositories.visibility import viewer_on
from domain.fiscal import fiscal_year_of
from schemas.api.files import FileProposal
from schemas.api.intake import RouteByHand
from schemas.api.paging import PageRequest
from schemas.api.receipts import CirculationStart, HandOn, ReadingCreate, ReceiptClose
from schemas.rules import categories_of

router = APIRouter(include_in_schema=False)

#: What a receipt nobody may show this viewer answers: the same words for a missing one.
MISSING = "収受文書が見つかりません。番号やリンクを確かめてください。"


def _refused(request: Request, viewer: Viewer, exc: RingiError) -> HTMLResponse:
    title = REFUSAL.get(exc.status, exc.title)
    detail = MISSING if isinstance(exc, NotFound) else exc.detail
    return page(request, "error.html", viewer, status_code=exc.status, title=title, detail=detail)


def _message(exc: RingiError | ValidationError | ValueError) -> tuple[str, int]:
    if isinstance(exc, RingiError):
        return exc.detail, exc.status
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()), 422
    return str(exc), 422


async def _categories(request: Request) -> dict[str, str]:
    book = await request.app.state.ringi.rulebooks.in_force(today())
    return {} if book is None else categories_of(book)


# --- 収受登録 -----------------------------------------------------------------------------------------------------


async def _register_form(
    request: Request,
    viewer: Viewer,
    session: AsyncSession,
    values: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    units = await unit_names(session)
    errors = dict(errors or {})
    if "file_id" in errors:  # the service's reason (domain/filing.py), in Japanese
        errors["file_id"] = japanese(errors["file_id"])
    return page(
        request,
        "receipt_new.html",
        viewer,
        status_code=status_code,
        values=values,
        errors=errors or {},
        error=error,
        units=units,
        nav="receipts",
        choice=await _file_choice(request, viewer, session, values),
        **_REFRESH,
    )


#: The 簿冊 select follows the 担当課, the 収受日 (its 年度), the 件名 and the 差出人.
_REFRESH: dict[str, Any] = {
    "refresh": "/receipts/new/files",
    "refresh_include": "#receipt-form",
    "refresh_trigger": "change from:[name=assigned_unit], change from:[name=received_on], change from:[name=title],"
    " change from:[name=sender]",
}


async def _file_choice(
    request: Request, viewer: Viewer, session: AsyncSession, values: dict[str, str]
) -> FileProposal | None:
    """簿冊の提案 for the receipt as typed: the assigned unit's open files of the 収受日's 年度."""
    unit = values.get("assigned_unit") or ""
    if not unit:
        return None
    try:
        year = fiscal_year_of(date.fromisoformat(values.get("received_on") or ""))
    except ValueError:
        year = fiscal_year_of(today())
    try:
        return await FileService(request.app.state.ringi, session).proposal(
            viewer.staff,
            matter="receipt",
            category=None,
            expense_class=None,
            title=values.get("title", ""),
            sender=values.get("sender", ""),
            unit=unit,
            fiscal_year=year,
            today=today(),
        )
    except RingiError:  # an unknown unit: the form names it when it is registered
        return None


@router.post("/receipts/new/files")
async def receipt_files(request: Request, viewer: PostingViewer, form: FormData, session: SessionDep) -> HTMLResponse:
    """簿冊の選択 for the receipt as typed (htmx fragment)."""
    choice = await _file_choice(request, viewer, session, receipt_values(form))
    return page(request, "_file_choice.html", viewer, choice=choice, chosen="", **_REFRESH)


@router.get("/receipts/new")
async def receipt_form(request: Request, viewer: CurrentViewer, session: SessionDep) -> HTMLResponse:
    """収受登録: what arrived (紙・メール・LGWAN・電子申請・持参), from whom, by when a reply is due."""
    unit = viewer.me.org_unit.code if viewer.me else ""
    values = receipt_values({"received_on": today().isoformat(), "channel": "paper", "assigned_unit": unit})
    values["confidentiality"] = "1"
    return await _register_form(request, viewer, session, values)


@router.post("/receipts/new")
async def register(
    request: Request, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    values = receipt_values(form)
    try:
        created = await ReceiptService(app, session).register(viewer.staff, parse_receipt(values))
    except FieldErrors as exc:
        return await _register_form(request, viewer, session, values, errors=exc.errors, status_code=422)
    except RingiError as exc:
        await session.rollback()
        named = field_of(exc)
        errors = named.errors if named else {}
        return await _register_form(
            request, viewer, session, values, errors=errors, error="" if named else exc.detail, status_code=exc.status
        )
    return RedirectResponse(f"/receipts/{created.id}", status_code=303)


# --- 収受簿 -------------------------------------------------------------------------------------------------------


@router.get("/receipts")
async def receipt_book(
    request: Request,
    viewer: CurrentViewer,
    app: StateDep,
    session: SessionDep,
    fiscal_year: Annotated[int | None, Query(ge=1900, le=2999)] = None,
    unit: Annotated[str, Query(max_length=64)] = "",
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    """収受簿: the receipts of a 年度 and unit in number order (the records office: every unit's)."""
    year = fiscal_year or fiscal_year_of(today())
    who = await viewer_on(session, viewer.staff, as_of=today())
    units = await unit_names(session)
    offered = units if who.sees_all else {code: units.get(code, code) for code in sorted(who.units)}
    if not who.sees_all and not unit and offered:
        unit = next(iter(offered))  # a unit's own 収受簿 (only the records office lists every unit's at once)
    try:
        book = await ReceiptService(app, session).register_book(
            viewer.staff, fiscal_year=year, unit=unit or None, page=PageRequest(offset=offset)
        )
    except RingiError as exc:
        return _refused(request, viewer, exc)
    return page(
        request,
        "receipts.html",
        viewer,
        book=book,
        fiscal_year=year,
        unit=unit,
        units=units,
        offered=offered,
        records_office=who.sees_all,
        years=range(year + 1, year - 5, -1),
        nav="receipts",
    )


# --- the receipt --------------------------------------------------------------------------------------------------


async def _receipt_page(
    request: Request,
    viewer: Viewer,
    app: StateDep,
    session: AsyncSession,
    receipt_id: str,
    *,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    receipts = ReceiptService(app, session)
    try:
        receipt = await receipts.get(viewer.staff, receipt_id)
        events = await receipts.events(viewer.staff, receipt_id)
        readers = await receipts.readers(viewer.staff, receipt_id)
    except RingiError as exc:
        return _refused(request, viewer, exc)
    day = today()
    who = await viewer_on(session, viewer.staff, as_of=day)
    may_steer = who.sees_all or receipt.assigned_unit in who.units
    mine = next((r for r in readers if r.reader_id == viewer.staff.id), None)
    candidates = await reader_candidates(session, receipt.assigned_unit, as_of=day) if may_steer else []
    ids = {receipt.registered_by, *(r.reader_id for r in readers), *(e.actor_id for e in events)}
    names = await people(session, ids, as_of=day)
    unposted = await OrgRepository(session).names(ids - names.keys())  # e.g. 電子申請 (自動収受)
    return page(
        request,
        "receipt.html",
        viewer,
        status_code=status_code,
        receipt=receipt,
        events=events,
        readers=readers,
        who=names,
        unposted=unposted,
        units=await unit_names(session),
        may_steer=may_steer,
        open_branch=receipt.branch == "none",
        may_read=mine is not None and mine.read_at is None,
        candidates=candidates,
        error=error,
        error_status=status_code,
        nav="receipts",
    )


@router.get("/receipts/{receipt_id}")
async def receipt_page(
    request: Request, receipt_id: str, viewer: CurrentViewer, app: StateDep, session: SessionDep
) -> HTMLResponse:
    return await _receipt_page(request, viewer, app, session, receipt_id)


async def _again(
    request: Request, viewer: Viewer, app: StateDep, session: AsyncSession, receipt_id: str, exc: Exception
) -> HTMLResponse:
    """The receipt page again with the reason an action was refused (its writes rolled back)."""
    await session.rollback()
    if isinstance(exc, NotFound):
        return _refused(request, viewer, exc)
    message, status = _message(exc)  # type: ignore[arg-type]
    return await _receipt_page(request, viewer, app, session, receipt_id, error=message, status_code=status)


@router.post("/receipts/{receipt_id}/reply")
async def reply(
    request: Request, receipt_id: str, viewer: PostingViewer, app: StateDep, session: SessionDep
) -> Response:
    """起案: the reply draft linked to the receipt; the drafter completes it on its edit page."""
    try:
        draft = await ReceiptService(app, session).reply(viewer.staff, receipt_id, None)
    except RingiError as exc:
        return await _again(request, viewer, app, session, receipt_id, exc)
    return RedirectResponse(f"/documents/{draft.id}/edit", status_code=303)


@router.post("/receipts/{receipt_id}/circulation")
async def circulate(
    request: Request, receipt_id: str, viewer: PostingViewer, app: StateDep, session: SessionDep
) -> Response:
    """供覧: the readers ticked, and any staff ids typed (comma or space separated)."""
    form = await request.form()
    ticked = [str(v) for v in form.getlist("readers") if str(v).strip()]
    typed = str(form.get("more_readers") or "").replace("、", ",").replace(",", " ").split()
    try:
        body = CirculationStart(readers=[*ticked, *typed])
        await ReceiptService(app, session).start_circulation(viewer.staff, receipt_id, body)
    except ValidationError:
        return await _again(request, viewer, app, session, receipt_id, ValueError("供覧する職員を選んでください"))
    except RingiError as exc:
        return await _again(request, viewer, app, session, receipt_id, exc)
    return RedirectResponse(f"/receipts/{receipt_id}", status_code=303)


@router.post("/receipts/{receipt_id}/close")
async def close(
    request: Request, receipt_id: str, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """完結（ファイルのみ）: filed with no further processing, with the reason."""
    try:
        body = ReceiptClose(reason=str(form.get("reason") or "").strip())
    except ValidationError:
        return await _again(request, viewer, app, session, receipt_id, ValueError("完結の理由を入力してください"))
    try:
        await ReceiptService(app, session).close(viewer.staff, receipt_id, body)
    except RingiError as exc:
        return await _again(request, viewer, app, session, receipt_id, exc)
    return RedirectResponse(f"/receipts/{receipt_id}", status_code=303)


@router.post("/receipts/{receipt_id}/hand-on")
async def hand_on(
    request: Request, receipt_id: str, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """配布: hand the receipt on to another unit, with the reason."""
    try:
        body = HandOn(unit=str(form.get("unit") or ""), reason=str(form.get("reason") or "").strip())
    except ValidationError:
        return await _again(request, viewer, app, session, receipt_id, ValueError("配布先と理由を入力してください"))
    try:
        await ReceiptService(app, session).hand_on(viewer.staff, receipt_id, body)
    except RingiError as exc:
        return await _again(request, viewer, app, session, receipt_id, exc)
    return RedirectResponse(f"/receipts/{receipt_id}", status_code=303)


@router.post("/receipts/{receipt_id}/read")
async def confirm_reading(
    request: Request, receipt_id: str, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """閲覧確認: a reader of the 供覧 confirms, with an optional comment."""
    try:
        body = ReadingCreate(comment=str(form.get("comment") or "").strip())
    except ValidationError as exc:
        return await _again(request, viewer, app, session, receipt_id, exc)
    try:
        await ReceiptService(app, session).confirm_read(viewer.staff, receipt_id, body)
    except RingiError as exc:
        return await _again(request, viewer, app, session, receipt_id, exc)
    return RedirectResponse("/circulations", status_code=303)


# --- my 供覧 ------------------------------------------------------------------------------------------------------


@router.get("/circulations")
async def my_circulations(request: Request, viewer: CurrentViewer, app: StateDep, session: SessionDep) -> HTMLResponse:
    """供覧: the receipts waiting for my confirmation of reading, oldest first."""
    items = await ReceiptService(app, session).to_read(viewer.staff)
    return page(request, "circulations.html", viewer, items=items, units=await unit_names(session), nav="circulations")


# --- the intake queue ---------------------------------------------------------------------------------------------


async def _queue_page(
    request: Request,
    viewer: Viewer,
    app: StateDep,
    session: AsyncSession,
    offset: int,
    *,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    try:
        queue = await IntakeService(app, session).queue(viewer.staff, PageRequest(offset=offset))
    except RingiError as exc:
        return _refused(request, viewer, exc)
    return page(
        request,
        "intake_queue.html",
        viewer,
        status_code=status_code,
        queue=queue,
        units=await unit_names(session),
        categories=await _categories(request),
        error=error,
        nav="intake",
    )


@router.get("/intake/queue")
async def intake_queue(
    request: Request,
    viewer: CurrentViewer,
    app: StateDep,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    """電子申請の振分け待ち: applications no form mapping routed, oldest first (records office)."""
    return await _queue_page(request, viewer, app, session, offset)


@router.post("/intake/queue/{intake_id}/route")
async def route_by_hand(
    request: Request, intake_id: str, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """Route one queued application by hand: it becomes a receipt of the unit named."""
    raw: dict[str, Any] = {
        "assigned_unit": str(form.get("assigned_unit") or ""),
        "branch": str(form.get("branch") or "reply"),
        "confidentiality": str(form.get("confidentiality") or "2"),
    }
    for name in ("title", "category"):
        if value := str(form.get(name) or "").strip():
            raw[name] = value
    try:
        received = await IntakeService(app, session).route(viewer.staff, intake_id, RouteByHand.model_validate(raw))
    except (RingiError, ValidationError) as exc:
        await session.rollback()
        if isinstance(exc, RingiError) and exc.status in (403, 404):
            return _refused(request, viewer, exc)
        message, status = _message(exc)
        return await _queue_page(request, viewer, app, session, 0, error=message, status_code=status)
    return RedirectResponse(f"/receipts/{received.row.receipt_id}", status_code=303)
