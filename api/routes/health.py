"""GET /health (the process is alive) and GET /ready (its dependencies answer): for load balancers and
orchestrators, unauthenticated, outside /v1 and outside the OpenAPI document (as /metrics)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from api.deps import StateDep
from api.problems import problem
from api.services.readiness import check_dependencies

router = APIRouter(tags=["operations"])


@router.get("/health", include_in_schema=False)
async def health() -> dict[str, str]:
    """Alive: answers as long as the process serves HTTP, whatever its dependencies do."""
    return {"status": "ok"}


@router.get("/ready", include_in_schema=False)
async def ready(app: StateDep) -> Response:
    """200 when the database, Temporal, HR and finance all answer; else 503 naming each one that does not."""
    checks = await check_dependencies(app)
    body: dict[str, Any] = {
        name: {"state": check.state, **({"reason": check.reason} if check.reason else {})}
        for name, check in checks.items()
    }
    down = [name for name, check in checks.items() if not check.up]
    if down:
        detail = "; ".join(f"{name} is down ({checks[name].reason})" for name in down)
        return problem(503, "Service unavailable", detail, headers={"Retry-After": "5"}, checks=body)
    return JSONResponse({"status": "ready", "checks": body})
