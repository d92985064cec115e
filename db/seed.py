"""Demo city seed (``ringi seed``, ``make run``): ringi's org mirror and demo accounts, idempotent."""

from __future__ import annotations

import asyncio

from sqlalchemy import inspect

from core.demo_city import generate_city
from core.security import hash_password, verify_password
from core.settings import Settings
from db.repositories.accounts import AccountRepository
from db.repositories.classification import sync_repository_tables
from db.repositories.org import OrgRepository
from db.rulebooks import sync_repository_rulebooks
from db.session import begin_write, create_engine, create_sessionmaker

#: (org unit, post, label) of the accounts a newcomer wants to log in as.
_DEMO_ROLES: tuple[tuple[str, str, str], ...] = (
    ("somu.somu", "staff", "総務課 主事 (drafter)"),
    ("somu.somu", "manager", "総務課長"),
    ("somu.zaisei", "manager", "財政課長"),
    ("somu", "director", "総務部長"),
    ("executive", "deputy_mayor", "副市長"),
    ("executive", "mayor", "市長"),
)


async def seed_demo(settings: Settings, *, staff: int | None = None) -> bool:
    """Load the demo city into an empty database; True if it did, False if data was already there.

    The rulebook versions (rules/rulebook/) and 文書分類表 versions (rules/classification/) shipped with ringi that
    the database lacks are stored either way.
    ``staff`` (or ``settings.demo_staff``): a bigger generated city, e.g. 10,000 people for scale tests; the HR
    stub must be started with the same size (``ringi stub hr --staff N`` or ``RINGI_DEMO_STAFF``).
    """
    size = staff or settings.demo_staff
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            await begin_write(session)
            await sync_repository_rulebooks(session)
            await sync_repository_tables(session)
            repo = OrgRepository(session)
            if await repo.is_seeded():
                return False
            await repo.add_city(generate_city(staff=size), password_hash=hash_password(settings.demo_password))
            return True
    finally:
        await engine.dispose()


def demo_logins(staff: int | None = None) -> list[tuple[str, str]]:
    """(staff id, label) for the banner of ``ringi dev``: the first holder of each demo role, plus admin."""
    city = generate_city(staff=staff)
    logins: list[tuple[str, str]] = []
    for unit, post, label in _DEMO_ROLES:
        holder = next((a.staff_id for a in city.assignments if a.org_unit_code == unit and a.post_code == post), None)
        if holder is not None:
            logins.append((holder, label))
    logins.extend((s.id, "システム管理者 (admin)") for s in city.staff if s.is_admin)
    return logins


async def sync_rulebooks(settings: Settings) -> list[str]:
    """Store the shipped rulebook and 文書分類表 versions the database lacks (``ringi migrate``); the rulebook ids."""
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            await begin_write(session)
            added = await sync_repository_rulebooks(session)
            await sync_repository_tables(session)
            return added
    finally:
        await engine.dispose()


#: How many distinct never-changed password hashes the production start checks (each costs an argon2 check).
DEMO_CHECK_HASHES = 20


async def accounts_with_demo_password(settings: Settings) -> int:
    """How many active accounts still sign in with a demo password (``RINGI_DEMO_PASSWORD`` or the shipped
    ``demo``), among those whose password was never changed or reset: ``ringi api`` refuses to start if any do.

    Only the ``DEMO_CHECK_HASHES`` most shared hashes are checked (the demo seed gives every account the same
    hash), so the check costs a few argon2 verifications whatever the size of the city.
    """
    candidates = {settings.demo_password, "demo"}
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            if not await connection.run_sync(lambda sync: inspect(sync).has_table("staff")):
                return 0  # not migrated yet: no account at all
        async with create_sessionmaker(engine)() as session:
            hashes = await AccountRepository(session).unchanged_password_hashes(limit=DEMO_CHECK_HASHES)
    finally:
        await engine.dispose()

    def demo(stored: str) -> bool:
        return any(verify_password(candidate, stored) for candidate in candidates)

    found = 0
    for stored, accounts in hashes:
        if await asyncio.to_thread(demo, stored):
            found += accounts
    return found
