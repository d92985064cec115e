"""The ``ringi`` command and the ``ringi dev`` supervisor (process handling, the real Temporal dev server)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.dev import (
    ManagedProcess,
    Stack,
    StackError,
    build_processes,
    find_temporal,
    format_banner,
    host_port,
    ports_in_use,
    start_stack,
    temporal_argv,
    url_host_port,
)
from cli.main import app
from core.settings import Settings

COMMANDS = ("dev", "worker", "api", "migrate", "seed", "stub")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "temporal_address": f"127.0.0.1:{free_port()}",
        "temporal_ui_port": free_port(),
        "api_port": free_port(),
        "hr_url": f"http://127.0.0.1:{free_port()}",
        "finance_url": f"http://127.0.0.1:{free_port()}",
    }
    return Settings(_env_file=None, **(values | overrides))


def python_child(tmp_path: Path, name: str, code: str, ready: bool = True) -> ManagedProcess:
    return ManagedProcess(
        name=name,
        argv=[sys.executable, "-c", code],
        log_path=tmp_path / "logs" / f"{name}.log",
        ready=lambda: ready,
    )


# --------------------------------------------------------------------------- the command


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output


def test_stub_takes_hr_or_finance() -> None:
    result = CliRunner().invoke(app, ["stub", "--help"])
    assert result.exit_code == 0
    assert "hr" in result.output and "finance" in result.output
    assert CliRunner().invoke(app, ["stub", "payroll"]).exit_code != 0


def test_python_dash_m_runs_the_cli() -> None:
    """``ringi dev`` starts its children as ``python -m cli.main ...``."""
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "worker" in done.stdout


# --------------------------------------------------------------------------- addresses and command lines


def test_addresses_parse() -> None:
    assert host_port("127.0.0.1:7300") == ("127.0.0.1", 7300)
    assert host_port("temporal:7233") == ("temporal", 7233)
    assert url_host_port("http://hr-stub:8101") == ("hr-stub", 8101)
    assert url_host_port("https://finance.example") == ("finance.example", 443)
    with pytest.raises(ValueError):
        host_port("7233")


def test_temporal_executable_is_located() -> None:
    temporal = find_temporal()
    assert temporal.name.startswith("temporal") and os.access(temporal, os.X_OK)
    done = subprocess.run([temporal, "--version"], capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0 and "temporal version" in done.stdout


def test_temporal_argv_follows_settings(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, temporal_address="127.0.0.1:7300", temporal_ui_port=8300)
    argv = temporal_argv(settings, Path("/bin/temporal"))
    assert argv[:3] == ["/bin/temporal", "server", "start-dev"]
    assert "--ip" in argv and argv[argv.index("--ip") + 1] == "127.0.0.1"
    assert argv[argv.index("--port") + 1] == "7300"
    assert argv[argv.index("--ui-port") + 1] == "8300"
    assert argv[argv.index("--db-filename") + 1] == str(settings.data_dir / "temporal.db")
    assert argv[argv.index("--sqlite-pragma") + 1] == "journal_mode=wal"
    assert argv[argv.index("--dynamic-config-value") + 1] == "history.transferProcessorMaxPollRPS=1000"


def test_children_are_the_whole_stack_in_order(tmp_path: Path) -> None:
    processes = build_processes(make_settings(tmp_path))
    assert [p.name for p in processes] == ["temporal", "hr", "finance", "worker", "api"]
    assert processes[1].argv[-3:] == ["cli.main", "stub", "hr"]
    assert all(p.log_path.parent == tmp_path / "data" / "logs" for p in processes)


def test_banner_shows_urls_and_logins(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, api_port=9000, temporal_ui_port=8300, demo_password="pw")
    banner = format_banner(Stack(settings, []))
    assert "http://127.0.0.1:9000/docs" in banner
    assert "http://127.0.0.1:8300" in banner
    assert "password: pw" in banner
    assert "Ctrl-C" in banner


# --------------------------------------------------------------------------- supervision


def test_a_child_that_dies_while_starting_is_named_with_its_log(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    doomed = python_child(tmp_path, "doomed", "import sys; print('no config'); sys.exit(3)", ready=False)
    with pytest.raises(StackError) as raised:
        start_stack(settings, prepare=False, processes=[doomed], timeout=10)
    message = str(raised.value)
    assert "doomed exited with code 3" in message
    assert str(doomed.log_path) in message and "no config" in message


def test_children_may_start_with_the_demo_passwords_of_the_demo_city(tmp_path: Path) -> None:
    """``ringi dev`` seeds the demo city, so its ``ringi api`` child is told the demo passwords are allowed."""
    settings = make_settings(tmp_path)
    code = "import os; print('allow=' + os.environ.get('RINGI_ALLOW_DEMO', ''), flush=True)"
    child = python_child(tmp_path, "api", code)
    child.ready = lambda: "allow=" in child.log_path.read_text()
    stack = start_stack(settings, prepare=False, processes=[child])
    try:
        stack.wait()
    finally:
        stack.stop()
    assert "allow=1" in child.log_path.read_text()


def test_stop_is_reverse_order_and_kills_the_stubborn(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    ignore_sigterm = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN)"
    stubborn = python_child(tmp_path, "stubborn", f"{ignore_sigterm}; print('ready', flush=True); time.sleep(60)")
    stubborn.ready = lambda: "ready" in stubborn.log_path.read_text()
    polite = python_child(tmp_path, "polite", "import time; time.sleep(60)")
    stack = start_stack(settings, prepare=False, processes=[stubborn, polite])
    assert set(stack.pids) == {"stubborn", "polite"}
    stack.stop(grace=0.5)
    assert polite.returncode == -15  # SIGTERM
    assert stubborn.returncode == -9  # SIGKILL after the grace period
    stack.stop()  # idempotent


def test_stack_reports_the_first_child_to_exit(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    short = python_child(tmp_path, "short", "import time; time.sleep(0.3)")
    long = python_child(tmp_path, "long", "import time; time.sleep(60)")
    stack = start_stack(settings, prepare=False, processes=[long, short])
    try:
        assert stack.wait() is short
    finally:
        stack.stop()


def test_temporal_dev_server_starts_and_stops_cleanly(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    temporal = build_processes(settings)[0]
    stack = start_stack(settings, prepare=False, processes=[temporal], timeout=60)
    try:
        assert ports_in_use(settings)  # its gRPC and UI ports
        with pytest.raises(StackError, match="already in use"):
            start_stack(settings, prepare=False, processes=[])
    finally:
        stack.stop()
    assert temporal.returncode == 0
    assert (settings.data_dir / "temporal.db").exists()
    assert not ports_in_use(settings)
