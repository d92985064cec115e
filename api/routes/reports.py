"""Reports: 滞留 (where documents wait) as a page, a CSV and an SVG chart; the monthly 事務報告 counts as CSV."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import CurrentStaff, SessionDep, StateDep
from api.paging import Paging
from api.services import reports
from core.clock import today_in_japan
from core.errors import Invalid
from domain.pending import bucket_counts
from schemas.api.paging import Page
from schemas.api.reports import PendingItemRead

router = APIRouter(prefix="/v1/reports", tags=["reports"])

_MONTH = re.compile(r"^([1-9][0-9]{3})-(0[1-9]|1[0-2])$")  # year 1000-9999: date() has no year 0
Month = Annotated[str, Query(pattern=_MONTH.pattern, description="the month, YYYY-MM (in Japan)", examples=["2026-11"])]


@router.get("/pending")
async def pending(staff: CurrentStaff, app: StateDep, session: SessionDep, page: Paging) -> Page[PendingItemRead]:
    """滞留: every pending step of the in-review documents of your units (a 課長 their division, a 部長 their
    department, the records office all), per post and person, aged in 開庁日, oldest first; with the receipts whose
    回答期限 passed unanswered.  A 機密性2+ title you may not see is withheld."""
    return page.slice(await reports.pending_report(app, session, staff, today=today_in_japan()))


@router.get("/pending.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def pending_csv(staff: CurrentStaff, app: StateDep, session: SessionDep) -> Response:
    """滞留 as CSV (UTF-8 with BOM, for Excel; Japanese headers)."""
    today = today_in_japan()
    body = reports.pending_csv(await reports.pending_report(app, session, staff, today=today))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="pending-{today.isoformat()}.csv"'},
    )


@router.get("/pending.svg", response_class=Response, responses={200: {"content": {"image/svg+xml": {}}}})
async def pending_svg(staff: CurrentStaff, app: StateDep, session: SessionDep) -> Response:
    """滞留日数 (0–1, 2–3, 4–7, 8+ 開庁日) as a bar chart drawn on the server: SVG text, no external assets."""
    today = today_in_japan()
    items = await reports.pending_report(app, session, staff, today=today)
    svg = reports.bucket_chart_svg(bucket_counts(i.age_business_days for i in items), today=today)
    return Response(svg, media_type="image/svg+xml; charset=utf-8")


@router.get("/monthly.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def monthly_csv(staff: CurrentStaff, app: StateDep, session: SessionDep, month: Month) -> Response:
    """事務報告: the month's 起案, 決裁 and 収受 by section, as CSV (UTF-8 with BOM)."""
    found = _MONTH.match(month)
    if found is None:
        raise Invalid(f"month must be YYYY-MM (e.g. 2026-11), got {month!r}")
    first = date(int(found.group(1)), int(found.group(2)), 1)
    lines = await reports.monthly_counts(app, session, staff, month=first, today=today_in_japan())
    return Response(
        reports.monthly_csv(lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="monthly-{month}.csv"'},
    )
