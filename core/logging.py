"""structlog configuration: JSON lines to stderr, contextvars merged (``document_id`` is bound per request).

One process emits one format: ringi's own events go straight through structlog, and every stdlib logger (uvicorn,
temporalio, alembic, httpx …) reaches the root handler, whose ``ProcessorFormatter`` renders the record with the
same renderer: ``{"event": …, "level": …, "logger": …, "timestamp": …}``.  The Temporal core's own (Rust) log lines
are forwarded into the ``temporalio.core`` stdlib logger (core/telemetry.py) and so come out the same way.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO, cast

import structlog

#: What every line carries, whichever logger made it.
_SHARED: tuple[structlog.typing.Processor, ...] = (
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
)


class _Stderr:
    """Whatever ``sys.stderr`` is when a line is written, not when logging was configured: a cached logger must
    not outlive a replaced stream (a test runner's capture, a CLI runner's buffer) and write to a closed file."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(level: str = "INFO", *, json: bool = True, stream: TextIO | None = None) -> None:
    """Configure structlog and the stdlib root logger once, at process start (never at import); ``stream``
    defaults to stderr (as it is at each write)."""
    stream = stream or cast(TextIO, _Stderr())
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False) if json else structlog.dev.ConsoleRenderer()
    )
    numeric = logging.getLevelName(level.upper())
    structlog.configure(
        processors=[
            *_SHARED,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=True,
    )
    root = logging.getLogger()
    root.handlers[:] = [stdlib_handler(renderer, stream)]
    root.setLevel(numeric)
    # uvicorn's own dictConfig (applied by any ``uvicorn.Config`` built without ``log_config=None``) gives its
    # loggers plain-text handlers and stops them propagating: hand them back to the root handler.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        served = logging.getLogger(name)
        served.handlers.clear()
        served.propagate = True
    # One line per HTTP call to HR or finance is noise (and CPU) at INFO.
    for chatty in ("httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, numeric))


def stdlib_handler(renderer: structlog.typing.Processor, stream: TextIO) -> logging.Handler:
    """A handler rendering stdlib records as structlog does its events (the logger's name as ``logger``)."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*_SHARED, structlog.stdlib.add_logger_name],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    return handler


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]
