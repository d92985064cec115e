"""Traces (OpenTelemetry, exported by OTLP) and the Temporal SDK's own Prometheus metrics: both off unless set.

When ``RINGI_OTEL_ENDPOINT`` (or the standard ``OTEL_EXPORTER_OTLP_ENDPOINT``) is empty nothing here is even
imported: no provider, no interceptor, no instrumentation, so tracing costs nothing when it is off.  When set,
one decision is one trace: the API's request span, the client's update span, the workflow's update handler and
the activities it runs (the SDK's ``TracingInterceptor`` carries the context through Temporal headers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.settings import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from temporalio.client import Interceptor
    from temporalio.runtime import LoggingConfig, Runtime

#: Requests that would only add noise to the traces (probes and scrapes).
UNTRACED_URLS = "health,ready,metrics,static"


def tracer_provider(settings: Settings, component: str) -> TracerProvider | None:
    """A provider exporting by OTLP/gRPC to the configured endpoint, or None when tracing is off."""
    if not settings.otel_endpoint:
        return None
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create({"service.name": settings.otel_service_name, "service.namespace": "ringi"})
    provider = TracerProvider(resource=resource.merge(Resource.create({"ringi.component": component})))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otel_endpoint)))
    return provider


def temporal_interceptors(provider: TracerProvider | None) -> list[Interceptor]:
    """The SDK's tracing interceptor on a client (a worker built on that client traces workflows and activities),
    with updates traced in their caller's trace (core/update_tracing.py)."""
    if provider is None:
        return []
    from core.update_tracing import DecisionTracingInterceptor

    return [DecisionTracingInterceptor(provider.get_tracer("ringi.temporal"))]


def instrument_api(app: object, provider: TracerProvider | None) -> None:
    """A server span per request (named by route template), parent of the Temporal calls the request makes."""
    if provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=UNTRACED_URLS)  # type: ignore[arg-type]


def temporal_runtime(settings: Settings) -> Runtime | None:
    """A runtime whose core exposes the SDK's metrics (task latencies, slots, polls…) for Prometheus at
    ``RINGI_WORKER_METRICS_ADDRESS``; None (the default runtime, no metrics endpoint) when unset."""
    if not settings.worker_metrics_address:
        return None
    from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

    metrics = PrometheusConfig(bind_address=settings.worker_metrics_address, durations_as_seconds=True)
    return Runtime(telemetry=TelemetryConfig(metrics=metrics, logging=_forwarded_core_logs()))


def forward_temporal_core_logs() -> None:
    """Make the default Temporal runtime forward its core's (Rust) log lines to the ``temporalio.core`` stdlib
    logger, so they come out as JSON with everything else (core/logging.py) instead of as plain text.  Call at
    process start, before any client connects (a runtime already in use keeps its configuration)."""
    from temporalio.runtime import Runtime, TelemetryConfig

    Runtime.set_default(Runtime(telemetry=TelemetryConfig(logging=_forwarded_core_logs())), error_if_already_set=False)


def _forwarded_core_logs() -> LoggingConfig:
    import logging

    from temporalio.runtime import LogForwardingConfig, LoggingConfig, TelemetryFilter

    return LoggingConfig(
        filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
        forwarding=LogForwardingConfig(logger=logging.getLogger("temporalio.core")),
    )
