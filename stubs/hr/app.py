"""HR stub (人事給与システム): who holds which post in which unit on a given date, and postings from ringi.

A small FastAPI app with its own SQLite state.  On first start (lifespan, never at import) the database
is seeded from the demo city; later starts keep what is there.  ``/admin/faults`` makes it slow or failing
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
from pydantic import BaseModel

from core.demo_city import generate_city
from schemas.org import City, OrgUnit, StaffRef
from stubs.faults import add_faults
from stubs.hr.store import HrStore, Posting

_JST = timezone(timedelta(hours=9))  # Japan keeps no daylight saving time

PostingKind = Literal["leave", "overtime", "trip"]


class Health(BaseModel):
    status: str


class PostingCreated(BaseModel):
    id: int


def _today() -> date:
    """Today in Japan: HR's dates are local dates."""
    return datetime.now(_JST).date()


def _store(request: Request) -> HrStore:
    store: HrStore = request.app.state.store
    return store


StoreDep = Annotated[HrStore, Depends(_store)]


def create_app(db_path: Path, *, city: City | None = None) -> FastAPI:
    """Build the HR stub over the SQLite file ``db_path``.

    Args:
        db_path: the stub's database; created and seeded on first start.
        city: what to seed an empty database with (default: ``generate_city()``).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = HrStore(db_path)
        await anyio.to_thread.run_sync(store.initialise, lambda: city if city is not None else generate_city())
        app.state.store = store
        yield

    app = FastAPI(title="HR stub (人事給与)", version="0.1.0", lifespan=lifespan)
    add_faults(app)

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

    @app.get("/holders")
    def get_holders(org_unit: str, post: str, store: StoreDep, as_of: date | None = None) -> list[StaffRef]:
        """Who holds ``post`` in ``org_unit`` on ``as_of`` (default: today in Japan); may be empty."""
        if store.org_unit(org_unit) is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown org unit {org_unit!r}")
        if not store.has_post(post):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown post {post!r}")
        return store.holders(org_unit, post, as_of=as_of or _today())

    @app.post("/postings/{kind}", status_code=status.HTTP_201_CREATED)
    def create_posting(
        kind: PostingKind,
        payload: dict[str, Any],
        store: StoreDep,
        response: Response,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> PostingCreated:
        """Store a posting (休暇, 時間外勤務, 出張); a repeated Idempotency-Key answers 200, same id."""
        posting_id, created = store.add_posting(kind, payload, idempotency_key=idempotency_key)
        if not created:
            response.status_code = status.HTTP_200_OK
        return PostingCreated(id=posting_id)

    @app.get("/postings/{kind}/{posting_id}")
    def get_posting(kind: PostingKind, posting_id: int, store: StoreDep) -> Posting:
        """One stored posting."""
        posting = store.posting(posting_id)
        if posting is None or posting.kind != kind:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown {kind} posting {posting_id}")
        return posting

    return app
