"""The administrators' account pages (管理): the アクセスログ with its filters and pages, the ロック中のアカウント
with 解除, and a staff member's account: パスワード再設定 (a one-time password shown once), 無効化・再有効化 and the
reset of a lost second factor (二要素認証のリセット).

Transport only, over the services of ``/v1/access-log``, ``/v1/auth/lockout``, ``/v1/auth/totp`` and
``/v1/admin/staff`` (api/services/access_log.py, auth.py, second_factor.py, accounts.py): the same refusals.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, get_args
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep, StateDep
from api.origin import OriginDep
from api.services import access_log
from api.services.accounts import read_account, reset_password, set_active
from api.services.auth import lockouts, unlock
from api.services.people import people
from api.services.second_factor import SecondFactorService
from api.web.admin_pages import refused, require_admin
from api.web.deps import CurrentViewer, FormData, PostingViewer, Viewer, page, today
from api.web.messages import japanese
from core.calendar import JST
from core.errors import Invalid, RingiError
from db.repositories.signin import AccessLogFilter
from schemas.api.accounts import OneTimePassword
from schemas.api.paging import PageRequest
from schemas.api.signin import AccessKind, AccessOutcome

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
LOCKOUTS_SHOWN = 200  # the latest; the API pages through them all
StaffId = Annotated[str, Path(max_length=40)]
Done = Annotated[str, Query(max_length=40)]
#: The confirmations after a redirect (``?done=…``), read by screen readers (role=status).
DONE = {
    "unlocked": "ロックを解除しました。失敗回数も消去しました。",
    "deactivated": "アカウントを無効にしました。この職員のセッションはすべて終了しました。",
    "reactivated": "アカウントを再び有効にしました。",
    "totp_reset": "二要素認証の登録を削除しました。本人は庁内ネットワークから登録し直してください。",
}
FILTERS = ("staff_id", "kind", "outcome", "document_id", "client_ip", "since", "until")
LIMITS = {"staff_id": 40, "document_id": 64, "client_ip": 45}


def _day(form: dict[str, str], name: str) -> date | None:
    value = form.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(f"{name}: 日付は YYYY-MM-DD で指定してください") from exc


def _start_of(day: date | None, *, after: int = 0) -> datetime | None:
    """00:00 JST of ``day`` (plus ``after`` days), in UTC."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=after), time(0, 0), tzinfo=JST).astimezone(UTC)


def _filter(form: dict[str, str]) -> AccessLogFilter:
    for name, limit in LIMITS.items():
        if len(form.get(name, "")) > limit:
            raise Invalid(f"{name}: {limit}文字までです")
    kind, outcome = form.get("kind") or None, form.get("outcome") or None
    if kind is not None and kind not in get_args(AccessKind):
        raise Invalid("kind: 選択肢から選んでください")
    if outcome is not None and outcome not in get_args(AccessOutcome):
        raise Invalid("outcome: 選択肢から選んでください")
    return AccessLogFilter(
        staff_id=form.get("staff_id", "").strip() or None,
        kind=kind,
        outcome=outcome,
        document_id=form.get("document_id", "").strip() or None,
        client_ip=form.get("client_ip", "").strip() or None,
        since=_start_of(_day(form, "since")),
        until=_start_of(_day(form, "until"), after=1),  # the whole last day
    )


def _offset(value: str) -> int:
    return int(value) if value.isdecimal() and int(value) < 10_000_000 else 0


@router.get("/admin/access-log")
async def access_log_page(request: Request, viewer: CurrentViewer, session: SessionDep) -> HTMLResponse:
    """アクセスログ: sign-ins, document reads and account changes, newest first, 50 a page, with filters
    (職員番号, 種別, 結果, 文書, 接続元, 期間 in JST days)."""
    form = {k: v for k, v in request.query_params.items() if k in (*FILTERS, "offset")}
    offset = _offset(form.get("offset", ""))
    kept = [(k, v) for k, v in form.items() if k != "offset" and v]
    context: dict[str, Any] = {"form": form, "kinds": get_args(AccessKind), "nav": "admin", "problem": ""}
    try:
        require_admin(viewer)
        paging = PageRequest(limit=PAGE_SIZE, offset=offset, path="/admin/access-log", query=urlencode(kept))
        entries = await access_log.search(session, viewer.staff, _filter(form), page=paging)
    except Invalid as exc:
        context["problem"] = japanese(exc.detail)
        return page(request, "admin_access_log.html", viewer, status_code=exc.status, entries=None, **context)
    except RingiError as exc:
        return refused(request, viewer, exc)
    previous = urlencode([*kept, ("offset", str(max(0, offset - PAGE_SIZE)))]) if offset > 0 else None
    return page(
        request,
        "admin_access_log.html",
        viewer,
        entries=entries,
        previous=f"/admin/access-log?{previous}" if previous else None,
        first=offset + 1,
        **context,
    )


@router.get("/admin/lockouts")
async def lockouts_page(
    request: Request, viewer: CurrentViewer, app: StateDep, session: SessionDep, done: Done = ""
) -> HTMLResponse:
    """ロック中のアカウント: the ids locked now, then those with failed sign-ins counting towards a lock; 解除."""
    paging = PageRequest(limit=LOCKOUTS_SHOWN)
    try:
        found = await lockouts(session, app.settings, viewer.staff, page=paging)
    except RingiError as exc:
        return refused(request, viewer, exc)
    names = await people(session, (lockout.staff_id for lockout in found.items), as_of=today())
    return page(
        request, "admin_lockouts.html", viewer, lockouts=found, people=names, done=DONE.get(done, ""), nav="admin"
    )


@router.post("/admin/lockouts/unlock")
async def unlock_account(request: Request, viewer: PostingViewer, form: FormData, session: SessionDep) -> Response:
    """解除: the lock lifted and the failures forgotten; back to the list (or to the account it was pressed on).
    The staff id comes as a field, not in the path: a failed sign-in may have used any text as its id."""
    staff_id = str(form.get("staff_id") or "")[:40]
    try:
        await unlock(session, viewer.staff, staff_id)
    except RingiError as exc:
        return refused(request, viewer, exc)
    back = f"/admin/staff/{quote(staff_id, safe='')}" if form.get("back") == "account" else "/admin/lockouts"
    return RedirectResponse(f"{back}?done=unlocked", status_code=303)


@router.get("/admin/staff")
async def find_account(
    request: Request, viewer: CurrentViewer, staff_id: Annotated[str, Query(max_length=40)] = ""
) -> Response:
    """職員のアカウント: the form asking for a staff id, which opens that account's page."""
    try:
        require_admin(viewer)
    except RingiError as exc:
        return refused(request, viewer, exc)
    if staff_id.strip():
        return RedirectResponse(f"/admin/staff/{quote(staff_id.strip(), safe='')}", status_code=303)
    return page(request, "admin_account.html", viewer, account=None, nav="admin")


async def _account_page(
    request: Request,
    viewer: Viewer,
    session: SessionDep,
    staff_id: str,
    *,
    issued: OneTimePassword | None = None,
    done: str = "",
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    try:
        account = await read_account(session, viewer.staff, staff_id)
    except RingiError as exc:
        return refused(request, viewer, exc)
    post = (await people(session, [staff_id], as_of=today())).get(staff_id)
    return page(
        request,
        "admin_account.html",
        viewer,
        account=account,
        post=post,
        issued=issued,
        done=DONE.get(done, ""),
        error=error,
        status_code=status_code,
        nav="admin",
    )


@router.get("/admin/staff/{staff_id}")
async def account_page(
    request: Request, staff_id: StaffId, viewer: CurrentViewer, session: SessionDep, done: Done = ""
) -> HTMLResponse:
    """A staff member's account: 一時パスワードの有無, 無効化, and its buttons."""
    return await _account_page(request, viewer, session, staff_id, done=done)


@router.post("/admin/staff/{staff_id}/password-reset")
async def reset_account_password(
    request: Request, staff_id: StaffId, viewer: PostingViewer, app: StateDep, session: SessionDep, origin: OriginDep
) -> HTMLResponse:
    """パスワード再設定: the one-time password, shown on this page only (no redirect: it is not kept)."""
    try:
        issued = await reset_password(session, app.settings, viewer.staff, staff_id, origin=origin)
    except RingiError as exc:
        if exc.status == 409:
            return await _account_page(request, viewer, session, staff_id, error=japanese(exc.detail), status_code=409)
        return refused(request, viewer, exc)
    return await _account_page(request, viewer, session, staff_id, issued=issued)


async def _set_active(
    request: Request, viewer: Viewer, session: SessionDep, staff_id: str, origin: OriginDep, *, active: bool
) -> Response:
    try:
        await set_active(session, viewer.staff, staff_id, active=active, origin=origin)
    except RingiError as exc:
        if exc.status == 409:
            return await _account_page(request, viewer, session, staff_id, error=japanese(exc.detail), status_code=409)
        return refused(request, viewer, exc)
    done = "reactivated" if active else "deactivated"
    return RedirectResponse(f"/admin/staff/{quote(staff_id, safe='')}?done={done}", status_code=303)


@router.post("/admin/staff/{staff_id}/deactivate")
async def deactivate_account(
    request: Request, staff_id: StaffId, viewer: PostingViewer, session: SessionDep, origin: OriginDep
) -> Response:
    """無効化: sign-in refused at once, every session ended, the history kept."""
    return await _set_active(request, viewer, session, staff_id, origin, active=False)


@router.post("/admin/staff/{staff_id}/reactivate")
async def reactivate_account(
    request: Request, staff_id: StaffId, viewer: PostingViewer, session: SessionDep, origin: OriginDep
) -> Response:
    """再有効化."""
    return await _set_active(request, viewer, session, staff_id, origin, active=True)


@router.post("/admin/staff/{staff_id}/totp-reset")
async def reset_second_factor(
    request: Request, staff_id: StaffId, viewer: PostingViewer, app: StateDep, session: SessionDep
) -> Response:
    """二要素認証のリセット (e.g. a lost phone): the enrolment and recovery codes removed, sessions ended."""
    try:
        await SecondFactorService(app, session).reset(viewer.staff, staff_id)
    except RingiError as exc:
        if exc.status == 404 and viewer.staff.is_admin:  # the account exists but has nothing enrolled
            return await _account_page(request, viewer, session, staff_id, error=japanese(exc.detail), status_code=404)
        return refused(request, viewer, exc)
    return RedirectResponse(f"/admin/staff/{quote(staff_id, safe='')}?done=totp_reset", status_code=303)
