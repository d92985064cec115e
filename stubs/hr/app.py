"""HR stub (人事給与システム): who holds which post in which unit on a given date, and postings from ringi.

It also keeps 不在 (absences: 休暇 leave, 出張 trips) and the 代決順位 (substitute order per post), seeded from the
organisation on first start (see ``stubs.hr.substitutes``).

A small FastAPI app with its own SQLite state and its own wire format (``stubs.hr.models``: nothing of ringi's is
imported, so a drift between ringi's client and HR shows in the contract tests).  On first start (lifespan, never
at import) the database is loaded with the organisation it is given (``ringi stub hr`` and the tests give it the
demo city); later starts keep what is there.  ``/admin/faults`` makes it slow or failing
for tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import Depends, FastAPI, Header, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from stubs.faults import WriteFaultConfig, add_faults
from stubs.hr.models import (
    Absence,
    AbsenceCreate,
    Health,
    LeaveBalances,
    LeaveGrants,
    Organisation,
    OrgUnit,
    Posting,
    PostingCreated,
    StaffAbsence,
    StaffRef,
    Substitution,
    TransferPlan,
)
from stubs.hr.store import HrStore, PostingRefused

_JST = timezone(timedelta(hours=9))  # Japan keeps no daylight saving time

PostingKind = Literal["leave", "overtime", "trip"]
#: What ``refuse_next`` answers instead of processing a write.
INJECTED_REFUSAL = {"type": "injected_refusal", "detail": "injected refusal"}


def _today() -> date:
    """Today in Japan: HR's dates are local dates."""
    return datetime.now(_JST).date()


def _store(request: Request) -> HrStore:
    store: HrStore = request.app.state.store
    return store


StoreDep = Annotated[HrStore, Depends(_store)]


def _require_staff(store: HrStore, staff_id: str) -> None:
    if not store.has_staff(staff_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown staff {staff_id!r}")


def _organisation(city: BaseModel | None) -> Organisation | None:
    """``city`` read as HR reads an import file: its JSON, in HR's own format."""
    if city is None or isinstance(city, Organisation):
        return city
    return Organisation.model_validate_json(city.model_dump_json())


def create_app(db_path: Path, *, city: BaseModel | None = None) -> FastAPI:
    """Build the HR stub over the SQLite file ``db_path``.

    Args:
        db_path: the stub's database; created on first start.
        city: the organisation an empty database is loaded with: an ``Organisation``, or any model whose JSON
            has its shape (e.g. the demo city of whoever starts the stub); None leaves a new database empty.
            A database that holds an organisation keeps it.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = HrStore(db_path)
        await anyio.to_thread.run_sync(store.initialise, lambda: _organisation(city))
        app.state.store = store
        yield

    app = FastAPI(title="HR stub (人事給与)", version="0.1.0", lifespan=lifespan)
    add_faults(app, WriteFaultConfig(), refusal=INJECTED_REFUSAL)

    @app.get("/health")
    async def health() -> Health:
        """Liveness; never subject to injected faults."""
        return Health(status="ok")

    @app.get("/org-units")
    def list_org_units(store: StoreDep) -> list[OrgUnit]:
        """All org units, executive first, each department followed by its divisions."""
        return store.org_units()

    @app.get("/org-units/{code}")
    def get_org_unit(code: str, store: StoreDep) -> OrgUnit:
        """One org unit by code."""
        unit = store.org_unit(code)
        if unit is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown org unit {code!r}")
        return unit

    @app.get("/staff/{staff_id}")
    def get_staff(staff_id: str, store: StoreDep, as_of: date | None = None) -> StaffRef:
        """A staff member in the post they hold on ``as_of`` (default: today in Japan)."""
        day = as_of or _today()
        ref = store.staff_ref(staff_id, as_of=day)
        if ref is not None:
            return ref
        if store.has_staff(staff_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"staff {staff_id!r} holds no post on {day}")
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown staff {staff_id!r}")

    @app.get("/staff/{staff_id}/absent")
    def get_staff_absent(staff_id: str, store: StoreDep, on: date | None = None) -> StaffAbsence:
        """Whether the staff member is absent (不在) on ``on`` (default: today in Japan)."""
        _require_staff(store, staff_id)
        absences = store.absences(staff_id=staff_id, on=on or _today())
        return StaffAbsence(absent=bool(absences), absences=absences)

    @app.get("/staff/{staff_id}/leave-balances")
    def get_leave_balances(staff_id: str, store: StoreDep, year: int | None = None) -> LeaveBalances:
        """休暇の残: 年次有給休暇 (granted, 繰越, used, remaining), 時間単位 up to the yearly hour limit, and the
        特別休暇 with a yearly allowance, in calendar year ``year`` (default: this year in Japan)."""
        _require_staff(store, staff_id)
        return store.leave_balances(staff_id, year=year or _today().year)

    @app.put("/admin/leave-grants/{staff_id}", status_code=status.HTTP_204_NO_CONTENT)
    def put_leave_grants(staff_id: str, body: LeaveGrants, store: StoreDep) -> Response:
        """Set a staff member's grants for one year (tests; HR's own 付与 in real life)."""
        _require_staff(store, staff_id)
        store.set_leave_grants(staff_id, body)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @app.get("/staff/{staff_id}/substituting")
    def get_staff_substituting(staff_id: str, store: StoreDep, on: date | None = None) -> list[Substitution]:
        """Whom the staff member may act for (代決) on ``on``: absent holders of posts they substitute for."""
        _require_staff(store, staff_id)
        return store.substituting(staff_id, on=on or _today())

    @app.get("/holders")
    def get_holders(org_unit: str, post: str, store: StoreDep, as_of: date | None = None) -> list[StaffRef]:
        """Who holds ``post`` in ``org_unit`` on ``as_of`` (default: today in Japan); may be empty."""
        if store.org_unit(org_unit) is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown org unit {org_unit!r}")
        if not store.has_post(post):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown post {post!r}")
        return store.holders(org_unit, post, as_of=as_of or _today())

    @app.get("/substitutes")
    def get_substitutes(org_unit: str, post: str, store: StoreDep, as_of: date | None = None) -> list[StaffRef]:
        """The 代決順位 of ``post`` in ``org_unit``: holders of the substitute posts on ``as_of``, in order."""
        if store.org_unit(org_unit) is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown org unit {org_unit!r}")
        if not store.has_post(post):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown post {post!r}")
        return store.substitutes(org_unit, post, as_of=as_of or _today())

    @app.post("/absences", status_code=status.HTTP_201_CREATED)
    def create_absence(
        body: AbsenceCreate,
        store: StoreDep,
        response: Response,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> Absence:
        """Register 不在 (休暇 or 出張); a repeated Idempotency-Key answers 200 with the first absence."""
        if not store.has_staff(body.staff_id):
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"unknown staff {body.staff_id!r}")
        absence, created = store.add_absence(
            body.staff_id,
            kind=body.kind,
            start=body.start,
            end=body.end,
            note=body.note,
            idempotency_key=idempotency_key,
        )
        if not created:
            response.status_code = status.HTTP_200_OK
        return absence

    @app.get("/absences")
    def list_absences(store: StoreDep, staff_id: str | None = None, on: date | None = None) -> list[Absence]:
        """Absences, optionally of one staff member and covering one day, by start date."""
        return store.absences(staff_id=staff_id, on=on)

    @app.get("/absences/{absence_id}")
    def get_absence(absence_id: int, store: StoreDep) -> Absence:
        """One absence."""
        absence = store.absence(absence_id)
        if absence is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown absence {absence_id}")
        return absence

    @app.delete("/absences/{absence_id}", status_code=status.HTTP_204_NO_CONTENT)
    def delete_absence(absence_id: int, store: StoreDep) -> Response:
        """Cancel an absence."""
        if not store.delete_absence(absence_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown absence {absence_id}")
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @app.post("/postings/{kind}", status_code=status.HTTP_201_CREATED, response_model=PostingCreated)
    def create_posting(
        kind: PostingKind,
        payload: dict[str, Any],
        store: StoreDep,
        response: Response,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> PostingCreated | JSONResponse:
        """Store a posting (休暇, 時間外勤務, 出張); a repeated Idempotency-Key answers 200, same id.

        An 年次有給休暇 beyond the year's balance is refused: 409 ``leave_balance_insufficient``.
        """
        try:
            posting_id, created = store.add_posting(kind, payload, idempotency_key=idempotency_key)
        except PostingRefused as exc:
            return JSONResponse({"type": exc.type, "detail": exc.detail}, status_code=exc.status)
        if not created:
            response.status_code = status.HTTP_200_OK
        return PostingCreated(id=posting_id)

    @app.get("/postings")
    def list_postings(
        store: StoreDep, kind: PostingKind | None = None, document_id: str | None = None, staff_id: str | None = None
    ) -> list[Posting]:
        """Postings in the order received (for tests and reconciliation), optionally filtered."""
        return store.postings(kind=kind, document_id=document_id, staff_id=staff_id)

    @app.get("/postings/{kind}/{posting_id}")
    def get_posting(kind: PostingKind, posting_id: int, store: StoreDep) -> Posting:
        """One stored posting."""
        posting = store.posting(posting_id)
        if posting is None or posting.kind != kind:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown {kind} posting {posting_id}")
        return posting

    @app.put("/org/transfers/{transfer_id}")
    def apply_transfer(transfer_id: str, plan: TransferPlan, store: StoreDep, response: Response) -> Health:
        """人事異動: the next org chart (assignments ended and started on ``effective_on``), applied once per id.

        201 when written now, 200 when this transfer was applied before.  Staff must exist (else 422).
        """
        unknown = sorted({r.staff_id for r in (*plan.end, *plan.start) if not store.has_staff(r.staff_id)})
        if unknown:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"unknown staff {', '.join(unknown[:5])}")
        written = store.apply_transfer(transfer_id, plan)
        response.status_code = status.HTTP_201_CREATED if written else status.HTTP_200_OK
        return Health(status="applied")

    return app
