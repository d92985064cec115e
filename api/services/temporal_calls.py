"""Calling DocumentWorkflow from the API: bounded waits and Temporal failures mapped to HTTP meanings."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

import structlog
from temporalio.client import WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.exceptions import TimeoutError as TemporalTimeoutError
from temporalio.service import RPCError, RPCStatusCode

from core.errors import Conflict, Forbidden, Invalid, NotFound, RingiError, Unavailable

log = structlog.get_logger("ringi.api.temporal")

T = TypeVar("T")

_REFUSALS: dict[str, type[RingiError]] = {"Forbidden": Forbidden, "Conflict": Conflict, "Invalid": Invalid}


class WorkflowGone(Exception):
    """The workflow does not exist or has already closed."""


async def bounded(call: Awaitable[T], *, within_seconds: float) -> T:
    """Await a workflow call for at most ``within_seconds``; translate every Temporal failure."""
    try:
        return await asyncio.wait_for(call, timeout=within_seconds)
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError) as exc:
        raise _busy() from exc
    except WorkflowUpdateFailedError as exc:
        raise refusal(exc.cause) from exc
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise WorkflowGone(exc.message) from exc
        if exc.status in (
            RPCStatusCode.DEADLINE_EXCEEDED,
            RPCStatusCode.UNAVAILABLE,
            RPCStatusCode.CANCELLED,
        ):
            raise _busy() from exc
        # RESOURCE_EXHAUSTED: too many updates in flight; FAILED_PRECONDITION: the workflow task is failing
        # (a worker problem, e.g. mid-deploy): both pass, so the client retries with the same key.
        if exc.status in (RPCStatusCode.RESOURCE_EXHAUSTED, RPCStatusCode.FAILED_PRECONDITION):
            raise _busy() from exc
        raise
    except RuntimeError as exc:
        # The lazy client's first connection (api/app.py) failing while Temporal is down or restarting: the SDK
        # raises a bare RuntimeError, not an RPCError.  Found by bench/chaos.py (it answered 500).
        if str(exc).startswith(CONNECT_FAILED):
            raise _busy() from exc
        raise


#: How the Temporal SDK's bridge words a connection that could not be made.
CONNECT_FAILED = "Failed client connect"


def _busy() -> Unavailable:
    return Unavailable("the approval engine did not answer in time; retry with the same Idempotency-Key")


def refusal(cause: BaseException | None) -> RingiError:
    """What the workflow refused, as the API's error (the validator's reason becomes ``detail``)."""
    if isinstance(cause, ActivityError):
        inner = cause.cause
        if isinstance(inner, ApplicationError) and inner.type == "RouteUnresolvable":
            return Conflict(f"no route can be resolved for this document: {inner.message}")
        if isinstance(inner, TemporalTimeoutError):
            return Unavailable("a system the approval depends on (HR) is not answering; retry later")
    if isinstance(cause, ApplicationError):
        return _REFUSALS.get(cause.type or "", Conflict)(cause.message)
    log.error("api.unmapped_workflow_failure", cause=repr(cause))
    return Conflict(str(cause) if cause else "the approval engine refused the action")


def not_found(document_id: str) -> NotFound:
    return NotFound(f"no document {document_id}")
