"""The search index kept in step with documents and receipts, in the same flush (so the same transaction).

Every path that writes a document or a receipt — drafting, editing, 引用起案, the disposal that empties a body, a
receipt's registration (API, 電子申請, batch) and its corrections, an import — goes through a session flush; one
``after_flush`` listener, installed with the engine (``db.session.create_engine``), rewrites the entry of each
new or changed row.  What it stores is ``domain.search``'s: the normalised 件名 and text and their bigrams.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, event, insert, inspect, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, UOWTransaction

from db.models import DocumentRow, ReceiptRow, SearchEntryRow
from domain.filing import document_fiscal_year
from domain.fiscal import fiscal_year_at
from domain.search import Entry, document_entry, receipt_entry

#: The SQLite FTS5 table over ``search_entries.tokens`` (rowid = the entry's id).
FTS_TABLE = "search_fts"
#: PostgreSQL's GIN index over the tokens (an expression index, made by the migration).
GIN_INDEX = "ix_search_entries_tokens_gin"

DOCUMENT_FIELDS = ("title", "body", "number_display", "number_fiscal_year")
RECEIPT_FIELDS = ("title", "summary", "sender", "addressee", "sender_reference", "receipt_number", "fiscal_year")


def _entry_of(row: object) -> Entry | None:
    if isinstance(row, DocumentRow):
        year = document_fiscal_year(
            number_fiscal_year=row.number_fiscal_year, drafted_fiscal_year=fiscal_year_at(row.created_at)
        )
        return document_entry(
            id=row.id, title=row.title, body=row.body or "", number_display=row.number_display, fiscal_year=year
        )
    if isinstance(row, ReceiptRow):
        return receipt_entry(
            id=row.id,
            title=row.title,
            summary=row.summary or "",
            sender=row.sender,
            addressee=row.addressee,
            sender_reference=row.sender_reference or "",
            receipt_number=row.receipt_number,
            fiscal_year=row.fiscal_year,
        )
    return None


def _changed(row: object, fields: tuple[str, ...]) -> bool:
    state = inspect(row)
    return any(state.attrs[f].history.has_changes() for f in fields)


def write_entry(connection: Connection, entry: Entry) -> None:
    """Insert or rewrite ``entry`` (and its FTS5 row on SQLite)."""
    values: dict[str, Any] = {
        "title": entry.title,
        "text": entry.text,
        "counterparty": entry.counterparty,
        "tokens": entry.tokens,
    }
    found = connection.execute(
        select(SearchEntryRow.id).where(SearchEntryRow.kind == entry.kind, SearchEntryRow.ref_id == entry.ref_id)
    ).scalar()
    sqlite = connection.dialect.name == "sqlite"
    if found is None:
        result = connection.execute(insert(SearchEntryRow).values(kind=entry.kind, ref_id=entry.ref_id, **values))
        found = result.inserted_primary_key[0] if result.inserted_primary_key else None
        if sqlite:
            connection.execute(
                text(f"INSERT INTO {FTS_TABLE}(rowid, tokens) VALUES (:id, :t)"), {"id": found, "t": entry.tokens}
            )
        return
    connection.execute(update(SearchEntryRow).where(SearchEntryRow.id == found).values(**values))
    if sqlite:
        connection.execute(
            text(f"UPDATE {FTS_TABLE} SET tokens = :t WHERE rowid = :id"), {"id": found, "t": entry.tokens}
        )


#: Entries looked up (``IN``) per statement: well under SQLite's bound-parameter limit.
CHUNK = 500


def write_entries(connection: Connection, entries: Sequence[Entry]) -> None:
    """Insert or rewrite every entry of ``entries`` in a few statements: one lookup per chunk, the new ones in one
    multi-row insert (and their FTS5 rows on SQLite in one ``executemany``), the changed ones each."""
    if len(entries) <= 1:
        for entry in entries:
            write_entry(connection, entry)
        return
    sqlite = connection.dialect.name == "sqlite"
    for start in range(0, len(entries), CHUNK):
        chunk = {(e.kind, e.ref_id): e for e in entries[start : start + CHUNK]}  # the last write of a row wins
        found: dict[tuple[str, str], int] = {}
        for kind in {k for k, _ in chunk}:
            refs = [r for k, r in chunk if k == kind]
            stmt = select(SearchEntryRow.id, SearchEntryRow.ref_id).where(
                SearchEntryRow.kind == kind, SearchEntryRow.ref_id.in_(refs)
            )
            found.update({(kind, ref): id_ for id_, ref in connection.execute(stmt).all()})
        new = [e for key, e in chunk.items() if key not in found]
        if new:
            rows = connection.execute(
                insert(SearchEntryRow).returning(SearchEntryRow.id, SearchEntryRow.kind, SearchEntryRow.ref_id),
                [{"kind": e.kind, "ref_id": e.ref_id, **_values(e)} for e in new],
            ).all()
            if sqlite:
                ids = {(kind, ref): id_ for id_, kind, ref in rows}
                connection.execute(
                    text(f"INSERT INTO {FTS_TABLE}(rowid, tokens) VALUES (:id, :t)"),
                    [{"id": ids[(e.kind, e.ref_id)], "t": e.tokens} for e in new],
                )
        for key, id_ in found.items():
            entry = chunk[key]
            connection.execute(update(SearchEntryRow).where(SearchEntryRow.id == id_).values(**_values(entry)))
            if sqlite:
                connection.execute(
                    text(f"UPDATE {FTS_TABLE} SET tokens = :t WHERE rowid = :id"), {"id": id_, "t": entry.tokens}
                )


def _values(entry: Entry) -> dict[str, Any]:
    return {"title": entry.title, "text": entry.text, "counterparty": entry.counterparty, "tokens": entry.tokens}


def remove_entry(connection: Connection, kind: str, ref_id: str) -> None:
    found = connection.execute(
        select(SearchEntryRow.id).where(SearchEntryRow.kind == kind, SearchEntryRow.ref_id == ref_id)
    ).scalar()
    if found is None:
        return
    connection.execute(delete(SearchEntryRow).where(SearchEntryRow.id == found))
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": found})


def _index(session: Session, flush_context: UOWTransaction) -> None:
    """After each flush: the entries of the documents and receipts it wrote, in its transaction."""
    touched = [
        (row, entry)
        for row in (*session.new, *session.dirty)
        if (entry := _entry_of(row)) is not None
        and (row in session.new or _changed(row, DOCUMENT_FIELDS if entry.kind == "document" else RECEIPT_FIELDS))
    ]
    gone = [row for row in session.deleted if isinstance(row, DocumentRow | ReceiptRow)]
    if not touched and not gone:
        return
    connection = session.connection()
    write_entries(connection, [entry for _, entry in touched])  # an import's flush: a thousand rows at once
    for row in gone:
        remove_entry(connection, "document" if isinstance(row, DocumentRow) else "receipt", row.id)


def install() -> None:
    """Keep the index with every session's flush (idempotent; called where engines are made)."""
    if not event.contains(Session, "after_flush", _index):
        event.listen(Session, "after_flush", _index)


def in_models(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic ``include_name``: leave out what the migration makes beyond the models (the FTS5 table and its
    shadow tables, the GIN expression index), so autogenerate and the schema test compare the rest."""
    return not (name and (name.startswith(FTS_TABLE) or name == GIN_INDEX))
