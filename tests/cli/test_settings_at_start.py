"""A missing or wrong setting at start: exit 2 and one line naming each bad setting, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def ringi(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RINGI_")}
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        env={**clean, "RINGI_DATA_DIR": str(tmp_path), **env},
        cwd=tmp_path,  # no .env file here
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_each_bad_setting_is_named_on_its_own_line(tmp_path: Path) -> None:
    done = ringi(tmp_path, "migrate", RINGI_API_PORT="eighty", RINGI_JWT_SECRET="too-short-a-secret")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2, done.stderr
    port, secret = sorted(lines)
    assert "RINGI_API_PORT" in port and "'eighty'" in port
    assert "RINGI_JWT_SECRET" in secret and "too-short-a-secret" not in secret  # a secret is never repeated


@pytest.mark.parametrize(
    ("name", "value"),
    [("RINGI_OFFICE_NETWORKS", "10.0.0.0/8,not-a-network"), ("RINGI_NOTIFY_MAX_ATTEMPTS", "0")],
)
def test_a_wrong_value_names_its_setting(tmp_path: Path, name: str, value: str) -> None:
    done = ringi(tmp_path, "worker", **{name: value})
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert name in line
