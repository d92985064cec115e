"""The SDK's tracing interceptor, with one change: a workflow update is traced in its caller's trace.

``temporalio.contrib.opentelemetry.TracingInterceptor`` puts every span of a workflow (its run, its signals and
updates, the activities they start) into the trace that *started* the workflow, and only links an update to
its caller.  A document lives for weeks and takes many decisions; each decision is one HTTP request, and an
operator wants that request's trace to show the update handler and the projection it awaited.  So update
validators and handlers (and what they start) run here under the context their caller sent in the update's
headers; everything else is the SDK's behaviour.  Imported only when tracing is on (core/telemetry.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

import opentelemetry.context
import opentelemetry.trace
import temporalio.api.common.v1
import temporalio.worker
from temporalio.contrib.opentelemetry import TracingInterceptor, TracingWorkflowInboundInterceptor


class DecisionTracingInterceptor(TracingInterceptor):
    def workflow_interceptor_class(
        self, input: temporalio.worker.WorkflowInterceptorClassInput
    ) -> type[TracingWorkflowInboundInterceptor]:
        super().workflow_interceptor_class(input)  # registers the SDK's span extern
        return _UpdatesInCallersTrace


class _UpdatesInCallersTrace(TracingWorkflowInboundInterceptor):
    @contextlib.contextmanager
    def _caller_context(self, headers: Mapping[str, temporalio.api.common.v1.Payload]) -> Iterator[bool]:
        """Attach the caller's context from ``headers``; yields False (nothing attached) without one."""
        header = headers.get(self.header_key)
        if not header:
            yield False
            return
        carrier = self.payload_converter.from_payloads([header])[0]
        context = self._set_on_context(self.text_map_propagator.extract(carrier))
        token = opentelemetry.context.attach(context)
        try:
            yield True
        finally:
            with contextlib.suppress(ValueError):  # detached elsewhere when an evicted workflow is collected
                opentelemetry.context.detach(token)

    def handle_update_validator(self, input: temporalio.worker.HandleUpdateInput) -> None:
        with self._caller_context(input.headers) as attached:
            if not attached:
                super().handle_update_validator(input)
                return
            self._completed_span(f"ValidateUpdate:{input.update}", kind=opentelemetry.trace.SpanKind.SERVER)
            self.next.handle_update_validator(input)

    async def handle_update_handler(self, input: temporalio.worker.HandleUpdateInput) -> Any:
        with self._caller_context(input.headers) as attached:
            if not attached:
                return await super().handle_update_handler(input)
            self._completed_span(f"HandleUpdate:{input.update}", kind=opentelemetry.trace.SpanKind.SERVER)
            return await self.next.handle_update_handler(input)
