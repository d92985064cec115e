"""Prometheus metrics of the API: requests, latencies and problems (middleware), ringi's own figures (collector).

Each API process keeps its own registry (no module-level state: two apps in one test process do not mix).  The
request metrics are labelled by route template (``/v1/documents/{document_id}``), never by the raw path, so a
scan of random URLs cannot blow up the label set.  ringi's figures come from the database at scrape time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from db.repositories.operations import OperationsSnapshot

UNMATCHED = "<unmatched>"
PROBLEM_JSON = b"application/problem+json"
#: Problem bodies are small; a bigger one is not ours and is not parsed.
PROBLEM_MAX_BYTES = 16_384
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class RingiCollector(Collector):
    """ringi's own figures, from the latest snapshot the /metrics route took (ages relative to its moment)."""

    def __init__(self) -> None:
        self._snapshot: OperationsSnapshot | None = None
        self._at: datetime | None = None

    def update(self, snapshot: OperationsSnapshot, at: datetime) -> None:
        self._snapshot, self._at = snapshot, at

    def collect(self) -> Iterator[Metric]:
        snapshot, at = self._snapshot, self._at
        if snapshot is None or at is None:
            return
        decisions = CounterMetricFamily(
            "ringi_decisions",
            "Decisions taken on documents (承認, 同意, 異議, 差戻し, 却下, 引上げ承認, 代決), by action.",
            labels=["action"],
        )
        for action, count in sorted(snapshot.decisions_by_action.items()):
            decisions.add_metric([action], count)
        yield decisions
        documents = GaugeMetricFamily("ringi_documents", "Documents by status.", labels=["status"])
        for status, count in sorted(snapshot.documents_by_status.items()):
            documents.add_metric([status], count)
        yield documents
        yield GaugeMetricFamily(
            "ringi_outbox_depth", "Notices not yet delivered (unplanned or retrying).", value=snapshot.outbox_depth
        )
        yield GaugeMetricFamily(
            "ringi_outbox_oldest_age_seconds",
            "Age of the oldest undelivered notice (0 when none waits).",
            value=_age(snapshot.oldest_undelivered_at, at),
        )
        yield GaugeMetricFamily(
            "ringi_oldest_pending_step_age_seconds",
            "How long the longest-waiting pending step has waited (0 when none is pending).",
            value=_age(snapshot.oldest_pending_step_since, at),
        )


def _age(since: datetime | None, at: datetime) -> float:
    return 0.0 if since is None else max((at - since).total_seconds(), 0.0)


class ApiMetrics:
    """The registry of one API process and what it holds."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ringi_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "ringi_http_request_duration_seconds",
            "Time from request to the end of the response, by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.problems = Counter(
            "ringi_http_problems",
            "RFC 9457 problem responses, by route template, status and problem title.",
            ["route", "status", "title"],
            registry=self.registry,
        )
        self.ringi = RingiCollector()
        self.registry.register(self.ringi)


def route_template(scope: Scope) -> str:
    """The template of the route that served ``scope`` (``/v1/documents/{document_id}``), once routing ran; a
    mounted app (static files) by its mount path; else UNMATCHED (404 scans share one label)."""
    path = getattr(scope.get("route"), "path", None)
    if path:
        return str(path)
    if scope.get("endpoint") is not None and scope.get("root_path"):
        return str(scope["root_path"])
    return UNMATCHED


class MetricsMiddleware:
    """Counts and times every HTTP request; reads the title of problem+json answers (they are small)."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        problem: bytearray | None = None

        async def observed(message: Message) -> None:
            nonlocal status, problem
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = dict(message.get("headers", ()))
                if headers.get(b"content-type", b"").startswith(PROBLEM_JSON):
                    problem = bytearray()
            elif message["type"] == "http.response.body" and problem is not None and len(problem) < PROBLEM_MAX_BYTES:
                problem += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            route = route_template(scope)  # the router has filled in the scope
            method = str(scope.get("method", ""))
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)
            if problem is not None:
                self.metrics.problems.labels(route, str(status), _title(bytes(problem))).inc()


def _title(body: bytes) -> str:
    try:
        title = json.loads(body).get("title", "")
    except (ValueError, AttributeError):
        return ""
    return str(title)[:80]
