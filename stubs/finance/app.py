"""Finance stub (財務会計システム): budgets and encumbrances (支出負担行為); filled in later.

A small FastAPI app with its own SQLite file, created in the lifespan (never at import), and the same
``/admin/faults`` fault injection as the HR stub.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from pydantic import BaseModel

from stubs.faults import add_faults

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Health(BaseModel):
    status: str


def _initialise(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(_SCHEMA)


def create_app(db_path: Path) -> FastAPI:
    """Build the finance stub over the SQLite file ``db_path`` (created on first start)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(_initialise, db_path)
        app.state.db_path = db_path
        yield

    app = FastAPI(title="Finance stub (財務会計)", version="0.1.0", lifespan=lifespan)
    add_faults(app)

    @app.get("/health")
    async def health() -> Health:
        """Liveness; never subject to injected faults."""
        return Health(status="ok")

    return app
