"""The HR stub's own state (人事給与システム): one SQLite file, stdlib ``sqlite3``, one connection per call.

Methods are synchronous; the FastAPI app calls them from sync route functions, which run in the thread pool.
Dates are stored as ISO text, so ``<`` / ``>`` compare them correctly.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from schemas.org import City, OrgUnit, OrgUnitRef, PostRef, StaffRef

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS org_units (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_code TEXT,
    symbol TEXT UNIQUE,
    position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS posts (code TEXT PRIMARY KEY, name TEXT NOT NULL, rank INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS staff (id TEXT PRIMARY KEY, name TEXT NOT NULL, is_admin INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id TEXT NOT NULL REFERENCES staff (id),
    org_unit_code TEXT NOT NULL REFERENCES org_units (code),
    post_code TEXT NOT NULL REFERENCES posts (code),
    effective_from TEXT NOT NULL,
    effective_to TEXT
);
CREATE INDEX IF NOT EXISTS ix_assignments_staff ON assignments (staff_id);
CREATE INDEX IF NOT EXISTS ix_assignments_unit_post ON assignments (org_unit_code, post_code);
CREATE TABLE IF NOT EXISTS postings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    received_at TEXT NOT NULL
);
"""

_IN_FORCE = """
SELECT s.id, s.name, u.code, u.name, p.code, p.name
FROM assignments AS a
JOIN staff AS s ON s.id = a.staff_id
JOIN org_units AS u ON u.code = a.org_unit_code
JOIN posts AS p ON p.code = a.post_code
WHERE a.effective_from <= :as_of AND (a.effective_to IS NULL OR a.effective_to > :as_of)
"""


class Posting(BaseModel):
    """A record sent to HR (休暇 leave, 時間外勤務 overtime, 出張 trip), stored as received."""

    id: int
    kind: str
    payload: dict[str, Any]
    idempotency_key: str | None
    received_at: datetime


def _staff_ref(row: sqlite3.Row) -> StaffRef:
    return StaffRef(
        id=row[0],
        name=row[1],
        org_unit=OrgUnitRef(code=row[2], name=row[3]),
        post=PostRef(code=row[4], name=row[5]),
    )


def _org_unit(row: sqlite3.Row) -> OrgUnit:
    return OrgUnit(code=row[0], name=row[1], kind=row[2], parent_code=row[3], symbol=row[4])


class HrStore:
    """Organisation, assignments and postings of the HR stub, in the SQLite file ``db_path``."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.db_path, timeout=10)) as conn:
            conn.row_factory = sqlite3.Row
            with conn:  # one transaction: commit on success, roll back on error
                yield conn

    def initialise(self, seed: Callable[[], City]) -> bool:
        """Create the schema and, if the database holds no organisation yet, load ``seed()``.

        Returns:
            True if the organisation was seeded now, False if it was already there.
        """
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.db_path)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
        with self._connect() as conn:
            if conn.execute("SELECT 1 FROM org_units LIMIT 1").fetchone() is not None:
                return False
            self._load(conn, seed())
            return True

    @staticmethod
    def _load(conn: sqlite3.Connection, city: City) -> None:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('city_name', ?)", (city.name,))
        conn.executemany(
            "INSERT INTO org_units (code, name, kind, parent_code, symbol, position) VALUES (?, ?, ?, ?, ?, ?)",
            [(u.code, u.name, u.kind, u.parent_code, u.symbol, i) for i, u in enumerate(city.org_units)],
        )
        conn.executemany(
            "INSERT INTO posts (code, name, rank) VALUES (?, ?, ?)",
            [(p.code, p.name, p.rank) for p in city.posts],
        )
        conn.executemany(
            "INSERT INTO staff (id, name, is_admin) VALUES (?, ?, ?)",
            [(s.id, s.name, int(s.is_admin)) for s in city.staff],
        )
        conn.executemany(
            "INSERT INTO assignments (staff_id, org_unit_code, post_code, effective_from, effective_to)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (
                    a.staff_id,
                    a.org_unit_code,
                    a.post_code,
                    a.effective_from.isoformat(),
                    a.effective_to.isoformat() if a.effective_to else None,
                )
                for a in city.assignments
            ],
        )

    def org_units(self) -> list[OrgUnit]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT code, name, kind, parent_code, symbol FROM org_units ORDER BY position"
            ).fetchall()
        return [_org_unit(r) for r in rows]

    def org_unit(self, code: str) -> OrgUnit | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT code, name, kind, parent_code, symbol FROM org_units WHERE code = ?", (code,)
            ).fetchone()
        return _org_unit(row) if row else None

    def has_staff(self, staff_id: str) -> bool:
        with self._connect() as conn:
            return conn.execute("SELECT 1 FROM staff WHERE id = ?", (staff_id,)).fetchone() is not None

    def has_post(self, code: str) -> bool:
        with self._connect() as conn:
            return conn.execute("SELECT 1 FROM posts WHERE code = ?", (code,)).fetchone() is not None

    def staff_ref(self, staff_id: str, *, as_of: date) -> StaffRef | None:
        """The staff member in the post they hold on ``as_of`` (the latest-starting assignment in force)."""
        with self._connect() as conn:
            row = conn.execute(
                _IN_FORCE + " AND a.staff_id = :staff_id ORDER BY a.effective_from DESC, a.id LIMIT 1",
                {"as_of": as_of.isoformat(), "staff_id": staff_id},
            ).fetchone()
        return _staff_ref(row) if row else None

    def holders(self, org_unit: str, post: str, *, as_of: date) -> list[StaffRef]:
        """Everyone holding ``post`` in ``org_unit`` on ``as_of``, by staff id."""
        with self._connect() as conn:
            rows = conn.execute(
                _IN_FORCE + " AND a.org_unit_code = :org_unit AND a.post_code = :post ORDER BY s.id",
                {"as_of": as_of.isoformat(), "org_unit": org_unit, "post": post},
            ).fetchall()
        return [_staff_ref(r) for r in rows]

    def add_posting(self, kind: str, payload: dict[str, Any], *, idempotency_key: str | None) -> tuple[int, bool]:
        """Store a posting once per idempotency key.

        Returns:
            The posting id, and whether it was created now (False: the key was seen before; nothing stored).
        """
        with self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO postings (kind, payload, idempotency_key, received_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (idempotency_key) DO NOTHING",
                (
                    kind,
                    json.dumps(payload, ensure_ascii=False),
                    idempotency_key,
                    datetime.now(UTC).isoformat(),
                ),
            )
            if cursor.rowcount == 1 and cursor.lastrowid is not None:
                return cursor.lastrowid, True
            row = conn.execute("SELECT id FROM postings WHERE idempotency_key = ?", (idempotency_key,)).fetchone()
            return int(row[0]), False

    def posting(self, posting_id: int) -> Posting | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT id, kind, payload, idempotency_key, received_at FROM postings WHERE id = ?",
                (posting_id,),
            ).fetchone()
        if row is None:
            return None
        return Posting(
            id=row[0],
            kind=row[1],
            payload=json.loads(row[2]),
            idempotency_key=row[3],
            received_at=datetime.fromisoformat(row[4]),
        )
