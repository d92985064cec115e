"""Admission control (過負荷時の受付制限), pure: whether one API process takes on another request now.

An API process works on at most ``cap`` updating requests (POST, PUT, PATCH, DELETE) at once.  One more is shed at
the door — answered 503 with a Retry-After before the application reads it, so nothing of it is written — rather
than queued behind the others: past saturation, the latency of accepted requests stays bounded and clients retry
(with the same Idempotency-Key) instead of waiting on a queue that only grows.  Reads are never shed: they do not
touch the workflows, and a person must still be able to see what is going on.  ``/health`` and ``/metrics`` are
reads.  A cap of 0 switches the control off.

No I/O, no clock: the number in flight is an argument.
"""

from __future__ import annotations

UPDATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def is_updating(method: str) -> bool:
    """True for the methods admission control counts."""
    return method.upper() in UPDATING_METHODS


def admits(in_flight: int, cap: int) -> bool:
    """Whether a process working on ``in_flight`` updating requests takes on one more (``cap`` 0: always)."""
    return cap <= 0 or in_flight < cap
