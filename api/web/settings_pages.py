"""個人設定 (every staff member's own settings): notification preferences, the second factor (TOTP enrolment with
its QR code drawn here, recovery codes shown once), my sessions with 終了, and 不在登録 (my absences, and others'
where the person has the right: ``domain.absences``), so that 代決 can be reached from a laptop.

Transport only, over the services the JSON API calls (preferences, SecondFactorService, sessions, AbsenceService):
the same rules and the same refusals, shown on the page in Japanese.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.deps import SessionDep, StateDep
from api.origin import origin_of
from api.services.absences import AbsenceService
from api.services.people import people
from api.services.preferences import preferences_of, replace_preferences
from api.services.second_factor import SecondFactorService
from api.services.sessions import end_own_session, list_sessions
from api.web.deps import CurrentViewer, FormData, PostingViewer, Viewer, page, today
from api.web.messages import japanese, validation_message
from api.web.render import REFUSAL
from api.web.session import end_session
from core.errors import RingiError
from db.repositories.visibility import roles_held
from db.session import release
from domain.absences import may_register_for_others
from schemas.api.absences import AbsenceCreate
from schemas.api.notifications import NotificationPreferences
from schemas.api.signin import TotpConfirm, TotpConfirmed, TotpEnrolment

router = APIRouter(include_in_schema=False)

ABSENCE_KIND = {"leave": "休暇", "trip": "出張"}
SESSION_KIND = {"web": "ブラウザ", "api": "API（トークン）"}
DONE = {
    "notifications": "通知設定を保存しました。",
    "session": "セッションを終了しました。",
    "absence": "不在を登録しました。",
    "cancelled": "不在の登録を取り消しました。",
}


def _refused(request: Request, viewer: Viewer, exc: RingiError) -> HTMLResponse:
    title = REFUSAL.get(exc.status, exc.title)
    return page(request, "error.html", viewer, status_code=exc.status, title=title, detail=japanese(exc.detail))


# --- 設定 (通知・二要素認証・セッション) ---------------------------------------------------------------------------


async def _settings(
    request: Request,
    viewer: Viewer,
    app: StateDep,
    session: SessionDep,
    *,
    values: dict[str, Any] | None = None,
    error: str = "",
    totp_error: str = "",
    enrolment: TotpEnrolment | None = None,
    confirming: bool = False,
    confirmed: TotpConfirmed | None = None,
    done: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    prefs = await preferences_of(session, viewer.staff.id)
    enrolled_at = await SecondFactorService(app, session).enrolled_at(viewer.staff)
    sessions = await list_sessions(session, app.settings, viewer.staff.id, current=viewer.session.session_id)
    shown = values if values is not None else _values(prefs)
    return page(
        request,
        "settings.html",
        viewer,
        values=shown,
        error=error,
        totp_error=totp_error,
        enrolled_at=enrolled_at,
        enrolment=enrolment,
        confirming=confirming or enrolment is not None,
        confirmed=confirmed,
        sessions=sessions,
        SESSION_KIND=SESSION_KIND,
        done=done,
        status_code=status_code,
        nav="settings",
    )


def _values(prefs: NotificationPreferences) -> dict[str, Any]:
    return {
        "channels": list(prefs.channels),
        "email": prefs.email or "",
        "chat_user_id": prefs.chat_user_id or "",
        "quiet_start": prefs.quiet_hours.start if prefs.quiet_hours else "",
        "quiet_end": prefs.quiet_hours.end if prefs.quiet_hours else "",
    }


@router.get("/settings")
async def settings_page(
    request: Request,
    viewer: CurrentViewer,
    app: StateDep,
    session: SessionDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    """設定: 通知設定, 二要素認証 (登録 / 状態), my sessions."""
    return await _settings(request, viewer, app, session, done=DONE.get(done, ""))


def _preferences(form: dict[str, Any]) -> NotificationPreferences:
    channels = [c for c in ("email", "chat") if form.get(f"channel_{c}")]
    start, end = str(form.get("quiet_start", "")).strip(), str(form.get("quiet_end", "")).strip()
    return NotificationPreferences.model_validate(
        {
            "channels": channels,
            "email": str(form.get("email", "")).strip() or None,
            "chat_user_id": str(form.get("chat_user_id", "")).strip() or None,
            "quiet_hours": {"start": start, "end": end} if start or end else None,
        }
    )


@router.post("/settings/notifications")
async def save_notifications(
    request: Request, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """Replace my notification preferences (the same check as ``PUT /v1/me/notification-preferences``)."""
    try:
        prefs = _preferences(form)
    except ValidationError as exc:
        values = {
            "channels": [c for c in ("email", "chat") if form.get(f"channel_{c}")],
            **{k: str(form.get(k, "")) for k in ("email", "chat_user_id", "quiet_start", "quiet_end")},
        }
        error = validation_message(exc.errors())
        return await _settings(request, viewer, app, session, values=values, error=error, status_code=422)
    await replace_preferences(session, viewer.staff.id, prefs)
    return RedirectResponse("/settings?done=notifications", status_code=303)


@router.post("/settings/totp/enrol")
async def enrol_totp(request: Request, viewer: PostingViewer, app: StateDep, session: SessionDep) -> HTMLResponse:
    """Start an enrolment (office network only): the QR code (an image drawn here) and the secret to type."""
    client_ip = origin_of(request, app.settings).client_ip
    try:
        enrolment = await SecondFactorService(app, session).enrol(viewer.staff, client_ip=client_ip)
    except RingiError as exc:
        return await _settings(request, viewer, app, session, totp_error=japanese(exc.detail), status_code=exc.status)
    return await _settings(request, viewer, app, session, enrolment=enrolment)


@router.post("/settings/totp/confirm")
async def confirm_totp(
    request: Request, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> HTMLResponse:
    """The app's first code activates the enrolment; the 10 recovery codes are shown now, and never again."""
    client_ip = origin_of(request, app.settings).client_ip
    try:
        body = TotpConfirm(code=str(form.get("code", "")))
    except ValidationError:
        error = "アプリに表示された6桁の数字を入力してください。"
        return await _settings(request, viewer, app, session, totp_error=error, confirming=True, status_code=422)
    try:
        confirmed = await SecondFactorService(app, session).confirm(viewer.staff, body.code, client_ip=client_ip)
    except RingiError as exc:
        return await _settings(
            request, viewer, app, session, totp_error=japanese(exc.detail), confirming=True, status_code=exc.status
        )
    return await _settings(request, viewer, app, session, confirmed=confirmed)


@router.post("/settings/sessions/{session_id}/end")
async def end_session_page(
    session_id: Annotated[str, Path(max_length=64)],
    request: Request,
    viewer: PostingViewer,
    session: SessionDep,
) -> Response:
    """End one of my sessions (a browser left signed in elsewhere); ending this one signs this browser out."""
    try:
        await end_own_session(session, viewer.staff.id, session_id)
    except RingiError as exc:
        return _refused(request, viewer, exc)
    if session_id == viewer.session.session_id:
        response = RedirectResponse("/signin", status_code=303)
        end_session(response)
        return response
    return RedirectResponse("/settings?done=session", status_code=303)


# --- 不在登録 ------------------------------------------------------------------------------------------------------


async def _for_others(viewer: Viewer, session: SessionDep) -> bool:
    roles = await roles_held(session, viewer.staff.id)
    return may_register_for_others(is_admin=viewer.staff.is_admin, roles=roles, actor=viewer.me)


async def _absences(
    request: Request,
    viewer: Viewer,
    app: StateDep,
    session: SessionDep,
    *,
    staff_id: str = "",
    values: dict[str, str] | None = None,
    error: str = "",
    done: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    others = await _for_others(viewer, session)
    target = staff_id.strip() if others and staff_id.strip() else viewer.staff.id
    on = today()
    try:
        listed = await AbsenceService(app, session).list(staff_id=target, on=None)
    except RingiError as exc:
        listed, error = [], error or japanese(exc.detail)
    current = [a for a in listed if a.end >= on]
    who = await people(session, {target}, as_of=on)
    await release(session)
    default = {"kind": "leave", "start": on.isoformat(), "end": on.isoformat(), "note": "", "staff_id": ""}
    return page(
        request,
        "absences.html",
        viewer,
        absences=current,
        target=target,
        target_ref=who.get(target),
        others=others,
        values=values or default,
        error=error,
        done=done,
        key=str(uuid.uuid4()),
        ABSENCE_KIND=ABSENCE_KIND,
        status_code=status_code,
        nav="settings",
    )


@router.get("/settings/absences")
async def absences_page(
    request: Request,
    viewer: CurrentViewer,
    app: StateDep,
    session: SessionDep,
    staff_id: Annotated[str, Query(max_length=40)] = "",
    done: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    """不在登録: my current and coming absences (or, for 庶務 / 人事担当 / admins, another person's), the form."""
    return await _absences(request, viewer, app, session, staff_id=staff_id, done=DONE.get(done, ""))


def _day(text: str) -> date | str:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text


@router.post("/settings/absences")
async def register_absence(
    request: Request, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """Register 休暇 or 出張 (the same call and the same rule of who for whom as ``POST /v1/absences``)."""
    values = {k: str(form.get(k, "")).strip() for k in ("kind", "start", "end", "note", "staff_id")}
    target = values["staff_id"] or None
    try:
        body = AbsenceCreate.model_validate(
            {
                "staff_id": target,
                "kind": values["kind"],
                "start": values["start"],
                "end": values["end"],
                "note": values["note"],
            }
        )
    except ValidationError as exc:
        error = validation_message(exc.errors())
        return await _absences(
            request, viewer, app, session, staff_id=target or "", values=values, error=error, status_code=422
        )
    key = str(form.get("idempotency_key") or uuid.uuid4())
    try:
        await AbsenceService(app, session).register(viewer.staff, body, key=key, today=today())
    except RingiError as exc:
        return await _absences(
            request, viewer, app, session, values=values, error=japanese(exc.detail), status_code=exc.status
        )
    suffix = f"&staff_id={quote(target)}" if target else ""
    return RedirectResponse(f"/settings/absences?done=absence{suffix}", status_code=303)


@router.post("/settings/absences/{absence_id}/cancel")
async def cancel_absence(
    absence_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    request: Request,
    viewer: PostingViewer,
    form: FormData,
    app: StateDep,
    session: SessionDep,
) -> Response:
    """Cancel an absence (mine, or as 庶務 / 人事担当 / admin)."""
    try:
        await AbsenceService(app, session).cancel(viewer.staff, absence_id, today=today())
    except RingiError as exc:
        return _refused(request, viewer, exc)
    target = str(form.get("staff_id", "")).strip()
    suffix = f"&staff_id={quote(target)}" if target and target != viewer.staff.id else ""
    return RedirectResponse(f"/settings/absences?done=cancelled{suffix}", status_code=303)
