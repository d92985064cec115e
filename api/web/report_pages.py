"""The 滞留 page (where documents wait, with its chart drawn on the server) and the reports' CSV downloads.

Transport only, over the same services as ``/v1/reports/…`` (api/services/reports.py): the same scope (a 課長 their
division, a 部長 their department, the records office all), the same withheld titles; a refusal shows its reason.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from api.deps import SessionDep, StateDep
from api.services import reports
from api.web.deps import CurrentViewer, page, today
from api.web.render import REFUSAL
from core.errors import RingiError
from domain.pending import bucket_counts

router = APIRouter(include_in_schema=False)

_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


@router.get("/reports/pending")
async def pending_page(request: Request, viewer: CurrentViewer, app: StateDep, session: SessionDep) -> HTMLResponse:
    """滞留: the waits of my units, oldest first, and their 開庁日 buckets as a bar chart (inline SVG)."""
    day = today()
    try:
        items = await reports.pending_report(app, session, viewer.staff, today=day)
    except RingiError as exc:
        title = REFUSAL.get(exc.status, exc.title)
        return page(request, "error.html", viewer, status_code=exc.status, title=title, detail=exc.detail)
    counts = bucket_counts(i.age_business_days for i in items)
    chart = Markup(reports.bucket_chart_svg(counts, today=day))
    month = day.replace(day=1).isoformat()[:7]
    return page(
        request,
        "reports_pending.html",
        viewer,
        items=items,
        counts=counts,
        chart=chart,
        today=day,
        month=month,
        kinds=reports.KIND_LABELS,
        withheld=reports.WITHHELD,
        nav="reports",
    )


@router.get("/reports/pending.csv")
async def pending_csv(viewer: CurrentViewer, app: StateDep, session: SessionDep) -> Response:
    day = today()
    body = reports.pending_csv(await reports.pending_report(app, session, viewer.staff, today=day))
    return _csv(body, f"pending-{day.isoformat()}.csv")


@router.get("/reports/monthly.csv")
async def monthly_csv(
    viewer: CurrentViewer, app: StateDep, session: SessionDep, month: Annotated[str, Query(pattern=_MONTH)]
) -> Response:
    first = date(int(month[:4]), int(month[5:7]), 1)
    lines = await reports.monthly_counts(app, session, viewer.staff, month=first, today=today())
    return _csv(reports.monthly_csv(lines), f"monthly-{month}.csv")


def _csv(body: bytes, name: str) -> Response:
    return Response(
        body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
