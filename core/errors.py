"""Error types that carry their HTTP meaning; the API renders them once as RFC 9457 problem details."""

from __future__ import annotations

from typing import Any


class RingiError(Exception):
    """Base class: ``status`` is the HTTP status, ``title`` the short problem title, ``detail`` the reason."""

    status: int = 400
    title: str = "Bad request"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra  # extension members of the problem details (RFC 9457 §3.2)


class Invalid(RingiError):
    status = 422
    title = "Invalid input"


class Unauthorized(RingiError):
    status = 401
    title = "Not authenticated"


class Forbidden(RingiError):
    status = 403
    title = "Forbidden"


class NotFound(RingiError):
    status = 404
    title = "Not found"


class Conflict(RingiError):
    status = 409
    title = "Conflict"


class Unavailable(RingiError):
    status = 503
    title = "Service unavailable"

    def __init__(self, detail: str, *, retry_after_seconds: int = 2) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after_seconds)})


class TooManyAttempts(RingiError):
    """Sign-in locked after repeated failures (ロックアウト): retry after ``Retry-After`` seconds."""

    status = 429
    title = "Too many failed sign-ins"

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after_seconds)})
