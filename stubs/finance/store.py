"""The finance stub's own state (財務会計システム): one SQLite file, stdlib ``sqlite3``, one connection per call.

Methods are synchronous; the FastAPI app calls them from sync route functions, which run in the thread pool.
Every write is one ``BEGIN IMMEDIATE`` transaction, which takes SQLite's write lock before reading: the check
(is there budget left?) and the write see the same state, so two reservations racing for the last yen of a line
cannot both succeed, whichever thread or process they come from.  A process-wide lock in front of it makes
writers of this process queue instead of spinning on SQLite's busy handler.

Idempotency: a write carries a key.  Its first successful answer is stored with the request, in the same
transaction as the write; the same key with the same request gets that answer again (nothing is written),
with a different request ``idempotency_key_reused``.  Refusals write nothing and are not stored: a repeat
is judged afresh (the allocation may have grown since).

Amounts are integer yen; reserved and committed sums are computed from the rows, never kept as counters.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from stubs.finance.fiscal import booking_refusal
from stubs.finance.models import Budget, BudgetCheck, Commitment, Ledger, Reservation

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS budgets (
    fiscal_year INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    allocated_yen INTEGER NOT NULL,
    PRIMARY KEY (fiscal_year, code)
);
CREATE TABLE IF NOT EXISTS closed_fiscal_years (fiscal_year INTEGER PRIMARY KEY, closed_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sequences (
    prefix TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (prefix, fiscal_year)
);
CREATE TABLE IF NOT EXISTS reservations (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    budget_code TEXT NOT NULL,
    amount_yen INTEGER NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_reservations_line ON reservations (fiscal_year, budget_code, state);
CREATE TABLE IF NOT EXISTS commitments (
    voucher_id TEXT PRIMARY KEY,
    reservation_id TEXT NOT NULL UNIQUE REFERENCES reservations (id),
    document_id TEXT NOT NULL,
    document_number TEXT NOT NULL,
    decision_date TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    budget_code TEXT NOT NULL,
    amount_yen INTEGER NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_commitments_line ON commitments (fiscal_year, budget_code, state);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    key TEXT PRIMARY KEY,
    request TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""

_BUDGET = """
SELECT b.code, b.name, b.fiscal_year, b.allocated_yen,
    (SELECT COALESCE(SUM(r.amount_yen), 0) FROM reservations AS r
     WHERE r.fiscal_year = b.fiscal_year AND r.budget_code = b.code AND r.state = 'reserved'),
    (SELECT COALESCE(SUM(c.amount_yen), 0) FROM commitments AS c
     WHERE c.fiscal_year = b.fiscal_year AND c.budget_code = b.code AND c.state = 'committed'),
    EXISTS (SELECT 1 FROM closed_fiscal_years AS y WHERE y.fiscal_year = b.fiscal_year)
FROM budgets AS b
"""

_RESERVATION = "SELECT id, document_id, fiscal_year, budget_code, amount_yen, state FROM reservations"
_COMMITMENT = (
    "SELECT voucher_id, document_id, document_number, decision_date, fiscal_year, budget_code, amount_yen, state,"
    " reservation_id FROM commitments"
)


class Allocation(BaseModel):
    """配当: the amount a budget line may spend in a fiscal year."""

    fiscal_year: int
    code: str
    name: str
    allocated_yen: int


class Answer(BaseModel):
    """What a write answered: HTTP status and JSON body; ``replayed`` if it is a stored answer to a repeated key."""

    status: int
    body: dict[str, Any]
    replayed: bool = False


class Refused(Exception):
    """A business refusal, rendered as ``{"type": type, "detail": detail, **extra}`` with HTTP ``status``."""

    def __init__(self, status: int, type_: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.type = type_
        self.detail = detail
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"type": self.type, "detail": self.detail, **self.extra}


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _budget(row: sqlite3.Row) -> Budget:
    allocated, reserved, committed = row[3], row[4], row[5]
    return Budget(
        code=row[0],
        name=row[1],
        fiscal_year=row[2],
        allocated_yen=allocated,
        reserved_yen=reserved,
        committed_yen=committed,
        available_yen=allocated - reserved - committed,
        closed=bool(row[6]),
    )


def _reservation(row: sqlite3.Row) -> Reservation:
    return Reservation(
        reservation_id=row[0],
        document_id=row[1],
        fiscal_year=row[2],
        budget_code=row[3],
        amount_yen=row[4],
        state=row[5],
    )


def _commitment(row: sqlite3.Row) -> Commitment:
    return Commitment(
        voucher_id=row[0],
        document_id=row[1],
        document_number=row[2],
        decision_date=date.fromisoformat(row[3]),
        fiscal_year=row[4],
        budget_code=row[5],
        amount_yen=row[6],
        state=row[7],
        reservation_id=row[8],
    )


class FinanceStore:
    """Budget lines, reservations, commitments and idempotency keys of the finance stub, in ``db_path``."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._write_lock = threading.Lock()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.db_path, timeout=30)) as conn:
            yield conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One serialised transaction: commits if the block succeeds, rolls back if it raises."""
        with self._write_lock, closing(sqlite3.connect(self.db_path, timeout=30, isolation_level=None)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def initialise(self, seed: Callable[[], Iterable[Allocation]]) -> bool:
        """Create the schema; if there are no budget lines yet, load ``seed()``.  Returns whether it seeded."""
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.db_path, timeout=30)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM budgets LIMIT 1").fetchone() is not None:
                return False
            conn.executemany(
                "INSERT INTO budgets (fiscal_year, code, name, allocated_yen) VALUES (?, ?, ?, ?)",
                [(a.fiscal_year, a.code, a.name, a.allocated_yen) for a in seed()],
            )
            return True

    # --- look-ups ----------------------------------------------------------------------------------------------

    def budgets(self, fiscal_year: int) -> list[Budget]:
        with self._read() as conn:
            rows = conn.execute(_BUDGET + " WHERE b.fiscal_year = ? ORDER BY b.code", (fiscal_year,)).fetchall()
        return [_budget(r) for r in rows]

    def budget(self, fiscal_year: int, code: str) -> Budget:
        """One budget line; ``Refused`` (404 ``unknown_budget_code``) if there is none."""
        with self._read() as conn:
            return self._budget(conn, fiscal_year, code)

    def check(self, fiscal_year: int, code: str, amount_yen: int) -> BudgetCheck:
        budget = self.budget(fiscal_year, code)
        return BudgetCheck(
            fiscal_year=fiscal_year,
            budget_code=code,
            amount_yen=amount_yen,
            available_yen=budget.available_yen,
            sufficient=not budget.closed and amount_yen <= budget.available_yen,
            closed=budget.closed,
        )

    def reservation(self, reservation_id: str) -> Reservation:
        with self._read() as conn:
            return self._reservation(conn, reservation_id)

    def commitment(self, voucher_id: str) -> Commitment:
        with self._read() as conn:
            return self._commitment(conn, voucher_id)

    def ledger(self, *, fiscal_year: int | None = None, document_id: str | None = None) -> Ledger:
        """Reservations and commitments in the order they were made, optionally of one year or document."""
        clauses: list[str] = []
        params: dict[str, Any] = {}
        if fiscal_year is not None:
            clauses.append("fiscal_year = :fiscal_year")
            params["fiscal_year"] = fiscal_year
        if document_id is not None:
            clauses.append("document_id = :document_id")
            params["document_id"] = document_id
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._read() as conn:
            reservations = conn.execute(f"{_RESERVATION}{where} ORDER BY rowid", params).fetchall()
            commitments = conn.execute(f"{_COMMITMENT}{where} ORDER BY rowid", params).fetchall()
        return Ledger(
            reservations=tuple(_reservation(r) for r in reservations),
            commitments=tuple(_commitment(c) for c in commitments),
        )

    # --- idempotent writes -------------------------------------------------------------------------------------

    def reserve(self, *, key: str, document_id: str, fiscal_year: int, budget_code: str, amount_yen: int) -> Answer:
        """仮押さえ: hold ``amount_yen`` of a budget line for a document (201)."""
        request: dict[str, Any] = {"op": "reserve", "document_id": document_id, "fiscal_year": fiscal_year}
        request |= {"budget_code": budget_code, "amount_yen": amount_yen}

        def apply(conn: sqlite3.Connection) -> Reservation:
            budget = self._budget(conn, fiscal_year, budget_code)
            self._require_open(conn, fiscal_year)
            _require_available(budget, amount_yen)
            reservation_id = self._next_id(conn, "R", fiscal_year)
            conn.execute(
                "INSERT INTO reservations"
                " (id, document_id, fiscal_year, budget_code, amount_yen, state, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, 'reserved', ?, ?)",
                (reservation_id, document_id, fiscal_year, budget_code, amount_yen, _now(), _now()),
            )
            return self._reservation(conn, reservation_id)

        return self._once(key, request, 201, apply)

    def adjust(self, *, key: str, reservation_id: str, amount_yen: int) -> Answer:
        """Re-reserve a held reservation at ``amount_yen``: only an increase must be available (200)."""
        request: dict[str, Any] = {"op": "adjust", "reservation_id": reservation_id, "amount_yen": amount_yen}

        def apply(conn: sqlite3.Connection) -> Reservation:
            held = self._reservation(conn, reservation_id)
            _require_held(held)
            self._require_open(conn, held.fiscal_year)
            if amount_yen > held.amount_yen:
                _require_available(self._budget(conn, held.fiscal_year, held.budget_code), amount_yen - held.amount_yen)
            conn.execute(
                "UPDATE reservations SET amount_yen = ?, updated_at = ? WHERE id = ?",
                (amount_yen, _now(), reservation_id),
            )
            return self._reservation(conn, reservation_id)

        return self._once(key, request, 200, apply)

    def release(self, *, key: str, reservation_id: str) -> Answer:
        """Give a reservation back; releasing a released one answers it unchanged (200).

        Allowed in a closed fiscal year: it only frees budget, and a compensating workflow must not get stuck.
        """

        def apply(conn: sqlite3.Connection) -> Reservation:
            held = self._reservation(conn, reservation_id)
            if held.state == "committed":
                raise Refused(409, "already_committed", f"reservation {reservation_id} is committed")
            conn.execute(
                "UPDATE reservations SET state = 'released', updated_at = ? WHERE id = ? AND state = 'reserved'",
                (_now(), reservation_id),
            )
            return self._reservation(conn, reservation_id)

        return self._once(key, {"op": "release", "reservation_id": reservation_id}, 200, apply)

    def commit(
        self, *, key: str, reservation_id: str, document_number: str, decision_date: date, amount_yen: int
    ) -> Answer:
        """支出負担行為: consume a reservation for up to its amount (the rest is released) and issue a voucher (201)."""
        request: dict[str, Any] = {"op": "commit", "reservation_id": reservation_id, "document_number": document_number}
        request |= {"decision_date": decision_date.isoformat(), "amount_yen": amount_yen}

        def apply(conn: sqlite3.Connection) -> Commitment:
            held = self._reservation(conn, reservation_id)
            _require_held(held)
            self._require_open(conn, held.fiscal_year)
            refusal = booking_refusal(decision_date, held.fiscal_year)
            if refusal is not None:
                raise Refused(409, "decision_date_outside_fiscal_year", refusal)
            if amount_yen > held.amount_yen:
                raise Refused(
                    409,
                    "exceeds_reservation",
                    f"{amount_yen} yen exceeds the {held.amount_yen} yen of reservation {reservation_id}",
                    reserved_yen=held.amount_yen,
                )
            voucher_id = self._next_id(conn, "V", held.fiscal_year)
            conn.execute(
                "INSERT INTO commitments (voucher_id, reservation_id, document_id, document_number, decision_date,"
                " fiscal_year, budget_code, amount_yen, state, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'committed', ?, ?)",
                (
                    voucher_id,
                    reservation_id,
                    held.document_id,
                    document_number,
                    decision_date.isoformat(),
                    held.fiscal_year,
                    held.budget_code,
                    amount_yen,
                    _now(),
                    _now(),
                ),
            )
            conn.execute(
                "UPDATE reservations SET state = 'committed', updated_at = ? WHERE id = ?", (_now(), reservation_id)
            )
            return self._commitment(conn, voucher_id)

        return self._once(key, request, 201, apply)

    def cancel_commitment(self, *, key: str, voucher_id: str) -> Answer:
        """Cancel a 支出負担行為: its amount is available again; cancelling a cancelled one answers it (200)."""

        def apply(conn: sqlite3.Connection) -> Commitment:
            commitment = self._commitment(conn, voucher_id)
            if commitment.state == "cancelled":
                return commitment
            self._require_open(conn, commitment.fiscal_year)
            conn.execute(
                "UPDATE commitments SET state = 'cancelled', updated_at = ? WHERE voucher_id = ?", (_now(), voucher_id)
            )
            return self._commitment(conn, voucher_id)

        return self._once(key, {"op": "cancel_commitment", "voucher_id": voucher_id}, 200, apply)

    def _once(
        self,
        key: str,
        request: dict[str, Any],
        status: int,
        apply: Callable[[sqlite3.Connection], BaseModel],
    ) -> Answer:
        """Run ``apply`` once per key and store its answer with it, in the same transaction."""
        fingerprint = json.dumps(request, sort_keys=True, ensure_ascii=False)
        with self._write() as conn:
            row = conn.execute("SELECT request, status, body FROM idempotency_keys WHERE key = ?", (key,)).fetchone()
            if row is not None:
                if row[0] != fingerprint:
                    reason = f"idempotency key {key!r} was used for another request"
                    raise Refused(422, "idempotency_key_reused", reason)
                return Answer(status=row[1], body=json.loads(row[2]), replayed=True)
            body = apply(conn).model_dump(mode="json")
            conn.execute(
                "INSERT INTO idempotency_keys (key, request, status, body, created_at) VALUES (?, ?, ?, ?, ?)",
                (key, fingerprint, status, json.dumps(body, ensure_ascii=False), _now()),
            )
        return Answer(status=status, body=body)

    # --- administration (no idempotency keys: setting the same state twice is harmless) ------------------------

    def set_allocation(self, allocation: Allocation) -> Budget:
        """Add or replace a line's 配当 (補正予算, 流用); refused below what is already reserved and committed."""
        with self._write() as conn:
            row = conn.execute(
                _BUDGET + " WHERE b.fiscal_year = ? AND b.code = ?", (allocation.fiscal_year, allocation.code)
            ).fetchone()
            if row is not None:
                budget = _budget(row)
                encumbered = budget.reserved_yen + budget.committed_yen
                if allocation.allocated_yen < encumbered:
                    raise Refused(
                        409,
                        "allocation_below_encumbered",
                        f"{encumbered} yen of {allocation.code} is already reserved or committed",
                    )
            conn.execute(
                "INSERT INTO budgets (fiscal_year, code, name, allocated_yen) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (fiscal_year, code) DO UPDATE SET name = excluded.name,"
                " allocated_yen = excluded.allocated_yen",
                (allocation.fiscal_year, allocation.code, allocation.name, allocation.allocated_yen),
            )
            return self._budget(conn, allocation.fiscal_year, allocation.code)

    def set_closed(self, fiscal_year: int, *, closed: bool) -> None:
        """Close a fiscal year (出納閉鎖): no more reservations, adjustments, commitments or cancellations."""
        with self._write() as conn:
            if closed:
                conn.execute(
                    "INSERT INTO closed_fiscal_years (fiscal_year, closed_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (fiscal_year, _now()),
                )
            else:
                conn.execute("DELETE FROM closed_fiscal_years WHERE fiscal_year = ?", (fiscal_year,))

    def is_closed(self, fiscal_year: int) -> bool:
        with self._read() as conn:
            return self._is_closed(conn, fiscal_year)

    # --- helpers inside a connection ---------------------------------------------------------------------------

    @staticmethod
    def _budget(conn: sqlite3.Connection, fiscal_year: int, code: str) -> Budget:
        row = conn.execute(_BUDGET + " WHERE b.fiscal_year = ? AND b.code = ?", (fiscal_year, code)).fetchone()
        if row is None:
            raise Refused(404, "unknown_budget_code", f"no budget line {code} in fiscal year {fiscal_year}")
        return _budget(row)

    @staticmethod
    def _reservation(conn: sqlite3.Connection, reservation_id: str) -> Reservation:
        row = conn.execute(f"{_RESERVATION} WHERE id = ?", (reservation_id,)).fetchone()
        if row is None:
            raise Refused(404, "unknown_reservation", f"no reservation {reservation_id}")
        return _reservation(row)

    @staticmethod
    def _commitment(conn: sqlite3.Connection, voucher_id: str) -> Commitment:
        row = conn.execute(f"{_COMMITMENT} WHERE voucher_id = ?", (voucher_id,)).fetchone()
        if row is None:
            raise Refused(404, "unknown_commitment", f"no commitment {voucher_id}")
        return _commitment(row)

    @staticmethod
    def _is_closed(conn: sqlite3.Connection, fiscal_year: int) -> bool:
        row = conn.execute("SELECT 1 FROM closed_fiscal_years WHERE fiscal_year = ?", (fiscal_year,)).fetchone()
        return row is not None

    def _require_open(self, conn: sqlite3.Connection, fiscal_year: int) -> None:
        if self._is_closed(conn, fiscal_year):
            raise Refused(409, "fiscal_year_closed", f"fiscal year {fiscal_year} is closed")

    @staticmethod
    def _next_id(conn: sqlite3.Connection, prefix: str, fiscal_year: int) -> str:
        """The next number of a per-year series: R2026-000001 (reservations), V2026-000001 (vouchers)."""
        (last,) = conn.execute(
            "INSERT INTO sequences (prefix, fiscal_year, last) VALUES (?, ?, 1)"
            " ON CONFLICT (prefix, fiscal_year) DO UPDATE SET last = last + 1 RETURNING last",
            (prefix, fiscal_year),
        ).fetchone()
        return f"{prefix}{fiscal_year}-{last:06d}"


def _require_available(budget: Budget, amount_yen: int) -> None:
    if amount_yen > budget.available_yen:
        raise Refused(
            409,
            "insufficient_budget",
            f"{amount_yen} yen requested, {budget.available_yen} yen available on {budget.code} ({budget.fiscal_year})",
            available_yen=budget.available_yen,
        )


def _require_held(reservation: Reservation) -> None:
    if reservation.state == "committed":
        raise Refused(409, "already_committed", f"reservation {reservation.reservation_id} is committed")
    if reservation.state == "released":
        raise Refused(409, "already_released", f"reservation {reservation.reservation_id} was released")
