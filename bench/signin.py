"""Sign-in cost: argon2id alone, and ``POST /v1/auth/token`` through the API (in process, SQLite), one at a time
and concurrently, from the office and with a TOTP code from outside.

    .venv/bin/python -m bench.signin [--count 40] [--concurrency 8]

Prints latency percentiles (ms) and sign-ins per second.  argon2's cost (64 MiB, 3 passes, 4 lanes) is the point:
it bounds how fast anyone can guess passwords, and how many sign-ins a core serves.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pyotp

from api.app import create_app
from bench.measure import Latency
from core.demo_city import generate_city
from core.second_factor import SecretBox, new_secret
from core.security import hash_password, verify_password
from core.settings import Settings
from db.migrate import upgrade
from db.models import StaffTotpRow
from db.seed import seed_demo
from db.session import create_engine, create_sessionmaker


async def _enrol(settings: Settings, staff_ids: list[str]) -> dict[str, pyotp.TOTP]:
    """Give each staff member a TOTP secret directly in the database (enrolment is not what is measured)."""
    box = SecretBox(settings.totp_keys())
    apps: dict[str, pyotp.TOTP] = {}
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            for staff_id in staff_ids:
                secret = new_secret()
                apps[staff_id] = pyotp.TOTP(secret)
                session.add(StaffTotpRow(staff_id=staff_id, secret_sealed=box.seal(secret), updated_at=_now()))
    finally:
        await engine.dispose()
    return apps


def _now() -> datetime:
    return datetime.now(UTC)


async def _run(count: int, concurrency: int) -> None:
    stored = hash_password("demo")
    started = time.perf_counter()
    for _ in range(5):
        verify_password("demo", stored)
    print(f"argon2id verify alone: {(time.perf_counter() - started) / 5 * 1000:.1f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), temporal_address="127.0.0.1:9", hr_url="http://127.0.0.1:9")
        upgrade(settings.database_url)
        await seed_demo(settings)
        staff = [s.id for s in generate_city().staff][: count * 2]
        office, outside = staff[:count], staff[count:]
        apps = await _enrol(settings, outside)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            print(f"{'run':<34} {'n':>4} {'p50':>7} {'p95':>7} {'p99':>7}   sign-ins/s")
            for label, ip, who, parallel in (
                ("office, one at a time", "127.0.0.1", office, 1),
                (f"office, {concurrency} at a time", "127.0.0.1", office, concurrency),
                (f"outside + TOTP, {concurrency} at a time", "203.0.113.5", outside, concurrency),
            ):
                await _measure(app, label, ip, who, parallel, apps)


async def _measure(
    app: object, label: str, ip: str, staff: list[str], parallel: int, apps: dict[str, pyotp.TOTP]
) -> None:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))  # type: ignore[arg-type]
    gate = asyncio.Semaphore(parallel)
    seconds: list[float] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:

        async def one(staff_id: str) -> None:
            body = {"staff_id": staff_id, "password": "demo"}
            if staff_id in apps:
                body["otp"] = apps[staff_id].now()
            async with gate:
                start = time.perf_counter()
                r = await http.post("/v1/auth/token", json=body)
                seconds.append(time.perf_counter() - start)
            r.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(one(s) for s in staff))
        wall = time.perf_counter() - started
    print(f"{label:<34} {Latency.of(seconds).count:>4} {Latency.of(seconds).triple()}   {len(staff) / wall:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    asyncio.run(_run(args.count, args.concurrency))


if __name__ == "__main__":
    main()
