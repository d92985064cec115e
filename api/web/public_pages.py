"""The published ファイル管理簿 (情報公開): a read-only page that needs no sign-in, with its CSV and PDF.

Only what the published register shows: each file's 公開用名称 where it has one (never the title it hides), and
the register's columns; no documents, no links into the signed-in pages.  Transport only, over the same service
as ``/v1/file-register`` (``published``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep, StateDep
from api.services.files import FileService
from api.web.deps import page, today
from api.web.render import REFUSAL
from core.errors import RingiError
from domain.fiscal import fiscal_year_label

router = APIRouter(include_in_schema=False)

Year = Annotated[int | None, Query(ge=1989, le=2200)]


@router.get("/public/file-register")
async def public_register(request: Request, app: StateDep, session: SessionDep, year: Year = None) -> HTMLResponse:
    """ファイル管理簿（公開用）: every file of the 年度 (or all) by its published name."""
    lines = await FileService(app, session).register_lines(
        None, fiscal_year=year, unit=None, published=True, today=today()
    )
    label = fiscal_year_label(year) if year is not None else "全年度"
    query = f"?fiscal_year={year}" if year is not None else ""
    return page(request, "public_register.html", None, lines=lines, year=year, label=label, query=query)


@router.get("/public/file-register.csv")
async def public_register_csv(app: StateDep, session: SessionDep, fiscal_year: Year = None) -> Response:
    body = await FileService(app, session).register_csv_public(fiscal_year=fiscal_year, today=today())
    return _download(body, "text/csv; charset=utf-8", f"file-register-{fiscal_year or 'all'}.csv")


@router.get("/public/file-register.pdf", response_model=None)
async def public_register_pdf(
    request: Request, app: StateDep, session: SessionDep, fiscal_year: Year = None
) -> Response | HTMLResponse:
    try:
        body = await FileService(app, session).register_pdf(
            None, fiscal_year=fiscal_year, unit=None, published=True, today=today()
        )
    except RingiError as exc:
        title = REFUSAL.get(exc.status, exc.title)
        return page(request, "error.html", None, status_code=exc.status, title=title, detail=exc.detail)
    return _download(body, "application/pdf", f"file-register-{fiscal_year or 'all'}.pdf")


def _download(body: bytes, media_type: str, name: str) -> Response:
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})
