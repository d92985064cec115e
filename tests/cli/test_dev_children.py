"""``ringi dev``'s children die with it, even when it is SIGKILLed; a second ``ringi dev`` names the taken ports."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.cli.test_cli import make_settings

#: A supervisor as ``ringi dev`` runs it (start_stack, ManagedProcess.start), with cheap children.
SUPERVISOR = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from cli.dev import ManagedProcess, start_stack
    from tests.cli.test_cli import make_settings

    logs = Path(sys.argv[1])
    children = [
        ManagedProcess(name, [sys.executable, "-c", "import time; time.sleep(120)"], logs / f"{name}.log", lambda: True)
        for name in ("first", "second")
    ]
    stack = start_stack(make_settings(logs), prepare=False, processes=children)
    print(" ".join(str(pid) for pid in stack.pids.values()), flush=True)
    time.sleep(120)
    """
)


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_children_die_when_the_supervisor_is_killed(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR, str(tmp_path)], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    )
    try:
        assert parent.stdout is not None
        pids = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(pids) == 2 and all(alive(pid) for pid in pids)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in pids if alive(pid)]
    finally:
        parent.kill()
        parent.wait()


def test_a_second_dev_names_the_taken_ports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_settings(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", settings.api_port))
        taken.listen()
        monkeypatch.setenv("RINGI_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("RINGI_API_PORT", str(settings.api_port))
        monkeypatch.setenv("RINGI_TEMPORAL_ADDRESS", settings.temporal_address)
        monkeypatch.setenv("RINGI_TEMPORAL_UI_PORT", str(settings.temporal_ui_port))
        monkeypatch.setenv("RINGI_HR_URL", settings.hr_url)
        monkeypatch.setenv("RINGI_FINANCE_URL", settings.finance_url)
        result = CliRunner().invoke(app, ["dev"])
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert f"127.0.0.1:{settings.api_port} (RINGI_API_PORT)" in line and "already in use" in line
    assert not (settings.data_dir / "ringi.db").exists()  # refused before anything was prepared


def test_version_and_api_host_port(tmp_path: Path) -> None:
    from importlib.metadata import version

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"ringi {version('ringi')}"

    port = make_settings(tmp_path).api_port
    keys = {"RINGI_JWT_SECRET": secrets.token_hex(32), "RINGI_TOTP_ENCRYPTION_KEY": secrets.token_hex(32)}
    env = {**os.environ, "RINGI_DATA_DIR": str(tmp_path / "data"), **keys}  # a production start needs its keys
    (tmp_path / "data").mkdir()
    api = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "api", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import httpx

        deadline = time.monotonic() + 60
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/health", trust_env=False).json() == {"status": "ok"}
                break
            except httpx.TransportError:
                assert api.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
    finally:
        api.terminate()
        api.wait(10)
