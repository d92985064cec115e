"""``ringi dev`` gives its children random secrets of its own where the settings hold the shipped or none (#13)."""

from __future__ import annotations

import stat
from pathlib import Path

from cli.dev import DEV_SECRETS_FILE, dev_secrets
from core.settings import DEV_JWT_SECRET, Settings


def test_dev_makes_fit_secrets_once_and_keeps_them(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    env = dev_secrets(settings)
    assert set(env) == {"RINGI_JWT_SECRET", "RINGI_TOTP_ENCRYPTION_KEY", "RINGI_TOTP_PREVIOUS_KEYS"}
    assert env["RINGI_TOTP_PREVIOUS_KEYS"] == DEV_JWT_SECRET  # second factors an older ringi dev enrolled
    child = Settings(
        data_dir=tmp_path,
        jwt_secret=env["RINGI_JWT_SECRET"],
        totp_encryption_key=env["RINGI_TOTP_ENCRYPTION_KEY"],
    )
    assert child.production_problems() == []
    assert stat.S_IMODE((tmp_path / DEV_SECRETS_FILE).stat().st_mode) == 0o600
    assert dev_secrets(settings) == env  # the same after a restart: sessions and second factors survive it


def test_dev_leaves_fit_secrets_alone(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, jwt_secret="j" * 40, totp_encryption_key="t" * 40)
    assert dev_secrets(settings) == {}
    only_jwt = Settings(data_dir=tmp_path, jwt_secret="j" * 40)
    assert set(dev_secrets(only_jwt)) == {"RINGI_TOTP_ENCRYPTION_KEY", "RINGI_TOTP_PREVIOUS_KEYS"}
