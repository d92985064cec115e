"""Readiness (GET /ready): is every system ringi needs answering?  Each is asked once, concurrently, briefly.

The database answers ``SELECT 1``; Temporal describes the namespace the API works in; HR and finance answer their
health check.  A dependency that fails or does not answer within ``CHECK_TIMEOUT_SECONDS`` is down,
with the reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import text
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest

from api.deps import AppState

#: Long enough for a busy box, short enough for a load balancer's probe (each check runs at the same time).
CHECK_TIMEOUT_SECONDS = 2.0
REASON_MAX_CHARS = 200


@dataclass(frozen=True)
class Check:
    """One dependency's state: ``up``, or ``down`` with the reason."""

    state: str
    reason: str = ""

    @property
    def up(self) -> bool:
        return self.state == "up"


async def check_dependencies(app: AppState, within: float = CHECK_TIMEOUT_SECONDS) -> dict[str, Check]:
    """``{"database": …, "temporal": …, "hr": …, "finance": …}``, every check run concurrently."""
    probes: dict[str, Callable[[], Awaitable[object]]] = {
        "database": lambda: _database(app),
        "temporal": lambda: _temporal(app, within),
        "hr": lambda: app.hr.ping(within=within),
        "finance": lambda: app.finance.ping(within=within),
    }
    results = await asyncio.gather(*(_checked(probe, within) for probe in probes.values()))
    return dict(zip(probes, results, strict=True))


async def _checked(probe: Callable[[], Awaitable[object]], within: float) -> Check:
    try:
        async with asyncio.timeout(within):
            await probe()
    except TimeoutError:
        return Check("down", f"no answer within {within:g} s")
    except Exception as exc:  # whatever the failure, the dependency is down and the reason is reported
        return Check("down", f"{type(exc).__name__}: {exc}"[:REASON_MAX_CHARS])
    return Check("up")


async def _database(app: AppState) -> None:
    async with app.sessions() as session:
        await session.execute(text("SELECT 1"))


async def _temporal(app: AppState, within: float) -> None:
    namespace = app.settings.temporal_namespace
    await app.temporal.workflow_service.describe_namespace(
        DescribeNamespaceRequest(namespace=namespace), timeout=timedelta(seconds=within)
    )
