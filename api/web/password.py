"""パスワード変更 (the web form): the same change as ``POST /v1/me/password``; a viewer holding a one-time password
is sent here from every other page until they have changed it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep, StateDep
from api.origin import origin_of
from api.services.accounts import change_password
from api.web.deps import CurrentViewer, PostingViewer, Viewer, page
from core.errors import RingiError

router = APIRouter(include_in_schema=False)


def _form(request: Request, viewer: Viewer, *, error: str = "", status_code: int = 200) -> HTMLResponse:
    return page(
        request,
        "password.html",
        viewer,
        status_code=status_code,
        error=error,
        forced=viewer.staff.must_change_password,
        min_length=request.app.state.ringi.settings.password_min_length,
    )


@router.get("/password")
async def password_form(request: Request, viewer: CurrentViewer) -> HTMLResponse:
    return _form(request, viewer)


@router.post("/password")
async def password_change(
    request: Request,
    viewer: PostingViewer,
    app: StateDep,
    session: SessionDep,
    current: Annotated[str, Form(max_length=200)] = "",
    new: Annotated[str, Form(max_length=200)] = "",
    new_again: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if new != new_again:
        return _form(request, viewer, error="新しいパスワードが確認欄と一致しません。", status_code=422)
    try:
        await change_password(
            session,
            app.settings,
            viewer.staff,
            current=current,
            new=new,
            session_id=viewer.session.session_id,
            origin=origin_of(request, app.settings),
        )
    except RingiError as exc:  # wrong current password (403), policy (422), locked out (429)
        return _form(request, viewer, error=exc.detail, status_code=exc.status)
    return RedirectResponse("/inbox?password=changed", status_code=303)
