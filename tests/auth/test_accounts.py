"""The account life cycle (#13): my password change (and its policy), an administrator's reset to a one-time
password that must be changed before anything else, deactivation and reactivation (also by HR, for staff who
retire or leave), and the production start that refuses demo passwords.

Every change ends the sessions it must: after a change, every other session of the person; after a reset or a
deactivation, all of them.  The API runs in process on a seeded database per module and backend (no Temporal)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from typing import Any, cast

import httpx
import pytest
from sqlalchemy import select

from activities.transfers import TransferApplier
from core.errors import Invalid
from core.settings import Settings
from core.transfers import check_plan
from db.models import OrgTransferRow, PostAssignmentRow, SessionRow, StaffRow
from db.seed import accounts_with_demo_password
from db.session import create_engine, create_sessionmaker
from integrations.hr import HrClient
from schemas.transfers import TransferPlan
from tests.api.support import ADMIN, assert_problem
from tests.auth.conftest import OFFICE_IP, Api, Staff
from tests.auth.test_sessions import CSRF, SIGNIN_CSRF, me, signed_in, web_sign_in
from tests.auth.test_sign_in import access_log, database

GOOD = "hagi-castle-moat-2026"
OTHER_GOOD = "sakura-namiki-no-haru-7"


async def call(api: Api, token: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async with api.client(OFFICE_IP, authorization=f"Bearer {token}") as http:
        return await http.request(method, path, **kwargs)


async def change(api: Api, token: str, current: str, new: str) -> httpx.Response:
    return await call(api, token, "POST", "/v1/me/password", json={"current": current, "new": new})


async def admin(api: Api, method: str, path: str) -> httpx.Response:
    return await call(api, await api.token(ADMIN), method, path)


async def reset(api: Api, staff_id: str) -> str:
    r = await admin(api, "POST", f"/v1/admin/staff/{staff_id}/password-reset")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["staff_id"] == staff_id and body["must_change_password"] is True
    return str(body["one_time_password"])


async def staff_row(api: Api, staff_id: str) -> StaffRow:
    async with database(api) as session:
        row = await session.get(StaffRow, staff_id)
        assert row is not None
        session.expunge(row)
        return row


async def sessions_of(api: Api, staff_id: str) -> set[str]:
    async with database(api) as session:
        return set((await session.scalars(select(SessionRow.id).where(SessionRow.staff_id == staff_id))).all())


# --- password change ------------------------------------------------------------------------------------------------


async def test_a_wrong_current_password_is_refused_and_counts_towards_the_lockout(api: Api, staff: Staff) -> None:
    someone = staff.take()
    token = await api.token(someone)
    refused = assert_problem(await change(api, token, "not-my-password", GOOD), 403)
    assert "current password is wrong" in refused["detail"] and "現在のパスワード" in refused["detail"]
    for _ in range(api.settings.lockout_threshold - 1):
        await change(api, token, "not-my-password", GOOD)
    assert (await api.sign_in(someone)).status_code == 429  # locked, like failed sign-ins
    assert (await staff_row(api, someone)).password_changed_at is None  # nothing changed
    log = await access_log(api, staff_id=someone, kind="password_change")
    assert log and {e["outcome"] for e in log} == {"failure"}


@pytest.mark.parametrize(
    ("new", "code", "ja"),
    [
        ("short-pw", "too_short", "12文字以上"),
        ("qwerty123456", "common", "よく使われる"),
        ("{me}-is-my-password", "contains_staff_id", "職員番号"),
        ("demo", "demo", "デモ用"),
    ],
)
async def test_the_policy_refuses_with_every_reason_in_japanese_and_english(
    api: Api, staff: Staff, new: str, code: str, ja: str
) -> None:
    someone = staff.take()
    token = await api.token(someone)
    problem = assert_problem(await change(api, token, "demo", new.format(me=someone)), 422)
    assert code in {r["code"] for r in problem["refusals"]}
    refusal = next(r for r in problem["refusals"] if r["code"] == code)
    assert ja in refusal["ja"] and refusal["en"] and ja in problem["detail"]
    assert (await me(api, token)).status_code == 200  # the session goes on, the password is unchanged
    assert (await api.sign_in(someone)).status_code == 200


async def test_a_change_ends_every_other_session_and_keeps_this_one(api: Api, staff: Staff) -> None:
    someone = staff.take()
    this, other = await api.token(someone), await api.token(someone)
    browser = await web_sign_in(api, someone)
    try:
        r = await change(api, this, "demo", GOOD)
        assert r.status_code == 200, r.text
        assert r.json()["sessions_ended"] == 2
        assert (await me(api, this)).status_code == 200
        assert "session has ended" in assert_problem(await me(api, other), 401)["detail"]
        assert not await signed_in(browser)
    finally:
        await browser.aclose()
    assert_problem(await api.sign_in(someone), 401)  # the old password
    assert (await api.sign_in(someone, password=GOOD)).status_code == 200
    row = await staff_row(api, someone)
    assert row.password_changed_at is not None and not row.must_change_password
    assert row.password_hash.startswith("$argon2") and GOOD not in row.password_hash


async def test_the_web_form_changes_the_password(api: Api, staff: Staff) -> None:
    someone = staff.take()
    token = await api.token(someone)
    browser = await web_sign_in(api, someone)
    try:
        form = await browser.get("/password")
        assert form.status_code == 200 and "パスワード変更" in form.text
        csrf = CSRF.search(form.text)
        assert csrf is not None
        fields = {"csrf_token": csrf.group(1), "current": "demo", "new": "short", "new_again": "short"}
        refused = await browser.post("/password", data=fields)
        assert refused.status_code == 422 and "12文字以上" in refused.text
        fields |= {"new": GOOD, "new_again": GOOD}
        r = await browser.post("/password", data=fields)
        assert r.status_code == 303 and r.headers["location"].startswith("/inbox")
        assert await signed_in(browser)
    finally:
        await browser.aclose()
    assert_problem(await me(api, token), 401)
    assert (await api.sign_in(someone, password=GOOD)).status_code == 200


# --- administrator's reset and the one-time password ------------------------------------------------------------------


async def test_a_reset_ends_every_session_and_the_one_time_password_may_only_be_changed(api: Api, staff: Staff) -> None:
    someone = staff.take()
    before = await api.token(someone)
    one_time = await reset(api, someone)
    assert len(one_time) >= 16
    assert await sessions_of(api, someone) == set()
    assert_problem(await me(api, before), 401)
    assert_problem(await api.sign_in(someone), 401)  # the old password is gone
    stored = await staff_row(api, someone)
    assert stored.must_change_password and one_time not in stored.password_hash

    limited = await api.token(someone, password=one_time)
    for method, path in (("GET", "/v1/me/sessions"), ("GET", "/v1/inbox"), ("GET", "/v1/me")):
        problem = assert_problem(await call(api, limited, method, path), 403)
        assert problem["title"] == "Password change required"
        assert "password change required" in problem["detail"]
    assert (await change(api, limited, one_time, GOOD)).status_code == 200
    assert (await me(api, limited)).status_code == 200  # the same session, now unrestricted
    assert (await api.sign_in(someone, password=one_time)).status_code == 401  # once only
    entries = await access_log(api, staff_id=ADMIN, kind="password_reset")
    assert any(someone in e["reason"] for e in entries)


async def test_a_one_time_password_sends_the_browser_to_the_change_form(api: Api, staff: Staff) -> None:
    someone = staff.take()
    one_time = await reset(api, someone)
    transport = httpx.ASGITransport(app=api.app, client=(OFFICE_IP, 50126))
    async with httpx.AsyncClient(transport=transport, base_url="http://ringi.test") as browser:
        form = await browser.get("/signin")
        token = SIGNIN_CSRF.search(form.text)
        assert token is not None
        data = {"staff_id": someone, "password": one_time, "signin_csrf": token.group(1), "next": "/inbox"}
        r = await browser.post("/signin", data=data)
        assert r.status_code == 303 and r.headers["location"] == "/password"
        for page in ("/inbox", "/documents", "/documents/new"):
            r = await browser.get(page)
            assert r.status_code == 303 and r.headers["location"] == "/password", page
        r = await browser.get("/inbox", headers={"HX-Request": "true"})
        assert r.headers.get("HX-Redirect") == "/password"
        form = await browser.get("/password")
        assert 'data-testid="must-change"' in form.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert csrf is not None
        fields = {"csrf_token": csrf.group(1), "current": one_time, "new": GOOD, "new_again": GOOD}
        assert (await browser.post("/password", data=fields)).status_code == 303
        assert (await browser.get("/inbox")).status_code == 200


async def test_only_administrators_reset_and_unknown_staff_are_404(api: Api, staff: Staff) -> None:
    someone, other = staff.take(), staff.take()
    token = await api.token(someone)
    for path in ("password-reset", "deactivate", "reactivate"):
        assert_problem(await call(api, token, "POST", f"/v1/admin/staff/{other}/{path}"), 403)
        assert_problem(await admin(api, "POST", f"/v1/admin/staff/nobody-here/{path}"), 404)
    assert_problem(await call(api, token, "GET", f"/v1/admin/staff/{other}"), 403)
    assert (await api.sign_in(other)).status_code == 200  # nothing happened to them


# --- deactivation ---------------------------------------------------------------------------------------------------


async def test_deactivation_refuses_sign_in_at_once_and_ends_every_session(api: Api, staff: Staff) -> None:
    someone = staff.take()
    token = await api.token(someone)
    browser = await web_sign_in(api, someone)
    try:
        r = await admin(api, "POST", f"/v1/admin/staff/{someone}/deactivate")
        assert r.status_code == 200 and r.json()["deactivated_at"] is not None
        assert_problem(await me(api, token), 401)
        assert not await signed_in(browser)
    finally:
        await browser.aclose()
    refused = assert_problem(await api.sign_in(someone), 401)
    assert refused["detail"] == "unknown staff id or wrong password"  # reveals nothing
    assert (await admin(api, "POST", f"/v1/admin/staff/{someone}/deactivate")).status_code == 200  # idempotent
    assert_problem(await admin(api, "POST", f"/v1/admin/staff/{someone}/password-reset"), 409)
    assert (await staff_row(api, someone)).name  # the history stays: the row is kept
    log = await access_log(api, staff_id=someone, kind="sign_in")
    assert log[0]["reason"] == "account deactivated"
    r = await admin(api, "POST", f"/v1/admin/staff/{someone}/reactivate")
    assert r.status_code == 200 and r.json()["deactivated_at"] is None
    assert (await api.sign_in(someone)).status_code == 200


async def test_an_administrator_may_not_deactivate_themselves(api: Api) -> None:
    assert_problem(await admin(api, "POST", f"/v1/admin/staff/{ADMIN}/deactivate"), 409)


# --- HR: staff who retire or leave --------------------------------------------------------------------------------


class _Hr:
    """HR as the applier sees it: takes the transfer (the stub's own test covers the wire)."""

    def __init__(self) -> None:
        self.plans: list[TransferPlan] = []

    async def apply_transfer(self, transfer_id: str, plan: TransferPlan) -> None:
        self.plans.append(plan)


async def test_an_hr_transfer_deactivates_those_who_retire(api: Api, staff: Staff) -> None:
    retiring, staying = staff.take(), staff.take()
    token = await api.token(retiring)
    staying_token = await api.token(staying)
    async with database(api) as session:
        held = (
            await session.scalars(
                select(PostAssignmentRow).where(
                    PostAssignmentRow.staff_id == retiring, PostAssignmentRow.effective_to.is_(None)
                )
            )
        ).all()
        positions = [{"staff_id": retiring, "org_unit": a.org_unit_code, "post": a.post_code} for a in held]
    assert positions
    on = date.today()
    plan = TransferPlan.model_validate(
        {"effective_on": on, "end": positions, "leavers": [{"staff_id": retiring, "reason": "retired"}]}
    )
    triples = {(p["staff_id"], p["org_unit"], p["post"]) for p in positions}
    with pytest.raises(Invalid, match="still holds"):  # a leaver must end every post they hold
        check_plan(
            plan.model_copy(update={"end": ()}),
            today=on,
            staff={retiring},
            org_units={p["org_unit"] for p in positions},
            posts={p["post"] for p in positions},
            held=triples,
        )
    transfer_id = str(uuid.uuid4())
    async with database(api) as session:
        session.add(
            OrgTransferRow(
                id=transfer_id,
                effective_on=on,
                status="draft",
                note="",
                plan=plan.model_dump(mode="json"),
                created_by=ADMIN,
                created_at=datetime.now(UTC),
            )
        )
    engine = create_engine(api.settings.database_url)
    try:
        hr = _Hr()
        applier = TransferApplier(create_sessionmaker(engine), cast(HrClient, hr), cast(Any, None))
        result = await applier.apply(transfer_id)
    finally:
        await engine.dispose()
    assert result.status == "applied" and hr.plans == [plan]
    assert (await staff_row(api, retiring)).deactivated_at is not None
    assert_problem(await me(api, token), 401)
    assert_problem(await api.sign_in(retiring), 401)
    assert (await me(api, staying_token)).status_code == 200
    assert (await staff_row(api, staying)).deactivated_at is None


# --- production start ----------------------------------------------------------------------------------------------


async def test_the_production_start_finds_active_accounts_with_the_demo_password(api: Api) -> None:
    settings = Settings(database_url=api.settings.database_url, data_dir=api.settings.data_dir)
    found = await accounts_with_demo_password(settings)
    assert found > 100  # the seeded city (less those this module changed, reset or deactivated)
    async with database(api) as session:
        active = await session.scalar(
            select(StaffRow.id).where(StaffRow.deactivated_at.is_(None), StaffRow.password_changed_at.is_(None))
        )
    assert active is not None
    other = Settings(database_url=api.settings.database_url, data_dir=api.settings.data_dir, demo_password="other")
    assert await accounts_with_demo_password(other) == found  # the shipped "demo" is checked too
