"""サインイン / サインアウト: the form calls the same credential check as ``POST /v1/auth/token``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep, StateDep
from api.origin import origin_of
from api.services.auth import SecondFactorRequired, WrongCredentials, WrongSecondFactor, authenticate
from api.services.sessions import open_session, revoke_all
from api.web.deps import SECURITY_HEADERS, PostingViewer, page, templates
from api.web.messages import japanese
from api.web.session import (
    CsrfRefused,
    SignInRequired,
    check_signin_token,
    end_session,
    keep_signin_nonce,
    read_session,
    signin_token,
    start_session,
)
from core.errors import RingiError

router = APIRouter(include_in_schema=False)


def _local_path(target: str | None) -> str:
    """Only a path of this site (no open redirect to another host)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/inbox"


@router.get("/")
async def home(request: Request, app: StateDep) -> RedirectResponse:
    """The inbox when signed in, else the sign-in form."""
    try:
        read_session(request, keys=app.settings.jwt_verifying_secrets())
    except SignInRequired:
        return RedirectResponse("/signin", status_code=303)
    return RedirectResponse("/inbox", status_code=303)


def _form(
    request: Request,
    app: StateDep,
    *,
    next_path: str,
    staff_id: str = "",
    error: str = "",
    otp: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    nonce, token = signin_token(request, secret=app.settings.jwt_signing_secret())
    response = page(
        request,
        "signin.html",
        None,
        status_code=status_code,
        signin_token=token,
        next_path=next_path,
        staff_id=staff_id,
        error=error,
        otp_required=otp,
    )
    keep_signin_nonce(request, response, nonce)
    return response


@router.get("/signin")
async def signin_form(request: Request, app: StateDep, next: str | None = None) -> HTMLResponse:
    return _form(request, app, next_path=_local_path(next))


@router.post("/signin")
async def signin(
    request: Request,
    app: StateDep,
    session: SessionDep,
    staff_id: Annotated[str, Form(max_length=40)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    one_time_code: Annotated[str, Form(max_length=20)] = "",
    signin_csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/inbox",
) -> Response:
    check_signin_token(request, signin_csrf, secret=app.settings.jwt_signing_secret())
    staff_id = staff_id.strip()
    origin = origin_of(request, app.settings)
    back = _local_path(next)
    try:
        staff = await authenticate(
            session, app.settings, staff_id, password, one_time_code or None, origin.client_ip, origin.user_agent
        )
    except (SecondFactorRequired, WrongSecondFactor) as exc:  # the password was right: ask for the one-time code
        return _form(request, app, next_path=back, staff_id=staff_id, error=exc.detail, otp=True, status_code=401)
    except WrongCredentials:
        error = "職員番号またはパスワードが正しくありません。"
        return _form(request, app, next_path=back, staff_id=staff_id, error=error, status_code=401)
    except RingiError as exc:  # locked out or backed off (429), or outside the office without a second factor (403)
        error = japanese(exc.detail) if exc.status == 429 else exc.detail
        refused = _form(request, app, next_path=back, staff_id=staff_id, error=error, status_code=exc.status)
        if "Retry-After" in exc.headers:
            refused.headers["Retry-After"] = exc.headers["Retry-After"]
        return refused
    settings = app.settings
    opened = await open_session(
        session, settings, staff.id, kind="web", client_ip=origin.client_ip, user_agent=origin.user_agent
    )
    target = "/password" if staff.must_change_password else _local_path(next)
    response = RedirectResponse(target, status_code=303)
    start_session(
        request,
        response,
        staff.id,
        opened.id,
        secret=settings.jwt_signing_secret(),
        ttl_seconds=settings.jwt_ttl_seconds,
    )
    return response


@router.post("/signout")
async def signout(viewer: PostingViewer, session: SessionDep) -> RedirectResponse:
    """サインアウト: every session of the viewer ends (this browser's, other browsers', bearer tokens)."""
    await revoke_all(session, viewer.staff.id, reason="sign_out")
    response = RedirectResponse("/signin", status_code=303)
    end_session(response)
    return response


def refused_page(request: Request, _: CsrfRefused) -> HTMLResponse:
    """A form post without its CSRF token (e.g. from another site, or a page older than the session)."""
    response = templates(request).TemplateResponse(
        request,
        "error.html",
        {
            "viewer": None,
            "csrf_token": "",
            "title": "送信を受け付けられません",
            "detail": "ページを開き直してから、もう一度操作してください（CSRF トークンが一致しません）。",
        },
        status_code=403,
    )
    response.headers.update(SECURITY_HEADERS)
    return response
