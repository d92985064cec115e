"""The web UI (Japanese, server-rendered, htmx vendored under static/): pages over the same services as /v1."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.web import (
    admin_accounts,
    admin_pages,
    affair_pages,
    attachment_pages,
    downloads,
    file_pages,
    pages,
    password,
    public_pages,
    receipt_pages,
    record_pages,
    report_pages,
    search_pages,
    settings_pages,
    signin,
)
from api.web.render import create_templates
from api.web.session import CsrfRefused, PasswordChangeRequired, SignInRequired

STATIC_DIR = Path(__file__).parent / "static"


def mount_web(app: FastAPI) -> None:
    """Add the pages, their static files (no CDN: everything is served from here) and their error pages."""
    app.state.ringi_templates = create_templates()
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(signin.router)
    app.include_router(password.router)
    app.include_router(pages.router)
    app.include_router(downloads.router)
    app.include_router(attachment_pages.router)
    app.include_router(report_pages.router)
    app.include_router(affair_pages.router)
    app.include_router(search_pages.router)
    app.include_router(public_pages.router)
    app.include_router(file_pages.router)
    app.include_router(receipt_pages.router)
    app.include_router(record_pages.router)
    app.include_router(settings_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(admin_accounts.router)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _: SignInRequired) -> Response:
        target = f"/signin?next={quote(request.url.path)}"
        if request.headers.get("HX-Request"):  # an htmx fragment: send the whole page to sign-in
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    async def _change_password(request: Request, _: PasswordChangeRequired) -> Response:
        if request.headers.get("HX-Request"):
            return Response(status_code=204, headers={"HX-Redirect": "/password"})
        return RedirectResponse("/password", status_code=303)

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, exc: CsrfRefused) -> HTMLResponse:
        return signin.refused_page(request, exc)
