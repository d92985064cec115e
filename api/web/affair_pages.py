"""庶務申請 (休暇・時間外勤務) drafting page: typed fields with the API's reasons beside them, and the person's totals
(時間外勤務: 今月・年度・2〜6か月平均, 申請中を含む; 休暇: 種類ごとの残) refreshed by htmx as the fields change.

A 庶務担当 may name a colleague (代理申請): the totals, limits, balance and route are then the colleague's.
Transport only: ``DocumentService.create`` drafts and ``preview_draft`` routes, ``api.services.affair_drafts.
draft_limits`` counts.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import SessionDep, StateDep
from api.services.affair_drafts import draft_limits
from api.services.documents import DocumentService
from api.web.affair_forms import (
    AFFAIR_FORM_MATTERS,
    AFFAIR_TITLES,
    FieldErrors,
    affair_matter,
    affair_values,
    parse_affair,
)
from api.web.deps import CurrentViewer, FormData, PostingViewer, Viewer, page, today
from api.web.file_choice import draft_file_choice, file_error
from api.web.messages import japanese
from core.errors import RingiError
from schemas.api.files import FileProposal
from schemas.general_affairs import LEAVE_KIND_NAMES

router = APIRouter(include_in_schema=False)


#: The 簿冊 select (the partial of every drafting form) follows the 申請の種類.
_REFRESH: dict[str, Any] = {
    "refresh": "/affairs/new/files",
    "refresh_include": "#affair-form",
    "refresh_trigger": "change from:[name=matter]",
}


async def _choice(app: StateDep, session: AsyncSession, viewer: Viewer, values: dict[str, str]) -> FileProposal | None:
    """簿冊の提案 for the request as typed (休暇 and 時間外勤務 each have their files: 服務).

    The request is filed in the drafter's section, also for a 代理申請 (the clerk's office drafts it)."""
    matter = affair_matter(values)
    return await draft_file_choice(app, session, viewer, matter=matter, category=None, title=AFFAIR_TITLES[matter])


async def _form(
    request: Request,
    viewer: Viewer,
    app: StateDep,
    session: AsyncSession,
    values: dict[str, str],
    *,
    status_code: int = 200,
    **context: object,
) -> HTMLResponse:
    return page(
        request,
        "affair_draft.html",
        viewer,
        status_code=status_code,
        nav="affairs",
        matters=AFFAIR_FORM_MATTERS,
        kinds=LEAVE_KIND_NAMES,
        values=values,
        choice=await _choice(app, session, viewer, values),
        chosen=values.get("file_id", ""),
        **_REFRESH,
        **context,
    )


@router.get("/affairs/new")
async def affair_form(request: Request, viewer: CurrentViewer, app: StateDep, session: SessionDep) -> HTMLResponse:
    """庶務申請の起案 (empty form)."""
    values = affair_values({"matter": request.query_params.get("matter", "leave")})
    return await _form(request, viewer, app, session, values, errors={}, error="")


@router.post("/affairs/new/files")
async def affair_files(
    request: Request, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> HTMLResponse:
    """簿冊の選択 for the request as typed (htmx fragment): the proposal follows the 申請の種類."""
    values = affair_values(form)
    choice = await _choice(app, session, viewer, values)
    return page(request, "_file_choice.html", viewer, choice=choice, chosen="", **_REFRESH)


@router.post("/affairs/new")
async def create_affair(
    request: Request, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """起案: the request is saved as a draft (the document page then offers 提出)."""
    values = affair_values(form)
    try:
        created = await DocumentService(app, session).create(viewer.staff, parse_affair(values), today=today())
    except FieldErrors as exc:
        return await _form(
            request,
            viewer,
            app,
            session,
            values,
            errors=exc.errors,
            error="入力内容を確認してください",
            status_code=422,
        )
    except RingiError as exc:
        await session.rollback()
        reason = japanese(exc.detail)
        return await _form(
            request,
            viewer,
            app,
            session,
            values,
            errors={},
            error=reason,
            file_error=file_error(reason),
            status_code=exc.status,
        )
    return RedirectResponse(f"/documents/{created.id}", status_code=303)


@router.post("/affairs/new/totals")
async def affair_totals(
    request: Request, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> HTMLResponse:
    """The person's totals and route for the request as typed (htmx fragment): a 代理申請's are the colleague's."""
    try:
        draft = parse_affair(affair_values(form))
        limits = await draft_limits(app, session, viewer.staff, draft, today=today())
        preview = await DocumentService(app, session).preview_draft(viewer.staff, draft, today=today())
    except FieldErrors:
        return page(request, "_affair_totals.html", viewer, limits=None, error="入力が揃うと集計を表示します。")
    except RingiError as exc:
        return page(request, "_affair_totals.html", viewer, limits=None, error=japanese(exc.detail))
    return page(
        request, "_affair_totals.html", viewer, limits=limits, preview=preview, person=draft.on_behalf_of, error=""
    )
