"""Serve an ASGI app over real HTTP, in-process, for the length of an ``async with`` (tests and benchmarks).

    async with serve_app(create_app(tmp_path / "hr.db")) as base_url:
        async with HttpHrClient(base_url) as hr:
            ...

uvicorn runs as a task on the running event loop, bound to a free port on 127.0.0.1 (the socket is bound
before the server starts, so there is no race for the port).  The app's lifespan runs on entry and exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Generator
from typing import Any

import uvicorn
from starlette.types import ASGIApp


def server_config(app: ASGIApp | str, **options: Any) -> uvicorn.Config:
    """uvicorn's configuration for every ringi server (``ringi api``, the stubs, tests, benchmarks).

    uvicorn's own proxy handling is off: by default it rewrites the client address from ``X-Forwarded-For`` for
    any request from loopback, whatever ``RINGI_TRUSTED_PROXIES`` says, so a local process could choose its own
    address.  ringi walks the header itself, past the trusted proxies only (api/origin.py, core/network.py):
    that one walk is the client address of the office check, TOTP enrolment and the access log."""
    return uvicorn.Config(app, **options, proxy_headers=False, forwarded_allow_ips="")


class _InProcessServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to its host (Ctrl+C still stops pytest or the bench)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


async def _run(server: uvicorn.Server, sock: socket.socket) -> None:
    try:
        await server.serve(sockets=[sock])
    except SystemExit as exc:  # uvicorn exits the process when the lifespan startup fails
        raise RuntimeError(f"server failed to start (exit code {exc.code})") from exc


@contextlib.asynccontextmanager
async def serve_app(app: ASGIApp, *, startup_timeout: float = 10.0) -> AsyncIterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 and yield its base URL (``http://127.0.0.1:PORT``)."""
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only then (else every response waits ~40 ms for an ACK).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # log_config=None: leave the global logging configuration alone (caplog, structlog).
    config = server_config(app, lifespan="on", log_config=None, log_level="warning", access_log=False)
    server = _InProcessServer(config)
    task = asyncio.create_task(_run(server, sock), name=f"uvicorn:{port}")
    try:
        async with asyncio.timeout(startup_timeout):
            while not server.started:
                if task.done():
                    task.result()  # raises the startup error
                    raise RuntimeError("server stopped before it started")
                await asyncio.sleep(0.01)
    except BaseException:
        await _stop(server, task, sock, quiet=True)
        raise
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await _stop(server, task, sock, quiet=False)


async def _stop(server: uvicorn.Server, task: asyncio.Task[None], sock: socket.socket, *, quiet: bool) -> None:
    server.should_exit = True
    try:
        if quiet:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, timeout=10)
        else:
            await asyncio.wait_for(task, timeout=10)
    finally:
        sock.close()
