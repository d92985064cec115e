"""文書検索: documents and receipts by free text and filters, only those the caller may see.

The query is read by ``domain.search`` (normalisation, terms); the SQL is ``db.repositories.search``, which filters
with the visibility rule of the document lists; a hit never carries the body (nor a snippet) of a 機密性2+ one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services.visibility import viewer
from core.errors import Invalid
from db.models import DocumentRow, ReceiptRow, RecordFileRow, StaffRow
from db.repositories.search import Found, Kind, SearchQuery, SearchRepository, Sort
from domain.era import JST
from domain.filing import FileFacts, document_fiscal_year, shown_title
from domain.fiscal import fiscal_year_at, fiscal_year_start
from domain.search import QueryError, Term, normalise, parse_query, snippet
from domain.visibility import Viewer, content_listed
from schemas.api.paging import Page, PageRequest
from schemas.api.search import SearchHit
from schemas.text import control_character


@dataclass(frozen=True)
class SearchRequest:
    """The query and filters as the route parsed them (raw text: normalised here)."""

    q: str | None = None
    kind: Kind = "all"
    number: str | None = None
    receipt_number: str | None = None
    fiscal_year: int | None = None
    unit: str | None = None
    classification: str | None = None
    file_id: str | None = None
    counterparty: str | None = None
    drafter: str | None = None
    status: str | None = None
    confidentiality: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: Sort | None = None


def _jst_midnight(d: date) -> datetime:
    return datetime.combine(d, time(), tzinfo=JST).astimezone(UTC)


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value else None


def search_query(request: SearchRequest) -> SearchQuery:
    """The repository's query from the request; 422 (``Invalid``) for an over-long query or a bad range."""
    for name in ("q", "number", "receipt_number", "counterparty", "unit", "classification", "drafter", "status"):
        value = getattr(request, name)
        if isinstance(value, str) and (bad := control_character(value)) is not None:
            raise Invalid(f"{name}: must not contain control characters (found U+{ord(bad):04X})")
    try:
        terms = parse_query(request.q)
    except QueryError as exc:
        raise Invalid(str(exc)) from exc
    if request.date_from and request.date_to and request.date_from > request.date_to:
        raise Invalid("from: the range starts after it ends (from > to)")
    bounds = None
    if request.fiscal_year is not None:
        year = request.fiscal_year
        bounds = (_jst_midnight(fiscal_year_start(year)), _jst_midnight(fiscal_year_start(year + 1)))
    number = _blank(unicodedata.normalize("NFKC", request.number)) if request.number else None
    receipt_number = _blank(unicodedata.normalize("NFKC", request.receipt_number)) if request.receipt_number else None
    counterparty = _blank(normalise(request.counterparty)) if request.counterparty else None
    return SearchQuery(
        terms=terms,
        kind=request.kind,
        number=number,
        receipt_number=receipt_number,
        fiscal_year=request.fiscal_year,
        fiscal_year_bounds=bounds,
        unit=_blank(request.unit),
        classification=_blank(request.classification),
        file_id=_blank(request.file_id),
        counterparty=counterparty,
        drafter=_blank(request.drafter),
        status=_blank(request.status),
        confidentiality=request.confidentiality,
        from_at=_jst_midnight(request.date_from) if request.date_from else None,
        before_at=_jst_midnight(date.fromordinal(request.date_to.toordinal() + 1)) if request.date_to else None,
        from_day=request.date_from,
        to_day=request.date_to,
        sort=request.sort or ("relevance" if terms else "newest"),
    )


def _facts(row: RecordFileRow) -> FileFacts:
    return FileFacts(
        org_unit_code=row.org_unit_code, fiscal_year=row.fiscal_year, title=row.title, public_title=row.public_title
    )


def _file(file: RecordFileRow | None, who: Viewer) -> dict[str, str | None]:
    return {
        "file_id": file.id if file else None,
        "file_title": shown_title(_facts(file), who) if file else None,
        "classification_code": file.classification_code if file else None,
    }


def _document_hit(doc: DocumentRow, file: RecordFileRow | None, who: Viewer, found: Found, text: str) -> SearchHit:
    listed = content_listed(doc.confidentiality)
    return SearchHit(
        kind="document",
        id=doc.id,
        title=doc.title,
        number=doc.number_display,
        fiscal_year=document_fiscal_year(
            number_fiscal_year=doc.number_fiscal_year, drafted_fiscal_year=fiscal_year_at(doc.created_at)
        ),
        org_unit=doc.org_unit_code,
        status=doc.status,
        confidentiality=doc.confidentiality,
        dated_at=doc.created_at,
        completed_at=doc.completed_at,
        drafter_id=doc.drafter_id,
        score=found.score,
        snippet=text if listed else "",
        content_omitted=not listed,
        **_file(file, who),
    )


def _receipt_hit(row: ReceiptRow, file: RecordFileRow | None, who: Viewer, found: Found, text: str) -> SearchHit:
    listed = content_listed(row.confidentiality)
    return SearchHit(
        kind="receipt",
        id=row.id,
        title=row.title,
        number=row.receipt_number,
        fiscal_year=row.fiscal_year,
        org_unit=row.assigned_unit,
        status=row.outcome,
        confidentiality=row.confidentiality,
        dated_at=row.registered_at,
        completed_at=row.completed_at,
        counterparty=row.sender if listed else None,
        score=found.score,
        snippet=text if listed else "",
        content_omitted=not listed,
        **_file(file, who),
    )


class SearchService:
    def __init__(self, app: AppState, session: AsyncSession) -> None:
        self._app = app
        self._session = session

    async def search(
        self, staff: StaffRow, request: SearchRequest, *, page: PageRequest, today: date
    ) -> Page[SearchHit]:
        """The documents and receipts the caller may see that match every filter; nothing about the others (not
        listed, not counted)."""
        query = search_query(request)
        who = await viewer(self._app, self._session, staff, today=today)
        repo = SearchRepository(self._session)
        found, total = await repo.search(who, query, limit=page.limit, offset=page.offset)
        documents = await repo.documents([f.id for f in found if f.kind == "document"])
        receipts = await repo.receipts([f.id for f in found if f.kind == "receipt"])
        texts = await repo.texts([(f.kind, f.id) for f in found])
        hits: list[SearchHit] = []
        for f in found:
            text = _snippet(texts.get((f.kind, f.id), ""), query.terms)
            if f.kind == "document" and f.id in documents:
                hits.append(_document_hit(*documents[f.id], who, f, text))
            elif f.kind == "receipt" and f.id in receipts:
                hits.append(_receipt_hit(*receipts[f.id], who, f, text))
        return page.page(hits, total)


def _snippet(text: str, terms: tuple[Term, ...]) -> str:
    return snippet(text, terms) if terms else text[:60]
