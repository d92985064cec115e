"""Admission control at the door (api/admission.py): past the cap of in-flight updating requests, 503 + Retry-After
at once, before the application sees the request; reads pass; the slot frees when the answer is sent.

Held requests are simulated with an application that waits on an event: no real load, no stack.
"""

from __future__ import annotations

import asyncio

import httpx
from starlette.types import Receive, Scope, Send

from api.admission import AdmissionControl
from api.app import create_app
from core.settings import Settings


class Held:
    """An ASGI app that answers 200 once ``release`` is set, counting the requests it was given."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.seen: list[str] = []
        self.entered = 0
        self.arrived = asyncio.Condition()

    async def until_entered(self, count: int) -> None:
        async with asyncio.timeout(5), self.arrived:
            await self.arrived.wait_for(lambda: self.entered >= count)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.seen.append(f"{scope['method']} {scope['path']}")
        self.entered += 1
        async with self.arrived:
            self.arrived.notify_all()
        if scope["method"] != "GET":
            await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"done"})


async def test_past_the_cap_an_update_is_shed_at_once_and_never_reaches_the_app() -> None:
    held = Held()
    door = AdmissionControl(held, max_inflight_updates=2, retry_after_seconds=3)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=door), base_url="http://t") as http:
        first = asyncio.create_task(http.post("/v1/documents/a/actions", json={}))
        second = asyncio.create_task(http.patch("/v1/documents/b", json={}))
        await held.until_entered(2)
        assert door.in_flight == 2

        shed = await asyncio.wait_for(http.post("/v1/documents/c/actions", json={}), 1.0)
        assert shed.status_code == 503
        assert shed.headers["content-type"] == "application/problem+json"
        assert shed.headers["retry-after"] == "3"
        assert "nothing was done" in shed.json()["detail"]
        assert "POST /v1/documents/c/actions" not in held.seen  # refused before the app read anything
        assert door.shed == 1

        read = await asyncio.wait_for(http.get("/v1/documents/a"), 1.0)  # reads are never shed
        assert read.status_code == 200

        held.release.set()
        assert (await first).status_code == 200 and (await second).status_code == 200
        assert door.in_flight == 0
        again = await http.post("/v1/documents/c/actions", json={})  # the slots are free again
        assert again.status_code == 200


async def test_a_failing_request_frees_its_slot() -> None:
    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("boom")

    door = AdmissionControl(broken, max_inflight_updates=1)
    transport = httpx.ASGITransport(app=door, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        for _ in range(3):
            assert (await http.post("/x")).status_code == 500
    assert door.in_flight == 0 and door.shed == 0


async def test_cap_zero_admits_everything() -> None:
    held = Held()
    door = AdmissionControl(held, max_inflight_updates=0)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=door), base_url="http://t") as http:
        tasks = [asyncio.create_task(http.post(f"/v1/x/{i}")) for i in range(20)]
        await held.until_entered(20)
        held.release.set()
        assert [r.status_code for r in await asyncio.gather(*tasks)] == [200] * 20


def test_the_app_takes_its_cap_from_the_settings() -> None:
    app = create_app(Settings(max_inflight_updates=7, overload_retry_after_seconds=2))
    [door] = [m for m in app.user_middleware if m.cls is AdmissionControl]
    assert door.kwargs == {"max_inflight_updates": 7, "retry_after_seconds": 2}
