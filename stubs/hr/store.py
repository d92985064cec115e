"""The HR stub's own state (人事給与システム): one SQLite file, stdlib ``sqlite3``, one connection per call.

Methods are synchronous; the FastAPI app calls them from sync route functions, which run in the thread pool.
Dates are stored as ISO text, so ``<`` / ``>`` compare them correctly.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from stubs.hr.models import (
    Absence,
    AbsenceKind,
    AnnualLeave,
    HourlyLeave,
    LeaveBalances,
    LeaveGrants,
    Organisation,
    OrgUnit,
    OrgUnitRef,
    Posting,
    PostRef,
    SpecialLeave,
    StaffRef,
    Substitution,
    TransferPlan,
)
from stubs.hr.substitutes import SubstituteRule, default_substitute_rules

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
CREATE TABLE IF NOT EXISTS absences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id TEXT NOT NULL REFERENCES staff (id),
    kind TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    note TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_absences_staff ON absences (staff_id, start_date);
CREATE TABLE IF NOT EXISTS substitute_rules (
    org_unit_code TEXT NOT NULL,
    post_code TEXT NOT NULL,
    position INTEGER NOT NULL,
    substitute_org_unit_code TEXT NOT NULL,
    substitute_post_code TEXT NOT NULL,
    PRIMARY KEY (org_unit_code, post_code, position)
);
CREATE INDEX IF NOT EXISTS ix_substitute_rules_substitute
    ON substitute_rules (substitute_org_unit_code, substitute_post_code);
CREATE TABLE IF NOT EXISTS leave_grants (
    staff_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    days REAL NOT NULL,
    PRIMARY KEY (staff_id, year, kind)
);
CREATE TABLE IF NOT EXISTS transfers (id TEXT PRIMARY KEY, effective_on TEXT NOT NULL, applied_at TEXT NOT NULL);
"""

_IN_FORCE = """
SELECT s.id, s.name, u.code, u.name, p.code, p.name
FROM assignments AS a
JOIN staff AS s ON s.id = a.staff_id
JOIN org_units AS u ON u.code = a.org_unit_code
JOIN posts AS p ON p.code = a.post_code
WHERE a.effective_from <= :as_of AND (a.effective_to IS NULL OR a.effective_to > :as_of)
"""

#: 年次有給休暇 granted each calendar year unless a grant says otherwise (the stub grants everyone the same).
ANNUAL_LEAVE_DAYS = 20.0
#: 時間単位: one day is 7時間45分, and at most 5 days a year may be taken by the hour (地方公務員の勤務時間条例の例).
HOURS_PER_DAY = 7.75
HOURLY_LEAVE_DAYS = 5
#: 特別休暇 with a yearly allowance: kind -> (name, default days).  例示 (夏季休暇 5日 is common in city rules).
SPECIAL_LEAVE_KINDS: dict[str, tuple[str, float]] = {
    "summer": ("夏季休暇", 5.0),
    "volunteer": ("ボランティア休暇", 5.0),
}

#: Leave postings of :staff_id starting in the calendar year :year (kind, special kind, days, hours).
_LEAVE_TAKEN = """
SELECT json_extract(payload, '$.kind'), json_extract(payload, '$.special_kind'),
       CAST(json_extract(payload, '$.days') AS REAL), CAST(json_extract(payload, '$.hours') AS REAL)
FROM postings
WHERE kind = 'leave' AND json_extract(payload, '$.staff_id') = :staff_id
  AND substr(json_extract(payload, '$.start'), 1, 4) = :year
"""

_ABSENCE_COLUMNS = "id, staff_id, kind, start_date, end_date, note"

#: The holders of the substitute posts of (:org_unit, :post) on :as_of, in 代決順位, then by staff id.
_SUBSTITUTES = """
SELECT s.id, s.name, u.code, u.name, p.code, p.name
FROM substitute_rules AS r
JOIN assignments AS a ON a.org_unit_code = r.substitute_org_unit_code AND a.post_code = r.substitute_post_code
JOIN staff AS s ON s.id = a.staff_id
JOIN org_units AS u ON u.code = a.org_unit_code
JOIN posts AS p ON p.code = a.post_code
WHERE r.org_unit_code = :org_unit AND r.post_code = :post
  AND a.effective_from <= :as_of AND (a.effective_to IS NULL OR a.effective_to > :as_of)
ORDER BY r.position, s.id
"""

#: Holders absent on :on of the posts for which :staff_id (in a post held on :on) is a substitute.
_SUBSTITUTING = """
SELECT s.id, s.name, u.code, u.name, p.code, p.name, MIN(r.position)
FROM assignments AS me
JOIN substitute_rules AS r
  ON r.substitute_org_unit_code = me.org_unit_code AND r.substitute_post_code = me.post_code
JOIN assignments AS a ON a.org_unit_code = r.org_unit_code AND a.post_code = r.post_code
JOIN staff AS s ON s.id = a.staff_id
JOIN org_units AS u ON u.code = a.org_unit_code
JOIN posts AS p ON p.code = a.post_code
WHERE me.staff_id = :staff_id
  AND me.effective_from <= :on AND (me.effective_to IS NULL OR me.effective_to > :on)
  AND a.effective_from <= :on AND (a.effective_to IS NULL OR a.effective_to > :on)
  AND a.staff_id != :staff_id
  AND EXISTS (
    SELECT 1 FROM absences AS ab WHERE ab.staff_id = a.staff_id AND ab.start_date <= :on AND ab.end_date >= :on
  )
GROUP BY a.id
ORDER BY u.position, p.rank DESC, s.id
"""


class PostingRefused(Exception):
    """HR refuses a posting: ``type`` is stable (``leave_balance_insufficient`` …), ``detail`` the reason."""

    def __init__(self, status: int, type_: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.type = type_
        self.detail = detail


def _posting(row: sqlite3.Row) -> Posting:
    return Posting(
        id=row[0],
        kind=row[1],
        payload=json.loads(row[2]),
        idempotency_key=row[3],
        received_at=datetime.fromisoformat(row[4]),
    )


def _staff_ref(row: sqlite3.Row) -> StaffRef:
    return StaffRef(
        id=row[0],
        name=row[1],
        org_unit=OrgUnitRef(code=row[2], name=row[3]),
        post=PostRef(code=row[4], name=row[5]),
    )


def _org_unit(row: sqlite3.Row) -> OrgUnit:
    return OrgUnit(code=row[0], name=row[1], kind=row[2], parent_code=row[3], symbol=row[4])


def _absence(row: sqlite3.Row) -> Absence:
    return Absence(id=row[0], staff_id=row[1], kind=row[2], start=row[3], end=row[4], note=row[5])


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

    def initialise(self, seed: Callable[[], Organisation | None]) -> bool:
        """Create the schema and, if the database holds no organisation yet, load ``seed()`` (None: stay empty).

        A database without 代決順位 (new, or from before substitutes existed) gets the default order derived
        from its org units.

        Returns:
            True if the organisation was seeded now, False if it was already there.
        """
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.db_path)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
        with self._connect() as conn:
            organisation = seed() if conn.execute("SELECT 1 FROM org_units LIMIT 1").fetchone() is None else None
            if organisation is not None:
                self._load(conn, organisation)
            if conn.execute("SELECT 1 FROM substitute_rules LIMIT 1").fetchone() is None:
                units = conn.execute(
                    "SELECT code, name, kind, parent_code, symbol FROM org_units ORDER BY position"
                ).fetchall()
                self._load_substitute_rules(conn, default_substitute_rules(_org_unit(r) for r in units))
            return organisation is not None

    @staticmethod
    def _load_substitute_rules(conn: sqlite3.Connection, rules: Iterable[SubstituteRule]) -> None:
        conn.executemany(
            "INSERT INTO substitute_rules"
            " (org_unit_code, post_code, position, substitute_org_unit_code, substitute_post_code)"
            " VALUES (?, ?, ?, ?, ?)",
            [(r.org_unit, r.post, r.order, r.substitute_org_unit, r.substitute_post) for r in rules],
        )

    @staticmethod
    def _load(conn: sqlite3.Connection, city: Organisation) -> None:
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
        """Store a posting once per idempotency key; an 年次有給休暇 beyond the year's balance is refused.

        The key is looked up first, so a retry of a stored posting gets its id even though the balance now
        counts it; the check and the insert are one ``BEGIN IMMEDIATE`` transaction (no two retries race in).

        Returns:
            The posting id, and whether it was created now (False: the key was seen before; nothing stored).

        Raises:
            PostingRefused: the leave balance is insufficient, or the key was used for another payload.
        """
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            if idempotency_key is not None:
                row = conn.execute(
                    "SELECT id, kind, payload FROM postings WHERE idempotency_key = ?", (idempotency_key,)
                ).fetchone()
                if row is not None:
                    if row[1] != kind or json.loads(row[2]) != payload:
                        raise PostingRefused(422, "idempotency_key_reused", "the key was used for another posting")
                    return int(row[0]), False
            if kind == "leave":
                self._check_leave_balance(conn, payload)
            cursor = conn.execute(
                "INSERT INTO postings (kind, payload, idempotency_key, received_at) VALUES (?, ?, ?, ?)",
                (kind, text, idempotency_key, datetime.now(UTC).isoformat()),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid, True

    @classmethod
    def _check_leave_balance(cls, conn: sqlite3.Connection, payload: dict[str, Any]) -> None:
        """年次有給休暇 (by the day or the hour) and 特別休暇 with an allowance: the staff member's leave in the
        calendar year of ``start`` may not exceed the balance."""
        if payload.get("kind") not in ("annual", "special") or not isinstance(payload.get("staff_id"), str):
            return
        try:
            year = date.fromisoformat(str(payload["start"])).year
            days = float(payload["days"])
            hours = float(payload["hours"]) if payload.get("hours") else None
        except (KeyError, TypeError, ValueError) as exc:
            raise PostingRefused(422, "invalid_leave", f"a leave needs start and days: {exc}") from exc
        balances = cls._balances(conn, payload["staff_id"], year)
        if payload["kind"] == "special":
            special = next((s for s in balances.special if s.kind == payload.get("special_kind")), None)
            if special is not None and days > special.remaining_days:
                raise PostingRefused(
                    409,
                    "leave_balance_insufficient",
                    f"{special.name}の残日数が不足しています ({year}年: 残 {special.remaining_days:g}日, "
                    f"申請 {days:g}日)",
                )
            return
        if hours is not None and hours > balances.hourly.remaining_hours:
            raise PostingRefused(
                409,
                "leave_balance_insufficient",
                f"時間単位の年次有給休暇の残時間が不足しています ({year}年: "
                f"残 {balances.hourly.remaining_hours:g}時間, 申請 {hours:g}時間)",
            )
        taken = hours / HOURS_PER_DAY if hours is not None else days
        remaining = balances.annual.remaining_days
        if taken > remaining + 1e-9:
            raise PostingRefused(
                409,
                "leave_balance_insufficient",
                f"年次有給休暇の残日数が不足しています ({year}年: 残 {remaining:g}日, 申請 {taken:g}日)",
            )

    def leave_balances(self, staff_id: str, *, year: int) -> LeaveBalances:
        """The staff member's balances in calendar year ``year``: grants less the leave posted."""
        with self._connect() as conn:
            return self._balances(conn, staff_id, year)

    def set_leave_grants(self, staff_id: str, grants: LeaveGrants) -> None:
        """Set what HR grants ``staff_id`` in ``grants.year`` (values left None keep the defaults)."""
        values: dict[str, float | None] = {
            "annual": grants.annual_days,
            "carried_over": grants.carried_over_days,
            **{f"special:{k}": v for k, v in grants.special.items()},
        }
        with self._connect() as conn:
            for kind, days in values.items():
                if days is not None:
                    conn.execute(
                        "INSERT INTO leave_grants (staff_id, year, kind, days) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (staff_id, year, kind) DO UPDATE SET days = excluded.days",
                        (staff_id, grants.year, kind, days),
                    )

    @staticmethod
    def _balances(conn: sqlite3.Connection, staff_id: str, year: int) -> LeaveBalances:
        granted = dict(
            conn.execute(
                "SELECT kind, days FROM leave_grants WHERE staff_id = ? AND year = ?", (staff_id, year)
            ).fetchall()
        )
        annual_days, hourly_hours = 0.0, 0.0
        special_used: dict[str, float] = {}
        for kind, special_kind, days, hours in conn.execute(
            _LEAVE_TAKEN, {"staff_id": staff_id, "year": str(year)}
        ).fetchall():
            if kind == "annual" and hours:
                hourly_hours += float(hours)
            elif kind == "annual":
                annual_days += float(days or 0)
            elif kind == "special" and special_kind:
                special_used[special_kind] = special_used.get(special_kind, 0.0) + float(days or 0)
        annual = float(granted.get("annual", ANNUAL_LEAVE_DAYS))
        carried = float(granted.get("carried_over", 0.0))
        used = annual_days + hourly_hours / HOURS_PER_DAY
        limit = HOURLY_LEAVE_DAYS * HOURS_PER_DAY
        special = []
        for kind, (name, default) in SPECIAL_LEAVE_KINDS.items():
            days = float(granted.get(f"special:{kind}", default))
            taken = special_used.get(kind, 0.0)
            special.append(
                SpecialLeave(kind=kind, name=name, granted_days=days, used_days=taken, remaining_days=days - taken)
            )
        return LeaveBalances(
            staff_id=staff_id,
            year=year,
            annual=AnnualLeave(
                granted_days=annual,
                carried_over_days=carried,
                used_days=round(used, 4),
                remaining_days=round(annual + carried - used, 4),
            ),
            hourly=HourlyLeave(
                hours_per_day=HOURS_PER_DAY,
                limit_hours=limit,
                used_hours=hourly_hours,
                remaining_hours=max(0.0, limit - hourly_hours),
            ),
            special=special,
        )

    def postings(
        self, *, kind: str | None = None, document_id: str | None = None, staff_id: str | None = None
    ) -> list[Posting]:
        """Postings in the order received, optionally of one kind, document or staff member."""
        clauses: list[str] = []
        params: dict[str, str] = {}
        if kind is not None:
            clauses.append("kind = :kind")
            params["kind"] = kind
        if document_id is not None:
            clauses.append("json_extract(payload, '$.document_id') = :document_id")
            params["document_id"] = document_id
        if staff_id is not None:
            clauses.append("json_extract(payload, '$.staff_id') = :staff_id")
            params["staff_id"] = staff_id
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT id, kind, payload, idempotency_key, received_at FROM postings{where} ORDER BY id", params
            ).fetchall()
        return [_posting(r) for r in rows]

    def posting(self, posting_id: int) -> Posting | None:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT id, kind, payload, idempotency_key, received_at FROM postings WHERE id = ?",
                (posting_id,),
            ).fetchone()
        return _posting(row) if row else None

    def add_absence(
        self,
        staff_id: str,
        *,
        kind: AbsenceKind,
        start: date,
        end: date,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> tuple[Absence, bool]:
        """Register 不在 once per idempotency key (the caller has checked the staff member and the dates).

        Returns:
            The absence, and whether it was created now (False: the key was seen before; its absence is returned).
        """
        with self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO absences (staff_id, kind, start_date, end_date, note, idempotency_key, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING",
                (
                    staff_id,
                    kind,
                    start.isoformat(),
                    end.isoformat(),
                    note,
                    idempotency_key,
                    datetime.now(UTC).isoformat(),
                ),
            )
            created = cursor.rowcount == 1
            if created:
                row = conn.execute(
                    f"SELECT {_ABSENCE_COLUMNS} FROM absences WHERE id = ?", (cursor.lastrowid,)
                ).fetchone()
            else:
                row = conn.execute(
                    f"SELECT {_ABSENCE_COLUMNS} FROM absences WHERE idempotency_key = ?", (idempotency_key,)
                ).fetchone()
        return _absence(row), created

    def absence(self, absence_id: int) -> Absence | None:
        with self._connect() as conn:
            row = conn.execute(f"SELECT {_ABSENCE_COLUMNS} FROM absences WHERE id = ?", (absence_id,)).fetchone()
        return _absence(row) if row else None

    def absences(self, *, staff_id: str | None = None, on: date | None = None) -> list[Absence]:
        """Absences, optionally of one staff member and covering one day, by start date."""
        clauses: list[str] = []
        params: dict[str, str] = {}
        if staff_id is not None:
            clauses.append("staff_id = :staff_id")
            params["staff_id"] = staff_id
        if on is not None:
            clauses.append("start_date <= :on AND end_date >= :on")
            params["on"] = on.isoformat()
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT {_ABSENCE_COLUMNS} FROM absences{where} ORDER BY start_date, id", params
            ).fetchall()
        return [_absence(r) for r in rows]

    def delete_absence(self, absence_id: int) -> bool:
        """Cancel an absence; False if there was none with that id."""
        with self._connect() as conn:
            return conn.execute("DELETE FROM absences WHERE id = ?", (absence_id,)).rowcount == 1

    def substitutes(self, org_unit: str, post: str, *, as_of: date) -> list[StaffRef]:
        """The holders of the substitute posts of ``post`` in ``org_unit`` on ``as_of``, in 代決順位.

        Absences are not considered: the caller walks the list and skips whoever is away.
        """
        with self._connect() as conn:
            rows = conn.execute(
                _SUBSTITUTES, {"org_unit": org_unit, "post": post, "as_of": as_of.isoformat()}
            ).fetchall()
        seen: set[str] = set()
        refs: list[StaffRef] = []
        for row in rows:
            if row[0] not in seen:
                seen.add(row[0])
                refs.append(_staff_ref(row))
        return refs

    def substituting(self, staff_id: str, *, on: date) -> list[Substitution]:
        """Whom ``staff_id`` may act for on ``on``: absent holders of posts for which they are a substitute."""
        with self._connect() as conn:
            rows = conn.execute(_SUBSTITUTING, {"staff_id": staff_id, "on": on.isoformat()}).fetchall()
        return [Substitution(absent=_staff_ref(r), org_unit=r[2], post=r[4], order=r[6]) for r in rows]

    def apply_transfer(self, transfer_id: str, plan: TransferPlan) -> bool:
        """人事異動: write the next org chart as of ``plan.effective_on``, once per transfer id (one transaction).

        Returns:
            True if written now, False if this transfer was applied before (nothing changes).
        """
        on = plan.effective_on.isoformat()
        with self._connect() as conn:
            if conn.execute("SELECT 1 FROM transfers WHERE id = ?", (transfer_id,)).fetchone() is not None:
                return False
            position = conn.execute("SELECT COALESCE(MAX(position), 0) FROM org_units").fetchone()[0]
            conn.executemany(
                "INSERT OR IGNORE INTO org_units (code, name, kind, parent_code, symbol, position)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (u.code, u.name, u.kind, u.parent_code, u.symbol, position + i + 1)
                    for i, u in enumerate(plan.new_org_units)
                ],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO posts (code, name, rank) VALUES (?, ?, ?)",
                [(p.code, p.name, p.rank) for p in plan.new_posts],
            )
            conn.executemany(
                "UPDATE assignments SET effective_to = :on WHERE staff_id = :staff AND org_unit_code = :unit"
                " AND post_code = :post AND effective_from < :on AND (effective_to IS NULL OR effective_to > :on)",
                [{"on": on, "staff": r.staff_id, "unit": r.org_unit, "post": r.post} for r in plan.end],
            )
            conn.executemany(
                "INSERT INTO assignments (staff_id, org_unit_code, post_code, effective_from) VALUES (?, ?, ?, ?)",
                [(r.staff_id, r.org_unit, r.post, on) for r in plan.start],
            )
            conn.execute(
                "INSERT INTO transfers (id, effective_on, applied_at) VALUES (?, ?, ?)",
                (transfer_id, on, datetime.now(UTC).isoformat()),
            )
        return True
