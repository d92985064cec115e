"""データ移行 in the database: the tables of the migration format (from the models), what an export reads, and
the import that checks every row first and writes all of it in one transaction or nothing.

The format and its rules are ``domain.migration``'s; the files, encodings, attachments and manifest are
``cli.migration``'s.  Rows are written through the ORM, so the search index's flush listener
(``db.search_index``) indexes every imported document and receipt in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, get_args

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import JSON as SqlJson
from sqlalchemy import Boolean, Date, Integer, Numeric, and_, false, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from core.audit import GENESIS_HASH, content_hash, event_hash
from db.models import (
    AttachmentRow,
    AuditEventRow,
    AuditHeadRow,
    CirculationReaderRow,
    ClassificationClassRow,
    ClassificationVersionRow,
    DocumentNumberCounterRow,
    DocumentRow,
    OrgUnitRow,
    PostAssignmentRow,
    PostRow,
    ReceiptEventRow,
    ReceiptRow,
    RecordFileRow,
    RouteStepRow,
    StaffRoleRow,
    StaffRow,
    UtcDateTime,
)
from db.repositories.audit import recompute
from domain.migration import (
    JST,
    Column,
    Key,
    Kind,
    Line,
    Problem,
    Reference,
    Table,
    check,
    check_chain_order,
    check_date_order,
    check_imported_documents,
    format_cell,
    key_of,
    tree_order,
)
from domain.statuses import TERMINAL
from schemas.api.files import Medium
from schemas.api.models import RecordsStatus
from schemas.api.receipts import Channel
from schemas.classification import Counting, Disposition
from schemas.document import (
    Capacity,
    ExpenseClass,
    FinanceState,
    Matter,
    ResponseKind,
    StageKind,
    Status,
    StepState,
)
from schemas.general_affairs import AffairDetails, HrPostingState
from schemas.org import OrgUnitKind, StaffRole
from schemas.records import DispatchMethod

#: An imported account's password hash: matches no password (the records office resets it before first use).
NO_PASSWORD = "!imported"
#: Rows written per flush.
BATCH = 1000
#: Who an audit event the import adds is by (a document that came without its own history).
IMPORT_ACTOR = "import"


@dataclass(frozen=True)
class Spec:
    table: Table
    model: type[DeclarativeBase]
    #: Columns of the file that are not the model's (an attachment's ``path``).
    virtual: tuple[str, ...] = ()
    #: Bookkeeping columns in which a row already in ringi may differ and still be the same row: it takes the
    #: imported values (a 文書分類表 shipped with ringi, stamped when each ringi was migrated).
    adopt: tuple[str, ...] = ()


def _kind(column: Any) -> Kind:
    type_ = column.type
    if isinstance(type_, UtcDateTime):
        return "datetime"
    if isinstance(type_, SqlJson):
        return "json"
    if isinstance(type_, Boolean):
        return "bool"
    if isinstance(type_, Date):
        return "date"
    if isinstance(type_, Integer | Numeric):
        return "int"
    return "str"


def _default(column: Any) -> Any:
    """The model's default for an absent cell: a constant, or what a JSON column's factory (``list``) makes."""
    if column.default is None:
        return None
    arg = column.default.arg
    if not callable(arg):
        return arg
    return arg(None) if _kind(column) == "json" else None


def _spec(
    model: type[DeclarativeBase],
    *,
    key: tuple[str, ...],
    exclude: tuple[str, ...] = (),
    uniques: tuple[tuple[str, ...], ...] = (),
    labels: Mapping[tuple[str, ...], str] | None = None,
    references: tuple[Reference, ...] = (),
    derived: tuple[str, ...] = (),
    virtual: tuple[Column, ...] = (),
    defaults: Mapping[str, Any] | None = None,
    choices: Mapping[str, Any] | None = None,
    adopt: tuple[str, ...] = (),
) -> Spec:
    defaults = defaults or {}
    allowed = {name: frozenset(get_args(literal)) for name, literal in (choices or {}).items()}
    table: Any = model.__table__
    columns: list[Column] = []
    refs = list(references)
    for column in table.columns:
        if column.name in exclude:
            continue
        default = _default(column) if column.name not in defaults else defaults[column.name]
        if default is None and column.server_default is not None and _kind(column) == "str":
            default = str(column.server_default.arg)
        columns.append(
            Column(
                column.name,
                _kind(column),
                bool(column.nullable),
                default=default,
                derived=column.name in derived,
                choices=allowed.get(column.name),
            )
        )
        for fk in column.foreign_keys:
            target: Any = fk.column.table
            refs.append(Reference((column.name,), target.name, (fk.column.name,)))
    return Spec(
        Table(
            name=table.name,
            columns=(*columns, *virtual),
            key=key,
            uniques=uniques,
            references=tuple(refs),
            unique_labels=labels or {},
        ),
        model,
        tuple(c.name for c in virtual),
        adopt,
    )


#: The tables in the order they are written (every reference points to an earlier table, or within the table).
SPECS: tuple[Spec, ...] = (
    _spec(OrgUnitRow, key=("code",), choices={"kind": OrgUnitKind}),
    _spec(PostRow, key=("code",)),
    _spec(StaffRow, key=("id",), exclude=("password_hash", "password_changed_at")),
    _spec(StaffRoleRow, key=("staff_id", "role"), choices={"role": StaffRole}),
    _spec(PostAssignmentRow, key=("staff_id", "org_unit_code", "post_code", "effective_from"), exclude=("id",)),
    _spec(ClassificationVersionRow, key=("id",), adopt=("created_at", "created_by")),
    _spec(
        ClassificationClassRow,
        key=("version_id", "code"),
        exclude=("id",),
        choices={"disposition": Disposition, "counting": Counting},
    ),
    _spec(
        RecordFileRow,
        key=("id",),
        uniques=(("org_unit_code", "fiscal_year", "classification_code", "title"),),
        labels={("org_unit_code", "fiscal_year", "classification_code", "title"): "簿冊 (所属, 年度, 分類, 名称)"},
        references=(
            Reference(
                ("classification_version", "classification_code"), "classification_classes", ("version_id", "code")
            ),
        ),
        choices={"medium": Medium, "disposition": Disposition, "counting": Counting, "records_status": RecordsStatus},
    ),
    _spec(
        DocumentRow,
        key=("id",),
        uniques=(("number_fiscal_year", "number_display"),),
        labels={("number_fiscal_year", "number_display"): "文書番号 (年度, 番号)"},
        derived=("content_hash",),
        defaults={"version": 1},
        choices={
            "matter": Matter,
            "status": Status,
            "expense_class": ExpenseClass,
            "finance_state": FinanceState,
            "hr_state": HrPostingState,
            "records_status": RecordsStatus,
            "dispatch_method": DispatchMethod,
        },
    ),
    _spec(
        RouteStepRow,
        key=(),
        exclude=("id",),
        choices={"stage_kind": StageKind, "state": StepState, "capacity": Capacity, "response": ResponseKind},
    ),
    _spec(
        AttachmentRow,
        key=("document_id", "n"),
        derived=("sha256", "size_bytes"),
        virtual=(Column("path", "str", nullable=True),),
    ),
    _spec(AuditEventRow, key=("document_id", "seq"), derived=("prev_hash", "hash")),
    _spec(
        ReceiptRow,
        key=("id",),
        uniques=(("number_symbol", "fiscal_year", "receipt_serial"),),
        labels={("number_symbol", "fiscal_year", "receipt_serial"): "収受番号 (記号, 年度, 番号)"},
        choices={"channel": Channel},
    ),
    _spec(ReceiptEventRow, key=("receipt_id", "seq"), derived=("prev_hash", "hash")),
    _spec(CirculationReaderRow, key=("receipt_id", "reader_id")),
)
TABLES: tuple[Table, ...] = tuple(s.table for s in SPECS)
BY_NAME: dict[str, Spec] = {s.table.name: s for s in SPECS}
#: How each table's rows are ordered in its file (so two exports of the same data are byte-identical).
_ORDER: dict[str, tuple[str, ...]] = {
    "route_steps": ("document_id", "stage_index", "id"),
    "post_assignments": ("staff_id", "effective_from", "org_unit_code", "post_code"),
    "classification_classes": ("version_id", "position", "code"),
}


# --- export --------------------------------------------------------------------------------------------------


def _formatted(spec: Spec, row: Any) -> dict[str, str]:
    return {c.name: format_cell(c.kind, getattr(row, c.name)) for c in spec.table.columns if c.name not in spec.virtual}


async def _rows(session: AsyncSession, spec: Spec, *where: Any) -> list[Any]:
    model: Any = spec.model
    order = _ORDER.get(spec.table.name) or spec.table.key
    stmt = select(model).where(*where).order_by(*(getattr(model, c) for c in order))
    return list((await session.scalars(stmt)).all())


def _in(column: Any, values: set[Any]) -> Any:
    return column.in_(sorted(values)) if values else false()


async def _rows_of(session: AsyncSession, spec: Spec, column: Any, ids: set[str] | None) -> list[Any]:
    """The rows of the documents (or receipts) ``ids`` (None: all), a few thousand ids per query (the databases
    bound a statement's parameters)."""
    if ids is None:
        return await _rows(session, spec)
    wanted, rows = sorted(ids), []
    for start in range(0, len(wanted), 5000):
        rows += await _rows(session, spec, column.in_(wanted[start : start + 5000]))
    return rows


async def export_rows(session: AsyncSession, *, fiscal_year: int | None) -> dict[str, list[dict[str, str]]]:
    """Every row of every table as cells; for a 年度: the master data (部署, 職員, 職), that 年度's 文書分類表 and
    簿冊, what is filed in them, and the 年度's documents and receipts that are not filed."""
    out: dict[str, list[dict[str, str]]] = {}
    spec = BY_NAME
    whole = fiscal_year is None
    for name in ("org_units", "posts", "staff", "staff_roles", "post_assignments"):
        out[name] = [_formatted(spec[name], r) for r in await _rows(session, spec[name])]
    if fiscal_year is None:
        files = await _rows(session, spec["record_files"])
        versions = await _rows(session, spec["classification_versions"])
        documents = await _rows(session, spec["documents"])
        receipts = await _rows(session, spec["receipts"])
    else:
        files = await _rows(session, spec["record_files"], RecordFileRow.fiscal_year == fiscal_year)
        file_ids = {f.id for f in files}
        used = {f.classification_version for f in files}
        versions = await _rows(
            session,
            spec["classification_versions"],
            or_(ClassificationVersionRow.fiscal_year == fiscal_year, _in(ClassificationVersionRow.id, used)),
        )
        start, end = (datetime(y, 4, 1, tzinfo=JST).astimezone(UTC) for y in (fiscal_year, fiscal_year + 1))
        unnumbered = and_(
            DocumentRow.number_fiscal_year.is_(None), DocumentRow.created_at >= start, DocumentRow.created_at < end
        )
        documents = await _rows(
            session,
            spec["documents"],
            or_(
                _in(DocumentRow.file_id, file_ids),
                and_(DocumentRow.file_id.is_(None), or_(DocumentRow.number_fiscal_year == fiscal_year, unnumbered)),
            ),
        )
        receipts = await _rows(
            session,
            spec["receipts"],
            or_(
                _in(ReceiptRow.file_id, file_ids),
                and_(ReceiptRow.file_id.is_(None), ReceiptRow.fiscal_year == fiscal_year),
            ),
        )
    version_ids = {v.id for v in versions}
    document_ids = {d.id for d in documents}
    receipt_ids = {r.id for r in receipts}
    out["classification_versions"] = [_formatted(spec["classification_versions"], r) for r in versions]
    out["classification_classes"] = [
        _formatted(spec["classification_classes"], r)
        for r in await _rows(
            session, spec["classification_classes"], _in(ClassificationClassRow.version_id, version_ids)
        )
    ]
    out["record_files"] = [_formatted(spec["record_files"], r) for r in files]
    out["documents"] = [_formatted(spec["documents"], r) for r in documents]
    by_document: tuple[tuple[str, Any], ...] = (
        ("route_steps", RouteStepRow),
        ("attachments", AttachmentRow),
        ("audit_events", AuditEventRow),
    )
    for name, model in by_document:
        rows = await _rows_of(session, spec[name], model.document_id, None if whole else document_ids)
        out[name] = [_formatted(spec[name], r) for r in rows]
    out["receipts"] = [_formatted(spec["receipts"], r) for r in receipts]
    by_receipt: tuple[tuple[str, Any], ...] = (
        ("receipt_events", ReceiptEventRow),
        ("circulation_readers", CirculationReaderRow),
    )
    for name, model in by_receipt:
        rows = await _rows_of(session, spec[name], model.receipt_id, None if whole else receipt_ids)
        out[name] = [_formatted(spec[name], r) for r in rows]
    return out


# --- import --------------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What an import writes: the lines of each table that are not already in ringi (identical rows are skipped)."""

    lines: dict[str, list[Line]]
    skipped: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Rows already in ringi that take the imported bookkeeping values (``Spec.adopt``).
    adopted: list[tuple[Spec, Key, dict[str, Any]]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.lines.values())


async def _keys(session: AsyncSession, spec: Spec, columns: tuple[str, ...]) -> set[Key]:
    model: Any = spec.model
    result = await session.execute(select(*(getattr(model, c) for c in columns)))
    return {tuple(r) for r in result.all() if all(v is not None for v in r)}


async def plan_import(
    session: AsyncSession,
    lines: Mapping[str, Sequence[Line]],
    *,
    unreadable: Mapping[str, Sequence[Line]] | None = None,
) -> Plan:
    """Check every line against the others and against the database; rows already in ringi with the same values
    are skipped, with other values refused."""
    plan = Plan({name: [] for name in BY_NAME})
    present: dict[tuple[str, tuple[str, ...]], set[Key]] = {}
    targets = {(r.table, r.target) for t in TABLES for r in t.references}
    kept: set[Any] = set()  # documents already in ringi, identical
    for spec in SPECS:
        table = spec.table
        given = list(lines.get(table.name, ()))
        if table.key:
            existing = await _keys(session, spec, table.key)
            clashing = {k for line in given if (k := key_of(line.values, table.key)) in existing}
            same = await _identical(session, spec, given, clashing, plan)
            plan.skipped[table.name] = len(same)
            if table.name == "documents":
                kept = {line.values["id"] for line in given if line.number in same}
            given = [line for line in given if line.number not in same]
            present[(table.name, table.key)] = existing
        elif table.name == "route_steps":  # no key of their own: part of their document, skipped with it
            plan.skipped[table.name] = sum(1 for line in given if line.values["document_id"] in kept)
            given = [line for line in given if line.values["document_id"] not in kept]
        for columns in table.uniques:
            present[(table.name, columns)] = await _keys(session, spec, columns)
        plan.lines[table.name] = given
    for name, columns in targets:
        if (name, columns) not in present:
            present[(name, columns)] = await _keys(session, BY_NAME[name], columns)
    plan.problems += check(TABLES, plan.lines, present, unreadable)
    for table in TABLES:
        plan.problems += check_date_order(table, plan.lines[table.name])
    plan.problems += check_imported_documents(plan.lines["documents"], decided=TERMINAL, file="documents.csv")
    plan.problems += _check_details(plan.lines["documents"])
    plan.problems += _fill_content_hashes(plan.lines["documents"])
    for name, owner in (("audit_events", "document_id"), ("receipt_events", "receipt_id")):
        plan.problems += check_chain_order(plan.lines[name], owner=owner, file=f"{name}.csv")
        plan.problems += _check_hashes(plan.lines[name], owner=owner, file=f"{name}.csv")
    for name, owner, of in (
        ("audit_events", "document_id", "documents"),
        ("receipt_events", "receipt_id", "receipts"),
    ):
        stored = {k[0] for k in present[(of, ("id",))]}
        for line in plan.lines[name]:
            if line.values[owner] in stored:
                plan.problems.append(
                    Problem(f"{name}.csv", line.number, f"{owner} {line.values[owner]}: its chain is already in ringi")
                )
    return plan


async def _identical(
    session: AsyncSession, spec: Spec, given: Sequence[Line], clashing: set[Key], plan: Plan
) -> set[int]:
    """The line numbers of rows already in ringi with the same values; a clash with other values is a problem."""
    if not clashing:
        return set()
    model: Any = spec.model
    columns = tuple(getattr(model, c) for c in spec.table.key)
    stored: dict[Key, dict[str, str]] = {}
    wanted = sorted(clashing)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        where = columns[0].in_([k[0] for k in chunk]) if len(columns) == 1 else tuple_(*columns).in_(chunk)
        for row in (await session.scalars(select(model).where(where))).all():
            stored[tuple(getattr(row, c) for c in spec.table.key)] = _formatted(spec, row)
    same: set[int] = set()
    for line in given:
        key = key_of(line.values, spec.table.key)
        if key is None or key not in stored:
            continue
        mine = {c.name: format_cell(c.kind, line.values[c.name]) for c in spec.table.columns if c.name in stored[key]}
        differing = [c for c, v in mine.items() if v != stored[key][c] and not _derived(spec, c)]
        adopted = [c for c in differing if c in spec.adopt]
        if len(adopted) < len(differing):
            others = [c for c in differing if c not in spec.adopt]
            plan.problems.append(
                Problem(spec.table.file, line.number, f"already in ringi with other {', '.join(others)}")
            )
            continue
        same.add(line.number)
        if adopted:
            plan.adopted.append((spec, key, {c: line.values[c] for c in adopted}))
    return same


def _derived(spec: Spec, name: str) -> bool:
    return any(c.name == name and c.derived for c in spec.table.columns)


_DETAILS: TypeAdapter[Any] = TypeAdapter(AffairDetails)


def _check_details(lines: Sequence[Line]) -> list[Problem]:
    """A 庶務 request's details are read back typed (休暇, 時間外, 出張): they must be what a reader can read."""
    problems = []
    for line in lines:
        if line.values.get("details") is None:
            continue
        try:
            _DETAILS.validate_python(line.values["details"])
        except ValidationError as exc:
            reason = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
            problems.append(Problem("documents.csv", line.number, f"details: {reason}"))
    return problems


def _fill_content_hashes(lines: Sequence[Line]) -> list[Problem]:
    """A document's content hash (what its approvers approved), computed when absent.  One given is kept as it
    is: a 廃棄 empties the body and keeps the hash of what was approved."""
    for line in lines:
        v = line.values
        if v["content_hash"] is None:
            v["content_hash"] = content_hash(
                title=v["title"], body=v["body"], amount_yen=v["amount_yen"], matter=v["matter"], details=v["details"]
            )
    return []


def _chain_hash(line: Line, owner: str, prev: str) -> str:
    v = line.values
    if owner == "receipt_id":
        return event_hash(
            prev_hash=prev,
            document_id=v["receipt_id"],
            seq=v["seq"],
            action=v["action"],
            actor_id=v["actor_id"],
            at=v["at"],
            version=0,
            content_hash="",
            detail=v["detail"],
        )
    return recompute(AuditEventRow(**{k: v[k] for k in v if k not in ("prev_hash", "hash")}), prev_hash=prev)


def _check_hashes(lines: Sequence[Line], *, owner: str, file: str) -> list[Problem]:
    """Fill each event's prev_hash and hash (the chain re-created); a hash given that differs is a problem."""
    problems = []
    prev: dict[str, str] = {}
    for line in lines:
        who = line.values[owner]
        before = prev.get(who, GENESIS_HASH)
        try:
            digest = _chain_hash(line, owner, before)
        except (TypeError, ValueError, AttributeError) as exc:
            problems.append(Problem(file, line.number, f"cannot hash the event: {exc}"))
            continue
        for column, value in (("prev_hash", before), ("hash", digest)):
            if line.values.get(column) not in (None, value):
                problems.append(Problem(file, line.number, f"{column} does not match the chain (altered?)"))
            line.values[column] = value
        prev[who] = digest
    return problems


async def write_import(
    session: AsyncSession, plan: Plan, *, now: datetime, progress: Callable[[int], None] = lambda _: None
) -> dict[str, int]:
    """Write the plan (the caller commits, once); counts of the rows written per table."""
    written: dict[str, int] = defaultdict(int)
    for spec, key, values in plan.adopted:
        row = await session.get(spec.model, key if len(key) > 1 else key[0])
        for column, value in values.items():
            setattr(row, column, value)
    for spec in SPECS:
        name = spec.table.name
        lines = plan.lines[name]
        if name == "org_units":
            lines = tree_order(lines, key="code", parent="parent_code")
        for line in lines:
            values = {k: v for k, v in line.values.items() if k not in spec.virtual}
            if name == "staff":
                values["password_hash"] = NO_PASSWORD
            session.add(spec.model(**values))
            written[name] += 1
            progress(1)
            if name == "org_units":
                await session.flush()  # parents before children: PostgreSQL checks each reference at once
            elif written[name] % BATCH == 0:
                await session.flush()
                session.expunge_all()  # written: a big city's rows need not stay in memory until the commit
        await session.flush()
    await _add_history(session, plan, now=now)
    await _advance_counters(session, plan)
    await session.flush()
    return dict(written)


async def _add_history(session: AsyncSession, plan: Plan, *, now: datetime) -> None:
    """The audit heads; a document that came without its own events gets one ``imported`` event."""
    last: dict[str, tuple[int, str]] = {}
    for line in plan.lines["audit_events"]:
        last[line.values["document_id"]] = (line.values["seq"], line.values["hash"])
    for line in plan.lines["documents"]:
        doc = line.values
        if doc["id"] not in last:
            event = AuditEventRow(
                document_id=doc["id"],
                seq=1,
                action="imported",
                actor_id=IMPORT_ACTOR,
                at=doc.get("completed_at") or doc.get("decided_at") or doc.get("updated_at") or now,
                version=doc["version"],
                content_hash=doc["content_hash"],
                detail={"number": doc.get("number_display")},
                prev_hash=GENESIS_HASH,
            )
            event.hash = recompute(event, prev_hash=GENESIS_HASH)
            session.add(event)
            last[doc["id"]] = (1, event.hash)
    for document_id, (seq, digest) in last.items():
        session.add(AuditHeadRow(document_id=document_id, seq=seq, hash=digest))


async def _advance_counters(session: AsyncSession, plan: Plan) -> None:
    """The 文書番号 counters continue after the highest number imported (documents and receipts share them)."""
    highest: dict[tuple[str, int], int] = {}
    for line in plan.lines["documents"]:
        v = line.values
        if v["number_symbol"] and v["number_fiscal_year"] and v["number_serial"]:
            key = (v["number_symbol"], v["number_fiscal_year"])
            highest[key] = max(highest.get(key, 0), v["number_serial"])
    for line in plan.lines["receipts"]:
        v = line.values
        key = (v["number_symbol"], v["fiscal_year"])
        highest[key] = max(highest.get(key, 0), v["receipt_serial"])
    for (symbol, year), serial in highest.items():
        counter = await session.get(DocumentNumberCounterRow, (symbol, year))
        if counter is None:
            session.add(DocumentNumberCounterRow(symbol=symbol, fiscal_year=year, last_serial=serial))
        elif counter.last_serial < serial:
            counter.last_serial = serial
