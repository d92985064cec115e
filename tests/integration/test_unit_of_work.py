"""One unit of work per request (SQLite and PostgreSQL): how many database sessions a decision costs the API, and
an answer that is read once, after the update, so it agrees with a read right after it.

The API's engine is watched with a SQLAlchemy ``checkout`` listener: each checkout is one pooled connection taken
for one transaction (the worker has an engine of its own and is not counted).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from api.app import create_app
from core.calendar import JST
from domain.fiscal import fiscal_year_of
from tests.support.serve import serve_app
from tests.support.stack import Stack, holder, in_process_worker, settings_for
from tests.web.conftest import sign_in

DRAFTER = holder("somu.somu", "staff")
MANAGER = holder("somu.somu", "manager")
FINANCE = holder("somu.zaisei", "manager")
DIRECTOR = holder("somu", "director")
YEAR = fiscal_year_of(datetime.now(JST).date())
#: What POST /v1/documents/{id}/actions may cost: one transaction before the update (sign-in, visibility), the
#: Idempotency-Key's claim (its own short write, so that the same key with another body is refused before anything
#: happens: api/services/idempotency.py), one read after the update.
MAX_SESSIONS_PER_ACTION = 3
#: The form post (as an action) and the page after it: sign-in and reads, its access-log entry, its buttons.
MAX_PAGE_PRESS_SESSIONS = 6


@dataclass(eq=False)  # hashable by identity: SQLAlchemy keeps listeners in a registry
class Checkouts:
    """Connections the API takes from its pool, counted between ``reset`` and ``count``."""

    count: int = 0

    def __call__(self, *_: Any) -> None:
        self.count += 1

    def reset(self) -> None:
        self.count = 0


@dataclass
class CountedStack:
    stack: Stack
    checkouts: Checkouts

    async def sessions_of(self, staff_id: str, method: str, path: str, **kwargs: Any) -> tuple[httpx.Response, int]:
        """The response, and how many database sessions the API used to give it (the token is fetched first)."""
        await self.stack.token(staff_id)
        self.checkouts.reset()
        response = await self.stack.call(staff_id, method, path, **kwargs)
        return response, self.checkouts.count

    async def act(self, staff_id: str, document_id: str, action: str, **extra: Any) -> tuple[dict[str, Any], int]:
        response, sessions = await self.sessions_of(
            staff_id,
            "POST",
            f"/v1/documents/{document_id}/actions",
            json={"action": action, "comment": "", **extra},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 200, response.text
        return dict(response.json()), sessions


@contextlib.asynccontextmanager
async def counted_stack(
    database_url: str, temporal: Client, *, hr_url: str, finance_url: str, data_dir: Path
) -> AsyncIterator[CountedStack]:
    settings = settings_for(
        database_url=database_url, temporal=temporal, hr_url=hr_url, finance_url=finance_url, data_dir=data_dir
    )
    app = create_app(settings)
    checkouts = Checkouts()
    async with (
        in_process_worker(settings, temporal),
        serve_app(app) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as http,
    ):
        engine: AsyncEngine = app.state.ringi.sessions.kw["bind"]
        event.listen(engine.sync_engine, "checkout", checkouts)
        try:
            yield CountedStack(Stack(settings=settings, api_url=url, temporal=temporal, http=http), checkouts)
        finally:
            event.remove(engine.sync_engine, "checkout", checkouts)


@pytest_asyncio.fixture(loop_scope="session")
async def counted(
    seeded_database_url: str, temporal_client: Client, hr_url: str, finance_url: str, tmp_path: Path
) -> AsyncIterator[CountedStack]:
    async with counted_stack(
        seeded_database_url, temporal_client, hr_url=hr_url, finance_url=finance_url, data_dir=tmp_path
    ) as stack:
        yield stack


async def budget_line(finance_url: str, allocated_yen: int) -> str:
    code = f"9902-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=finance_url) as http:
        r = await http.put(f"/admin/budgets/{YEAR}/{code}", json={"name": "テスト用", "allocated_yen": allocated_yen})
        r.raise_for_status()
    return code


async def read(stack: Stack, document_id: str) -> dict[str, Any]:
    r = await stack.call(DRAFTER, "GET", f"/v1/documents/{document_id}")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def settled(stack: Stack, document_id: str) -> dict[str, Any]:
    """The document once the workflow has settled what the answer said it was still settling."""
    for _ in range(200):
        document = await read(stack, document_id)
        if not document["settling"]:
            return document
        await asyncio.sleep(0.05)
    raise AssertionError(f"still settling: {document['settling']}")


def assert_agrees(answer: dict[str, Any], fresh: dict[str, Any]) -> None:
    """The answer equals a read right after it, except what it names as still settling (left as before)."""
    for name, fields in (("number", ("number", "number_display")), ("finance", ("finance",))):
        for key in fields:
            if name not in answer["settling"]:
                assert answer[key] == fresh[key], (key, answer[key], fresh[key])
    for key in ("status", "pending", "version"):  # the chain as the update answered it (steps: its own view)
        assert answer[key] == fresh[key], (key, answer[key], fresh[key])


async def test_an_action_costs_at_most_two_database_sessions(counted: CountedStack, finance_url: str) -> None:
    stack = counted.stack
    code = await budget_line(finance_url, 5_000_000)
    await stack.submitted(DRAFTER, amount_yen=1_500_000, budget_code=code)  # fills the process's rulebook cache
    doc = await stack.draft(DRAFTER, amount_yen=1_500_000, budget_code=code)
    r, submit_sessions = await counted.sessions_of(DRAFTER, "POST", f"/v1/documents/{doc['id']}/submit")
    assert r.status_code == 200, r.text
    costs = {"submit": submit_sessions}
    for approver, step in ((MANAGER, "review"), (FINANCE, "consult"), (DIRECTOR, "decide")):
        _, costs[f"approve ({step})"] = await counted.act(approver, doc["id"], "approve")
    other = await stack.submitted(DRAFTER, amount_yen=1_500_000, budget_code=code)
    _, costs["send_back"] = await counted.act(MANAGER, other["id"], "send_back", comment="金額を確認してください")
    print(f"database sessions per request: {costs}")
    assert all(n <= MAX_SESSIONS_PER_ACTION for n in costs.values()), costs


async def test_the_answer_is_the_stored_state_or_says_what_is_still_settling(
    counted: CountedStack, finance_url: str
) -> None:
    stack = counted.stack
    code = await budget_line(finance_url, 5_000_000)
    doc = await stack.submitted(DRAFTER, amount_yen=300_000, budget_code=code)  # 総務課長 decides alone
    assert doc["finance"]["state"] == "reserved" and doc["settling"] == []  # reserved within the submit
    assert_agrees(doc, await read(stack, doc["id"]))

    answer, _ = await counted.act(MANAGER, doc["id"], "approve")
    assert answer["status"] == "approved"
    assert_agrees(answer, await read(stack, doc["id"]))
    if "number" in answer["settling"]:
        assert answer["number_display"] is None
    if "finance" in answer["settling"]:
        assert answer["finance"]["state"] == "reserved"

    final = await settled(stack, doc["id"])
    assert final["number_display"] and final["finance"]["state"] == "committed"
    for name, key in (("number", "number_display"), ("finance", "finance")):
        if name not in answer["settling"]:  # what the answer did not call pending was already final
            assert answer[key] == final[key], (key, answer[key], final[key])


async def test_a_send_back_answer_states_the_release_as_settling_or_released(
    counted: CountedStack, finance_url: str
) -> None:
    stack = counted.stack
    code = await budget_line(finance_url, 5_000_000)
    doc = await stack.submitted(DRAFTER, amount_yen=1_500_000, budget_code=code)
    answer, _ = await counted.act(MANAGER, doc["id"], "send_back", comment="差戻し")
    assert answer["status"] == "sent_back"
    assert_agrees(answer, await read(stack, doc["id"]))
    expected = "reserved" if "finance" in answer["settling"] else "released"
    assert answer["finance"]["state"] == expected
    assert (await settled(stack, doc["id"]))["finance"]["state"] == "released"


async def test_one_press_of_approve_on_the_page(counted: CountedStack, finance_url: str) -> None:
    """承認 on the document page: the form post and the page it leads back to, each on its one session."""
    stack = counted.stack
    code = await budget_line(finance_url, 5_000_000)
    doc = await stack.submitted(DRAFTER, amount_yen=1_500_000, budget_code=code)
    browser = await sign_in(stack, MANAGER)
    try:
        await browser.get(f"/documents/{doc['id']}")
        counted.checkouts.reset()
        form = {"choice": "approve", "comment": "", "idempotency_key": str(uuid.uuid4())}
        posted = await browser.post(f"/documents/{doc['id']}/act", form)
        assert posted.status_code == 303, posted.text
        post_sessions = counted.checkouts.count
        page = await browser.get(posted.headers["location"])
        assert page.status_code == 200
        costs = {"post": post_sessions, "page": counted.checkouts.count - post_sessions}
    finally:
        await browser.http.aclose()
    print(f"database sessions for one press of 承認 on the page: {costs}")
    assert costs["post"] <= MAX_SESSIONS_PER_ACTION, costs
    assert sum(costs.values()) <= MAX_PAGE_PRESS_SESSIONS, costs
