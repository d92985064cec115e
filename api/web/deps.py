"""Dependencies of the web pages: the signed-in viewer (from the session cookie), CSRF-checked form posts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.deps import AppState, SessionDep, StateDep, signed_in
from api.services.sessions import check_live
from api.web.session import (
    CSRF_FIELD,
    PasswordChangeRequired,
    SignInRequired,
    WebSession,
    check_csrf,
    read_session,
)
from core.clock import today_in_japan
from core.errors import Unauthorized
from db.models import StaffRow
from db.repositories.org import OrgRepository
from db.repositories.visibility import roles_held
from domain.visibility import RECORDS_OFFICE_ROLE
from schemas.org import StaffRef

#: Everything comes from this site (LGWAN: no CDN, fonts or scripts from outside); no framing, no inline scripts.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


#: The pages a viewer holding a one-time password may open: the change form, and sign-out.
PASSWORD_CHANGE_PATHS = frozenset({"/password", "/signout"})


@dataclass(frozen=True)
class Viewer:
    """The signed-in staff member, their post today and their session (for the CSRF token)."""

    staff: StaffRow
    me: StaffRef | None
    session: WebSession
    #: 文書担当 (the records office) or an administrator: the menu shows 文書管理.
    records_office: bool = False


def today() -> date:
    return today_in_japan()


async def _viewer(request: Request, app: StateDep, db: SessionDep) -> Viewer:
    """Read through the request's one session, as every page's services are."""
    session = read_session(request, keys=app.settings.jwt_verifying_secrets())
    try:
        await check_live(db, app.settings, session_id=session.session_id, staff_id=session.staff_id)
    except Unauthorized as exc:
        raise SignInRequired from exc
    request.state.ringi_session_id = session.session_id
    repository = OrgRepository(db)
    staff = await repository.get_staff(session.staff_id)
    if staff is None or staff.deactivated_at is not None:
        raise SignInRequired
    if staff.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired
    me = await repository.staff_ref(session.staff_id, as_of=today())
    records_office = staff.is_admin or RECORDS_OFFICE_ROLE in await roles_held(db, staff.id)
    return Viewer(staff=signed_in(db, staff), me=me, session=session, records_office=records_office)


async def _form(request: Request) -> dict[str, Any]:
    return dict((await request.form()).items())


async def _posted(
    viewer: Annotated[Viewer, Depends(_viewer)], form: Annotated[dict[str, Any], Depends(_form)]
) -> Viewer:
    """The viewer of a form POST whose CSRF token matches their session."""
    token = form.get(CSRF_FIELD)
    check_csrf(viewer.session, token if isinstance(token, str) else None)
    return viewer


CurrentViewer = Annotated[Viewer, Depends(_viewer)]
PostingViewer = Annotated[Viewer, Depends(_posted)]
FormData = Annotated[dict[str, Any], Depends(_form)]


def templates(request: Request) -> Jinja2Templates:
    found: Jinja2Templates = request.app.state.ringi_templates
    return found


def page(request: Request, name: str, viewer: Viewer | None, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with what every page shows (the viewer, their CSRF token)."""
    context.update(viewer=viewer, csrf_token=viewer.session.csrf_token if viewer else "")
    response = templates(request).TemplateResponse(request, name, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.ringi
    return state
