"""The search page (文書検索): the same service as ``GET /v1/search`` (api/services/search.py), its main filters
as a GET form, the hits as a table with paging; a bad filter shows its reason (422) on the page."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep, StateDep
from api.services.search import SearchRequest, SearchService
from api.web.deps import CurrentViewer, page, today
from core.errors import Invalid, RingiError
from domain.search import MAX_QUERY_CHARS
from schemas.api.paging import PageRequest

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
KINDS = {"all": "すべて", "document": "起案文書", "receipt": "収受文書"}
SORTS = {"relevance": "関連度順", "newest": "新しい順", "oldest": "古い順"}
LEVELS = {"": "指定なし", "1": "機密性1", "2": "機密性2", "3": "機密性3"}
FIELDS = ("q", "kind", "number", "receipt_number", "fiscal_year", "unit", "counterparty", "status", "confidentiality")
LIMITS = {"q": MAX_QUERY_CHARS, "number": 60, "receipt_number": 60, "unit": 64, "counterparty": 100, "status": 64}


def _int(form: dict[str, str], name: str, low: int, high: int) -> int | None:
    value = form.get(name, "").strip()
    if not value:
        return None
    if not value.isdecimal() or not low <= int(value) <= high:
        raise Invalid(f"{name}: {low}–{high} の数で指定してください")
    return int(value)


def _date(form: dict[str, str], name: str) -> date | None:
    value = form.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(f"{name}: 日付は YYYY-MM-DD で指定してください") from exc


def _request(form: dict[str, str]) -> SearchRequest:
    for name, limit in LIMITS.items():
        if len(form.get(name, "")) > limit:
            raise Invalid(f"{name}: {limit}文字までです")
    kind = form.get("kind") or "all"
    sort = form.get("sort") or None
    if kind not in KINDS or (sort is not None and sort not in SORTS):
        raise Invalid("kind / sort: 選択肢から選んでください")
    return SearchRequest(
        q=form.get("q") or None,
        kind=kind,  # type: ignore[arg-type]
        number=form.get("number") or None,
        receipt_number=form.get("receipt_number") or None,
        fiscal_year=_int(form, "fiscal_year", 1989, 2200),
        unit=form.get("unit") or None,
        counterparty=form.get("counterparty") or None,
        status=form.get("status") or None,
        confidentiality=_int(form, "confidentiality", 1, 3),
        date_from=_date(form, "from"),
        date_to=_date(form, "to"),
        sort=sort,  # type: ignore[arg-type]
    )


@router.get("/search")
async def search_page(request: Request, viewer: CurrentViewer, app: StateDep, session: SessionDep) -> HTMLResponse:
    """文書検索: the form, and the hits I may see (20 a page)."""
    form = {k: v for k, v in request.query_params.items()}
    context: dict[str, Any] = {
        "form": form,
        "kinds": KINDS,
        "sorts": SORTS,
        "levels": LEVELS,
        "max_query": MAX_QUERY_CHARS,
        "nav": "search",
        "results": None,
        "problem": None,
    }
    asked = any(form.get(f) for f in (*FIELDS, "from", "to"))
    if not asked:
        return page(request, "search.html", viewer, **context)
    offset = _int_or_zero(form.get("offset", ""))
    kept = [(k, v) for k, v in form.items() if k != "offset" and v]
    try:
        paging = PageRequest(limit=PAGE_SIZE, offset=offset, path="/search", query=urlencode(kept))
        results = await SearchService(app, session).search(viewer.staff, _request(form), page=paging, today=today())
    except RingiError as exc:
        context["problem"] = exc.detail
        return page(request, "search.html", viewer, status_code=exc.status, **context)
    previous = urlencode([*kept, ("offset", str(max(0, offset - PAGE_SIZE)))]) if offset > 0 else None
    context.update(results=results, previous=f"/search?{previous}" if previous else None, first=offset + 1)
    return page(request, "search.html", viewer, **context)


def _int_or_zero(value: str) -> int:
    return int(value) if value.isdecimal() and int(value) < 1_000_000 else 0
