"""How a refusal of the rules leaves a workflow: an ApplicationError whose type the API maps to an HTTP status."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from temporalio.exceptions import ApplicationError

from domain.errors import ChainError

#: ApplicationError types the API maps to HTTP statuses.
REFUSAL_TYPES = {"forbidden": "Forbidden", "conflict": "Conflict", "invalid": "Invalid"}


def refusal(error: ChainError) -> ApplicationError:
    return ApplicationError(error.reason, type=REFUSAL_TYPES[error.kind], non_retryable=True)


def conflict(reason: str) -> ApplicationError:
    return ApplicationError(reason, type=REFUSAL_TYPES["conflict"], non_retryable=True)


@contextmanager
def refused_as_application_error() -> Iterator[None]:
    """Inside: a ``ChainError`` of the rules leaves as the ApplicationError the API maps (see ``refusal``)."""
    try:
        yield
    except ChainError as error:
        raise refusal(error) from error
