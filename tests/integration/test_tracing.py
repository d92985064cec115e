"""One decision is one trace: the API's request span -> the client's update span -> the workflow's update
handler -> the activities it runs, all under the same trace id (spans kept in memory instead of OTLP)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from api.app import create_app
from core.settings import Settings
from core.telemetry import temporal_interceptors, tracer_provider
from tests.support.serve import serve_app
from tests.support.stack import Stack, holder, in_process_worker, settings_for

ACTIONS_ROUTE = "POST /v1/documents/{document_id}/actions"


def tree(spans: list[ReadableSpan]) -> str:
    """The spans as an indented tree (what the test prints with -s)."""
    children: dict[int | None, list[ReadableSpan]] = {}
    ids = {span.context.span_id for span in spans}
    for span in sorted(spans, key=lambda s: s.start_time or 0):
        parent = span.parent.span_id if span.parent is not None and span.parent.span_id in ids else None
        children.setdefault(parent, []).append(span)
    lines: list[str] = []

    def walk(parent: int | None, depth: int) -> None:
        for span in children.get(parent, []):
            lines.append(f"{'  ' * depth}{span.name}  trace={span.context.trace_id:032x}")
            walk(span.context.span_id, depth + 1)

    walk(None, 0)
    return "\n".join(lines)


async def finished(exporter: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    """The spans so far, once one named ``name`` has ended (a worker thread may still be closing it)."""
    for _ in range(100):
        spans = list(exporter.get_finished_spans())
        if any(span.name == name for span in spans):
            return spans
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {name} span among {[s.name for s in exporter.get_finished_spans()]}")


async def test_one_decision_is_one_trace_from_the_api_into_the_activities(
    seeded_database_url: str, temporal_client: Client, hr_url: str, tmp_path: Path
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    traced = Client(
        temporal_client.service_client,
        namespace=temporal_client.namespace,
        data_converter=pydantic_data_converter,
        interceptors=temporal_interceptors(provider),
    )
    settings = settings_for(database_url=seeded_database_url, temporal=traced, hr_url=hr_url, data_dir=tmp_path)
    drafter, manager = holder("somu.somu", "staff"), holder("somu.somu", "manager")
    async with (
        in_process_worker(settings, traced),
        serve_app(create_app(settings, traces=provider)) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as http,
    ):
        stack = Stack(settings=settings, api_url=url, temporal=traced, http=http)
        doc = await stack.submitted(drafter, amount_yen=300_000)  # 課長 decides alone
        await stack.token(manager)
        exporter.clear()
        await stack.ok(manager, doc["id"], "approve")
        spans = await finished(exporter, "RunActivity:project_document")

    print(f"\n{tree(spans)}")
    by_name = {span.name: span for span in spans}
    request = by_name[ACTIONS_ROUTE]
    assert request.parent is None  # the API's server span is the root
    path = [ACTIONS_ROUTE, "StartWorkflowUpdate:act", "HandleUpdate:act", "RunActivity:project_document"]
    assert all(name in by_name for name in path), sorted(by_name)
    assert {by_name[name].context.trace_id for name in path} == {request.context.trace_id}
    update, handler = by_name["StartWorkflowUpdate:act"], by_name["HandleUpdate:act"]
    assert update.parent is not None and update.parent.span_id == request.context.span_id
    assert handler.parent is not None and handler.parent.span_id == update.context.span_id


def test_tracing_is_off_unless_an_endpoint_is_set(tmp_path: Path) -> None:
    off = Settings(data_dir=tmp_path)
    assert tracer_provider(off, "api") is None
    assert temporal_interceptors(None) == []
    on = Settings(data_dir=tmp_path, otel_endpoint="http://127.0.0.1:4317")
    provider = tracer_provider(on, "api")
    assert provider is not None
    provider.shutdown()
