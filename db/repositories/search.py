"""文書検索 in SQL: documents and receipts that match a query and the filters, that the viewer may see.  Never commits.

The text goes through the index (``search_entries``): the terms' bigrams narrow it — a GIN index on PostgreSQL
(``string_to_array(tokens, ' ') @> ARRAY[...]``), the FTS5 table on SQLite (``search_fts MATCH``) — and each term
is then checked on the normalised text (so a term is found as typed, not as scattered pairs).  Visibility is the
same SQL rule the document lists use (``visible_to``, and ``receipt_visible_to`` for receipts): what the viewer
may not see is neither returned nor counted.  bench/search.py runs this very query on a million documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text

from db.models import DocumentRow, ReceiptRow, RecordFileRow, SearchEntryRow
from db.repositories.visibility import receipt_visible_to, visible_to
from db.search_index import FTS_TABLE
from domain.search import TEXT_WEIGHT, TITLE_WEIGHT, Term, year_token
from domain.visibility import Viewer

Kind = Literal["all", "document", "receipt"]
Sort = Literal["relevance", "newest", "oldest"]


@dataclass(frozen=True)
class SearchQuery:
    """Every given filter must hold; ``terms`` each somewhere in the 件名, 本文 or the receipt's fields."""

    terms: tuple[Term, ...] = ()
    kind: Kind = "all"
    number: str | None = None  # 文書番号 (a part of it): documents only
    receipt_number: str | None = None  # 収受番号 (a part of it): receipts only
    fiscal_year: int | None = None
    #: The 年度's bounds as instants (JST midnight of April 1 and of the next April 1), for unnumbered documents.
    fiscal_year_bounds: tuple[datetime, datetime] | None = None
    unit: str | None = None
    classification: str | None = None
    file_id: str | None = None
    counterparty: str | None = None  # 相手先, normalised
    drafter: str | None = None  # 起案者: documents only
    status: str | None = None  # a document's status or a receipt's outcome
    confidentiality: int | None = None
    #: 日付範囲: a document's 起案 instant, a receipt's 収受日.
    from_at: datetime | None = None
    before_at: datetime | None = None
    from_day: date | None = None
    to_day: date | None = None
    sort: Sort = "relevance"


@dataclass(frozen=True)
class Found:
    """One hit, before it is read: which row, its score and when it is dated."""

    kind: str
    id: str
    score: int
    dated_at: datetime


def _contains(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _like(col: Any, text: str) -> ColumnElement[bool]:
    return col.like(_contains(text), escape="\\")  # type: ignore[no-any-return]


def _in_unit(col: Any, unit: str) -> ColumnElement[bool]:
    """A unit and the units under it (``somu`` holds ``somu.somu``)."""
    return or_(col == unit, col.like(_contains(f"{unit}.")[1:], escape="\\"))


def _fts_match(tokens: Sequence[str]) -> str:
    return " ".join(f'"{t}"' for t in tokens)


class SearchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _text_conditions(self, query: SearchQuery, dialect: str) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        tokens = sorted({t for term in query.terms for t in term.tokens})
        if tokens and query.fiscal_year is not None:  # words and 年度 meet in the index itself
            tokens.append(year_token(query.fiscal_year))
        if tokens and dialect == "postgresql":
            indexed = func.string_to_array(SearchEntryRow.tokens, literal_column("' '"))
            conditions.append(indexed.op("@>")(cast(tokens, ARRAY(Text))))
        elif tokens:
            fts = table(FTS_TABLE, column("rowid"))
            matched = select(fts.c.rowid).where(literal_column(FTS_TABLE).op("MATCH")(_fts_match(tokens)))
            conditions.append(SearchEntryRow.id.in_(matched))
        conditions += [_like(SearchEntryRow.text, term.text) for term in query.terms]
        return conditions

    def _score(self, query: SearchQuery) -> ColumnElement[int]:
        if not query.terms:
            return literal(0)
        parts = [case((_like(SearchEntryRow.title, t.text), TITLE_WEIGHT), else_=TEXT_WEIGHT) for t in query.terms]
        total: ColumnElement[int] = parts[0]
        for part in parts[1:]:
            total = total + part
        return total

    def _documents(self, viewer: Viewer, query: SearchQuery, dialect: str) -> Select[str, str, int, datetime] | None:
        if query.kind == "receipt" or query.receipt_number:
            return None
        c: list[ColumnElement[bool]] = [visible_to(viewer), *self._text_conditions(query, dialect)]
        if query.number:
            c.append(_like(DocumentRow.number_display, query.number))
        if query.fiscal_year is not None and query.fiscal_year_bounds is not None:
            start, end = query.fiscal_year_bounds
            c.append(
                or_(
                    DocumentRow.number_fiscal_year == query.fiscal_year,
                    and_(
                        DocumentRow.number_fiscal_year.is_(None),
                        DocumentRow.created_at >= start,
                        DocumentRow.created_at < end,
                    ),
                )
            )
        if query.unit:
            c.append(_in_unit(DocumentRow.org_unit_code, query.unit))
        if query.classification:
            c.append(_like(RecordFileRow.classification_path, f"/{query.classification}/"))
        if query.file_id:
            c.append(DocumentRow.file_id == query.file_id)
        if query.counterparty:
            replied = select(ReceiptRow.id).join(
                SearchEntryRow, and_(SearchEntryRow.kind == "receipt", SearchEntryRow.ref_id == ReceiptRow.id)
            )
            c.append(DocumentRow.in_reply_to.in_(replied.where(_like(SearchEntryRow.counterparty, query.counterparty))))
        if query.drafter:
            c.append(DocumentRow.drafter_id == query.drafter)
        if query.status:
            c.append(DocumentRow.status == query.status)
        if query.confidentiality is not None:
            c.append(DocumentRow.confidentiality == query.confidentiality)
        if query.from_at is not None:
            c.append(DocumentRow.created_at >= query.from_at)
        if query.before_at is not None:
            c.append(DocumentRow.created_at < query.before_at)
        stmt = (
            select(
                literal("document").label("kind"),
                DocumentRow.id.label("id"),
                self._score(query).label("score"),
                DocumentRow.created_at.label("dated_at"),
            )
            .join(SearchEntryRow, and_(SearchEntryRow.kind == "document", SearchEntryRow.ref_id == DocumentRow.id))
            .where(*c)
        )
        if query.classification:
            stmt = stmt.join(RecordFileRow, RecordFileRow.id == DocumentRow.file_id)
        return stmt

    def _receipts(self, viewer: Viewer, query: SearchQuery, dialect: str) -> Select[str, str, int, datetime] | None:
        if query.kind == "document" or query.number or query.drafter:
            return None
        c: list[ColumnElement[bool]] = [receipt_visible_to(viewer), *self._text_conditions(query, dialect)]
        if query.receipt_number:
            c.append(_like(ReceiptRow.receipt_number, query.receipt_number))
        if query.fiscal_year is not None:
            c.append(ReceiptRow.fiscal_year == query.fiscal_year)
        if query.unit:
            c.append(_in_unit(ReceiptRow.assigned_unit, query.unit))
        if query.classification:
            c.append(_like(RecordFileRow.classification_path, f"/{query.classification}/"))
        if query.file_id:
            c.append(ReceiptRow.file_id == query.file_id)
        if query.counterparty:
            c.append(_like(SearchEntryRow.counterparty, query.counterparty))
        if query.status:
            c.append(ReceiptRow.outcome == query.status)
        if query.confidentiality is not None:
            c.append(ReceiptRow.confidentiality == query.confidentiality)
        if query.from_day is not None:
            c.append(ReceiptRow.received_on >= query.from_day)
        if query.to_day is not None:
            c.append(ReceiptRow.received_on <= query.to_day)
        stmt = (
            select(
                literal("receipt").label("kind"),
                ReceiptRow.id.label("id"),
                self._score(query).label("score"),
                ReceiptRow.registered_at.label("dated_at"),
            )
            .join(SearchEntryRow, and_(SearchEntryRow.kind == "receipt", SearchEntryRow.ref_id == ReceiptRow.id))
            .where(*c)
        )
        if query.classification:
            stmt = stmt.join(RecordFileRow, RecordFileRow.id == ReceiptRow.file_id)
        return stmt

    async def search(self, viewer: Viewer, query: SearchQuery, *, limit: int, offset: int) -> tuple[list[Found], int]:
        """A page of the hits ``viewer`` may see, by relevance (then newest) or by date, and how many there are."""
        dialect = self._session.get_bind().dialect.name
        parts = [
            p
            for p in (self._documents(viewer, query, dialect), self._receipts(viewer, query, dialect))
            if p is not None
        ]
        if not parts:
            return [], 0
        hits = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("hits")
        order: list[Any] = []
        if query.sort == "relevance":
            order.append(hits.c.score.desc())
        order.append(hits.c.dated_at.asc() if query.sort == "oldest" else hits.c.dated_at.desc())
        order += [hits.c.kind, hits.c.id]
        counted = func.count().over().label("total")  # one pass: the page and how many in all
        stmt = select(hits.c.kind, hits.c.id, hits.c.score, hits.c.dated_at, counted).order_by(*order)
        rows = (await self._session.execute(stmt.limit(limit).offset(offset))).all()
        if rows:
            total = int(rows[0].total)
        elif offset == 0:
            total = 0
        else:  # past the end: count them alone
            total = int(await self._session.scalar(select(func.count()).select_from(hits)) or 0)
        return [Found(kind=r.kind, id=r.id, score=int(r.score or 0), dated_at=r.dated_at) for r in rows], total

    async def documents(self, ids: Sequence[str]) -> dict[str, tuple[DocumentRow, RecordFileRow | None]]:
        if not ids:
            return {}
        stmt = (
            select(DocumentRow, RecordFileRow)
            .outerjoin(RecordFileRow, RecordFileRow.id == DocumentRow.file_id)
            .where(DocumentRow.id.in_(ids))
        )
        return {d.id: (d, f) for d, f in (await self._session.execute(stmt)).all()}

    async def receipts(self, ids: Sequence[str]) -> dict[str, tuple[ReceiptRow, RecordFileRow | None]]:
        if not ids:
            return {}
        stmt = (
            select(ReceiptRow, RecordFileRow)
            .outerjoin(RecordFileRow, RecordFileRow.id == ReceiptRow.file_id)
            .where(ReceiptRow.id.in_(ids))
        )
        return {r.id: (r, f) for r, f in (await self._session.execute(stmt)).all()}

    async def texts(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The normalised text of the entries ``keys`` (kind, id): the snippets of 機密性1 hits."""
        if not keys:
            return {}
        wanted = or_(*(and_(SearchEntryRow.kind == k, SearchEntryRow.ref_id == i) for k, i in keys))
        stmt = select(SearchEntryRow.kind, SearchEntryRow.ref_id, SearchEntryRow.text).where(wanted)
        return {(k, i): t for k, i, t in (await self._session.execute(stmt)).all()}
