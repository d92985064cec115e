"""The client address (#13): uvicorn's own proxy handling is off, so a request through loopback with a forged
``X-Forwarded-For`` is what its socket says: it is asked for the second factor, may not enrol one, and the access
log records its real address.  Only ``RINGI_TRUSTED_PROXIES`` makes ringi's own walk believe the header.

These run the app on real uvicorn (core/serve.py, the configuration ``ringi api`` uses): ASGITransport would not
show what uvicorn does to the address."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
import uvicorn
from sqlalchemy import select

import cli.main
from api.app import create_app
from api.services.auth import ENROL_FIRST, OTP_REQUIRED
from api.services.second_factor import OFFICE_ONLY
from core.second_factor import SecretBox, new_secret
from core.serve import serve_app, server_config
from core.settings import Settings
from db.models import AccessLogRow, StaffTotpRow
from db.session import create_engine, create_sessionmaker
from tests.api.support import assert_problem
from tests.auth.conftest import Staff

OFFICE = "10.0.0.0/8"  # loopback is not the office here: only the forged address is
FORGED = "10.1.2.3"


@contextlib.asynccontextmanager
async def served(database_url: str, data_dir: Path, **overrides: Any) -> AsyncIterator[tuple[Settings, str]]:
    settings = Settings(
        data_dir=data_dir,
        database_url=database_url,
        temporal_address="127.0.0.1:9",
        hr_url="http://127.0.0.1:9",
        finance_url="http://127.0.0.1:9",
        office_networks=OFFICE,
        **overrides,
    )
    async with serve_app(create_app(settings)) as url:
        yield settings, url


async def enrol_directly(settings: Settings, staff_id: str) -> pyotp.TOTP:
    """A confirmed second factor, written straight into the database (enrolment is office-only)."""
    secret = new_secret()
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            sealed = SecretBox(settings.totp_keys()).seal(secret)
            now = datetime.now(UTC)
            session.add(StaffTotpRow(staff_id=staff_id, secret_sealed=sealed, confirmed_at=now, updated_at=now))
    finally:
        await engine.dispose()
    return pyotp.TOTP(secret)


async def logged_addresses(settings: Settings, staff_id: str) -> list[str]:
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            stmt = select(AccessLogRow.client_ip).where(AccessLogRow.staff_id == staff_id).order_by(AccessLogRow.id)
            return list((await session.scalars(stmt)).all())
    finally:
        await engine.dispose()


def sign_in_body(staff_id: str, **extra: str) -> dict[str, str]:
    return {"staff_id": staff_id, "password": "demo", **extra}


async def test_a_forged_forwarded_for_through_loopback_gets_the_second_factor_asked(
    signin_database: str, tmp_path: Path, staff: Staff
) -> None:
    enrolled_one, not_enrolled = staff.take(), staff.take()
    forged = {"X-Forwarded-For": FORGED}
    async with served(signin_database, tmp_path) as (settings, url), httpx.AsyncClient(base_url=url) as http:
        totp = await enrol_directly(settings, enrolled_one)
        r = await http.post("/v1/auth/token", json=sign_in_body(enrolled_one), headers=forged)
        assert assert_problem(r, 401)["detail"] == OTP_REQUIRED
        r = await http.post("/v1/auth/token", json=sign_in_body(not_enrolled), headers=forged)
        assert assert_problem(r, 403)["detail"] == ENROL_FIRST
        assert await logged_addresses(settings, enrolled_one) == ["127.0.0.1"]  # the socket's, not the header's
        assert await logged_addresses(settings, not_enrolled) == ["127.0.0.1"]

        # With the second factor it signs in, but a forged header does not make it the office: no enrolment.
        r = await http.post("/v1/auth/token", json=sign_in_body(enrolled_one, otp=totp.now()), headers=forged)
        assert r.status_code == 200, r.text
        bearer = {"Authorization": f"Bearer {r.json()['access_token']}"}
        r = await http.post("/v1/auth/totp/enrol", headers={**bearer, **forged})
        assert assert_problem(r, 403)["detail"] == OFFICE_ONLY


async def test_only_a_trusted_proxy_is_believed(signin_database: str, tmp_path: Path, staff: Staff) -> None:
    someone = staff.take()
    async with (
        served(signin_database, tmp_path, trusted_proxies="127.0.0.1/32") as (settings, url),
        httpx.AsyncClient(base_url=url) as http,
    ):
        r = await http.post("/v1/auth/token", json=sign_in_body(someone), headers={"X-Forwarded-For": FORGED})
        assert r.status_code == 200, r.text  # the proxy (loopback, trusted) says the client is in the office
        assert await logged_addresses(settings, someone) == [FORGED]


def test_every_server_leaves_forwarded_headers_to_ringi() -> None:
    config = server_config(create_app(Settings()), host="127.0.0.1", port=0)
    assert config.proxy_headers is False
    assert config.forwarded_allow_ips == ""


def test_ringi_api_serves_without_uvicorns_proxy_handling(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[uvicorn.Config] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, *a, **k: seen.append(self.config))
    settings = Settings()
    cli.main._serve(create_app(settings), "127.0.0.1", 8000, settings)
    (config,) = seen
    assert config.proxy_headers is False
    assert config.forwarded_allow_ips == ""
