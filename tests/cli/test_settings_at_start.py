"""A missing or wrong setting at start: exit 2 and one line naming each bad setting, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import DEV_JWT_SECRET, Settings


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


GOOD_TOTP_KEY = "a-totp-key-of-forty-random-chars-0123456789"
GOOD_JWT_SECRET = "a-jwt-secret-of-forty-random-chars-0123456789"


@pytest.mark.parametrize("command", ["api", "worker"])
def test_serving_refuses_the_shipped_jwt_secret(tmp_path: Path, command: str) -> None:
    for shipped in ({}, {"RINGI_JWT_SECRET": DEV_JWT_SECRET}):  # left unset, or copied from an old .env
        done = ringi(tmp_path, command, RINGI_TOTP_ENCRYPTION_KEY=GOOD_TOTP_KEY, **shipped)
        assert done.returncode == 2, done.stderr
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith("ringi: RINGI_JWT_SECRET:") and DEV_JWT_SECRET not in line


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"RINGI_JWT_SECRET": "short-jwt-secret", "RINGI_TOTP_ENCRYPTION_KEY": GOOD_TOTP_KEY}, "RINGI_JWT_SECRET"),
        ({"RINGI_JWT_SECRET": GOOD_JWT_SECRET}, "RINGI_TOTP_ENCRYPTION_KEY"),
        ({"RINGI_JWT_SECRET": GOOD_JWT_SECRET, "RINGI_TOTP_ENCRYPTION_KEY": "short-key"}, "RINGI_TOTP_ENCRYPTION_KEY"),
        (
            {"RINGI_JWT_SECRET": GOOD_JWT_SECRET, "RINGI_TOTP_ENCRYPTION_KEY": GOOD_JWT_SECRET},
            "RINGI_TOTP_ENCRYPTION_KEY",
        ),
    ],
)
def test_serving_refuses_a_short_secret_or_no_totp_key(tmp_path: Path, env: dict[str, str], named: str) -> None:
    done = ringi(tmp_path, "api", **env)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"ringi: {named}:")
    assert not any(value in done.stderr for value in env.values())  # a secret is never repeated


def test_secrets_are_never_in_a_repr() -> None:
    settings = Settings(
        jwt_secret=GOOD_JWT_SECRET,
        jwt_previous_secrets="an-old-jwt-secret",
        totp_encryption_key=GOOD_TOTP_KEY,
        smtp_password="mail-password",
        chat_token="xoxb-chat-token",
    )
    shown = repr(settings) + str(settings.model_dump())
    for secret in (GOOD_JWT_SECRET, "an-old-jwt-secret", GOOD_TOTP_KEY, "mail-password", "xoxb-chat-token"):
        assert secret not in shown
    assert settings.production_problems() == []


def test_serving_refuses_while_an_active_account_has_the_demo_password(tmp_path: Path) -> None:
    """``RINGI_SEED_DEMO=1`` seeds the demo city; then ``ringi api`` (not ``ringi dev``) refuses to start."""
    secrets = {"RINGI_JWT_SECRET": GOOD_JWT_SECRET, "RINGI_TOTP_ENCRYPTION_KEY": GOOD_TOTP_KEY}
    assert ringi(tmp_path, "migrate").returncode == 0
    skipped = ringi(tmp_path, "seed", "--if-requested")
    assert skipped.returncode == 0 and "db.seed_not_requested" in skipped.stderr, skipped.stderr
    seeded = ringi(tmp_path, "seed", "--if-requested", RINGI_SEED_DEMO="1")
    assert seeded.returncode == 0 and "db.seeded" in seeded.stderr, seeded.stderr
    done = ringi(tmp_path, "api", "--port", "9", **secrets)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("ringi: RINGI_ALLOW_DEMO:") and "demo password" in line


def test_serving_refuses_when_the_accounts_cannot_be_checked(tmp_path: Path) -> None:
    secrets = {"RINGI_JWT_SECRET": GOOD_JWT_SECRET, "RINGI_TOTP_ENCRYPTION_KEY": GOOD_TOTP_KEY}
    unreachable = "postgresql+asyncpg://ringi:ringi@127.0.0.1:9/ringi"
    done = ringi(tmp_path, "api", "--port", "9", RINGI_DATABASE_URL=unreachable, **secrets)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("ringi: RINGI_DATABASE_URL: cannot check the accounts") and "ringi:ringi" not in line
