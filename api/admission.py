"""Admission control at the door of one API process (domain/admission.py decides).

An ASGI middleware counting the updating requests the process works on; one past ``RINGI_MAX_INFLIGHT_UPDATES``
is answered 503 problem+json with ``Retry-After`` right away, before the application sees it (so nothing of it is
written, nothing half-applied).  The count is per process (two API processes each take their cap): one event loop,
no lock needed.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from api.problems import problem
from domain.admission import admits, is_updating


class AdmissionControl:
    def __init__(self, app: ASGIApp, max_inflight_updates: int, retry_after_seconds: int = 1) -> None:
        self.app = app
        self.cap = max_inflight_updates
        self.retry_after_seconds = retry_after_seconds
        #: Updating requests admitted and not yet answered.
        self.in_flight = 0
        #: Requests shed since the start (for tests and /metrics readers).
        self.shed = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_updating(scope.get("method", "GET")):
            await self.app(scope, receive, send)
            return
        if not admits(self.in_flight, self.cap):
            self.shed += 1
            response = problem(
                503,
                "Overloaded",
                f"this API process is working on {self.in_flight} updating requests, its limit: nothing was done;"
                " retry after the Retry-After seconds with the same Idempotency-Key",
                headers={"Retry-After": str(self.retry_after_seconds)},
            )
            await response(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
