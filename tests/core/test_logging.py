"""One format per process: uvicorn's and temporalio's stdlib records come out as structlog's JSON lines."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from core.logging import configure_logging, get_logger


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """What the process writes, with ``configure_logging`` as a command runs it; then the runner's logging."""
    root = logging.getLogger()
    handlers, level, config = root.handlers[:], root.level, structlog.get_config()
    # Another test of this process may have started uvicorn (it sets its loggers' level): as at a process start.
    named = {name: logging.getLogger(name).level for name in ("uvicorn", "uvicorn.error", "temporalio")}
    for name in named:
        logging.getLogger(name).setLevel(logging.NOTSET)
    written = io.StringIO()
    configure_logging("INFO", json=True, stream=written)
    try:
        yield written
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.configure(**config)
        for name, was in named.items():
            logging.getLogger(name).setLevel(was)


def lines(output: io.StringIO) -> list[dict[str, Any]]:
    """Every line parsed as JSON (a plain-text line fails the test)."""
    return [json.loads(line) for line in output.getvalue().splitlines() if line.strip()]


def test_uvicorn_and_temporalio_records_are_json_lines(output: io.StringIO) -> None:
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 4242)
    logging.getLogger("temporalio.worker._workflow_instance").warning("Workflow task failed: %s", "boom")
    logging.getLogger("temporalio.core").debug("below the level: dropped")

    uvicorn, temporalio = lines(output)
    assert uvicorn["event"] == "Started server process [4242]"
    assert uvicorn["level"] == "info" and uvicorn["logger"] == "uvicorn.error"
    assert temporalio["event"] == "Workflow task failed: boom"
    assert temporalio["level"] == "warning" and temporalio["logger"].startswith("temporalio.")
    assert uvicorn["timestamp"].endswith("Z")


def test_ringi_events_and_stdlib_records_share_the_shape(output: io.StringIO) -> None:
    get_logger("ringi.test").info("document.submitted", document_id="d1")
    try:
        raise RuntimeError("broken")
    except RuntimeError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")

    ours, theirs = lines(output)
    assert ours["event"] == "document.submitted" and ours["document_id"] == "d1"
    assert {"event", "level", "timestamp"} <= set(ours) & set(theirs)
    assert theirs["level"] == "error" and "RuntimeError: broken" in theirs["exception"]
