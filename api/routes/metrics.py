"""GET /metrics: Prometheus text exposition (requests, latencies, problems and ringi's own figures)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import SessionDep
from api.metrics import ApiMetrics
from db.repositories.operations import OperationsRepository

router = APIRouter(tags=["operations"])


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, session: SessionDep) -> Response:
    """Scraped by Prometheus; the database figures are counted now."""
    registry: ApiMetrics = request.app.state.metrics
    registry.ringi.update(await OperationsRepository(session).snapshot(), datetime.now(UTC))
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)
