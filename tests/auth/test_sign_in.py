"""Sign-in for telework: argon2 passwords (pbkdf2 ones upgraded), the office network, TOTP enrolment and second
factor, recovery codes, lockout, client addresses behind proxies, and the access log of it all."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.services.auth import (
    ENROL_FIRST,
    OTP_REQUIRED,
    WRONG_CREDENTIALS,
    WRONG_OTP,
    SecondFactorNotEnrolled,
    SecondFactorRequired,
    WrongCredentials,
    WrongSecondFactor,
    authenticate,
)
from api.services.second_factor import OFFICE_ONLY
from core import clock
from core.errors import TooManyAttempts
from core.security import hash_pbkdf2
from db.models import RecoveryCodeRow, StaffRow, StaffTotpRow
from db.session import create_engine, create_sessionmaker
from tests.api.support import ADMIN, DRAFTER, assert_problem
from tests.auth.conftest import HOME_IP, OFFICE_IP, Api, Staff, running_api

# --- helpers ----------------------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def database(api: Api) -> AsyncIterator[AsyncSession]:
    """A unit of work on the test's database, committed at the end of the block."""
    engine = create_engine(api.settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            yield session
    finally:
        await engine.dispose()


async def stored_hash(api: Api, staff_id: str) -> str:
    async with database(api) as session:
        staff = await session.get(StaffRow, staff_id)
        assert staff is not None
        return staff.password_hash


async def enrolled(api: Api, staff_id: str) -> tuple[pyotp.TOTP, list[str]]:
    """Enrol ``staff_id`` from the office: the app (pyotp on the secret of the QR code) and the recovery codes."""
    token = await api.token(staff_id)
    async with api.client(OFFICE_IP, authorization=f"Bearer {token}") as http:
        r = await http.post("/v1/auth/totp/enrol")
        assert r.status_code == 200, r.text
        uri = r.json()["otpauth_uri"]
        totp = pyotp.TOTP(parse_qs(urlsplit(uri).query)["secret"][0])
        r = await http.post("/v1/auth/totp/confirm", json={"code": totp.now()})
        assert r.status_code == 200, r.text
        return totp, list(r.json()["recovery_codes"])


def next_code(totp: pyotp.TOTP) -> str:
    """The code of the next time step: the current one was spent confirming (a code is good once); the next
    is accepted for clock drift."""
    return totp.at(time.time() + totp.interval)


async def access_log(api: Api, *, ip: str = OFFICE_IP, **filters: Any) -> list[dict[str, Any]]:
    token = await api.token(ADMIN, ip=ip)
    async with api.client(ip, authorization=f"Bearer {token}") as http:
        entries: list[dict[str, Any]] = []
        r = await http.get("/v1/access-log", params={"limit": 200, **filters})
        while True:
            assert r.status_code == 200, r.text
            entries += r.json()["items"]
            if r.json()["next"] is None:
                return entries
            r = await http.get(r.json()["next"])


# --- passwords ----------------------------------------------------------------------------------------------------


async def test_seeded_passwords_are_argon2id(api: Api, staff: Staff) -> None:
    someone = staff.take()
    assert (await stored_hash(api, someone)).startswith("$argon2id$")
    assert (await api.sign_in(someone)).status_code == 200


async def test_a_pbkdf2_password_still_signs_in_and_is_rehashed_with_argon2(api: Api, staff: Staff) -> None:
    someone = staff.take()
    async with database(api) as session:
        row = await session.get(StaffRow, someone)
        assert row is not None
        row.password_hash = hash_pbkdf2("old-secret")

    wrong = await api.sign_in(someone, password="demo")
    assert WRONG_CREDENTIALS in assert_problem(wrong, 401)["detail"]
    assert (await stored_hash(api, someone)).startswith("pbkdf2_sha256$"), "a failed sign-in rehashes nothing"

    assert (await api.sign_in(someone, password="old-secret")).status_code == 200
    assert (await stored_hash(api, someone)).startswith("$argon2id$")
    assert (await api.sign_in(someone, password="old-secret")).status_code == 200


# --- the office network and the second factor ----------------------------------------------------------------------


async def test_from_the_office_no_second_factor_is_needed(api: Api, staff: Staff) -> None:
    someone = staff.take()
    assert (await api.sign_in(someone, ip=OFFICE_IP)).status_code == 200
    await enrolled(api, someone)
    assert (await api.sign_in(someone, ip=OFFICE_IP)).status_code == 200, "enrolled: still none in the office"


async def test_from_outside_without_enrolment_sign_in_is_refused(api: Api, staff: Staff) -> None:
    someone = staff.take()
    for _ in range(api.settings.lockout_threshold + 1):
        r = await api.sign_in(someone, ip=HOME_IP)
        assert assert_problem(r, 403)["detail"] == ENROL_FIRST
    # The password was right each time: nothing counted towards a lockout.
    assert (await api.sign_in(someone, ip=OFFICE_IP)).status_code == 200


async def test_from_outside_a_wrong_password_is_401_before_any_second_factor(api: Api, staff: Staff) -> None:
    r = await api.sign_in(staff.take(), ip=HOME_IP, password="wrong")
    assert assert_problem(r, 401)["detail"] == WRONG_CREDENTIALS


async def test_enrolment_gives_a_local_qr_code_and_ten_recovery_codes(api: Api, staff: Staff) -> None:
    someone = staff.take()
    token = await api.token(someone)
    async with api.client(OFFICE_IP, authorization=f"Bearer {token}") as http:
        enrolment = await http.post("/v1/auth/totp/enrol")
        assert enrolment.status_code == 200, enrolment.text
        body = enrolment.json()
        uri = urlsplit(body["otpauth_uri"])
        assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
        query = parse_qs(uri.query)
        assert query["secret"] == [body["secret"]] and query["issuer"] == ["ringi"]
        assert someone in uri.path
        assert "<svg" in body["qr_svg"] and "http" not in body["qr_svg"].replace("http://www.w3.org", "")
        assert body["qr_data_url"].startswith("data:image/svg+xml;base64,")

        wrong = await http.post(
            "/v1/auth/totp/confirm",
            json={"code": "000000" if pyotp.TOTP(body["secret"]).now() != "000000" else "111111"},
        )
        assert "does not match" in assert_problem(wrong, 401)["detail"]
        malformed = await http.post("/v1/auth/totp/confirm", json={"code": "12ab56"})
        assert_problem(malformed, 422)

        confirmed = await http.post("/v1/auth/totp/confirm", json={"code": pyotp.TOTP(body["secret"]).now()})
        assert confirmed.status_code == 200, confirmed.text
        codes = confirmed.json()["recovery_codes"]
        assert len(codes) == len(set(codes)) == 10

        again = await http.post("/v1/auth/totp/confirm", json={"code": pyotp.TOTP(body["secret"]).now()})
        assert "no enrolment is pending" in assert_problem(again, 409)["detail"]

    async with database(api) as session:
        row = await session.get(StaffTotpRow, someone)
        assert row is not None and row.secret_sealed is not None and row.confirmed_at is not None
        assert body["secret"] not in row.secret_sealed, "the secret is stored sealed"
        hashes = (
            await session.scalars(select(RecoveryCodeRow.code_hash).where(RecoveryCodeRow.staff_id == someone))
        ).all()
        assert len(hashes) == 10 and not set(hashes) & {c for c in codes}, "recovery codes are stored hashed"


async def test_enrolment_needs_a_signed_in_staff_member_in_the_office(api: Api, staff: Staff) -> None:
    async with api.client(OFFICE_IP) as http:
        assert_problem(await http.post("/v1/auth/totp/enrol"), 401)
    token = await api.token(staff.take())  # signed in at the office, the token carried home
    async with api.client(HOME_IP, authorization=f"Bearer {token}") as http:
        assert assert_problem(await http.post("/v1/auth/totp/enrol"), 403)["detail"] == OFFICE_ONLY
        assert (
            assert_problem(await http.post("/v1/auth/totp/confirm", json={"code": "123456"}), 403)["detail"]
            == OFFICE_ONLY
        )


async def test_from_outside_an_enrolled_member_signs_in_with_the_current_code_once(api: Api, staff: Staff) -> None:
    someone = staff.take()
    totp, _ = await enrolled(api, someone)

    missing = await api.sign_in(someone, ip=HOME_IP)
    assert assert_problem(missing, 401)["detail"] == OTP_REQUIRED
    code = next_code(totp)
    wrong = str((int(code) + 1) % 1_000_000).zfill(6)
    assert assert_problem(await api.sign_in(someone, ip=HOME_IP, otp=wrong), 401)["detail"] == WRONG_OTP
    assert (
        assert_problem(await api.sign_in(someone, ip=HOME_IP, password="x", otp=code), 401)["detail"]
        == WRONG_CREDENTIALS
    )

    signed_in = await api.sign_in(someone, ip=HOME_IP, otp=code)
    assert signed_in.status_code == 200, signed_in.text
    async with api.client(HOME_IP, authorization=f"Bearer {signed_in.json()['access_token']}") as http:
        assert (await http.get("/v1/me")).json()["id"] == someone

    replay = await api.sign_in(someone, ip=HOME_IP, otp=code)
    assert assert_problem(replay, 401)["detail"] == WRONG_OTP, "a code is good once"


async def test_each_recovery_code_signs_in_once(api: Api, staff: Staff) -> None:
    someone = staff.take()
    _, codes = await enrolled(api, someone)
    assert (await api.sign_in(someone, ip=HOME_IP, otp=codes[0])).status_code == 200
    assert assert_problem(await api.sign_in(someone, ip=HOME_IP, otp=codes[0]), 401)["detail"] == WRONG_OTP
    loosely_typed = codes[1].upper().replace("-", " ")
    assert (await api.sign_in(someone, ip=HOME_IP, otp=loosely_typed)).status_code == 200
    other = staff.take()
    _, others = await enrolled(api, other)
    assert assert_problem(await api.sign_in(someone, ip=HOME_IP, otp=others[0]), 401)["detail"] == WRONG_OTP


async def test_office_ranges_come_from_the_settings(signin_database: str, tmp_path: Path, staff: Staff) -> None:
    async with running_api(signin_database, tmp_path, office_networks="10.0.0.0/8, 192.0.2.0/24") as api:
        someone = staff.take()
        assert (await api.sign_in(someone, ip="10.20.30.40")).status_code == 200
        assert (await api.sign_in(someone, ip="192.0.2.77")).status_code == 200
        for outside in ("127.0.0.1", HOME_IP, "11.0.0.1"):
            assert assert_problem(await api.sign_in(someone, ip=outside), 403)["detail"] == ENROL_FIRST


async def test_x_forwarded_for_counts_only_from_a_trusted_proxy(
    signin_database: str, tmp_path: Path, staff: Staff
) -> None:
    someone = staff.take()
    # Default settings: no proxy is trusted, so a forged header changes nothing.
    async with (
        running_api(signin_database, tmp_path) as api,
        api.client(HOME_IP, **{"x-forwarded-for": "127.0.0.1"}) as http,
    ):
        r = await http.post("/v1/auth/token", json={"staff_id": someone, "password": "demo"})
        assert assert_problem(r, 403)["detail"] == ENROL_FIRST

    proxy = "10.1.1.1"
    settings = {"office_networks": "10.0.0.0/8", "trusted_proxies": f"{proxy}/32"}
    async with running_api(signin_database, tmp_path, **settings) as api:
        for forwarded, status in (
            ("10.50.0.7", 200),  # an office PC behind the proxy
            (HOME_IP, 403),  # a teleworker behind the same proxy
            (f"10.50.0.7, {HOME_IP}", 403),  # the client forged the left part; the proxy appended the truth
            ("not-an-address", 403),
        ):
            async with api.client(proxy, **{"x-forwarded-for": forwarded}) as http:
                r = await http.post("/v1/auth/token", json={"staff_id": someone, "password": "demo"})
                assert r.status_code == status, (forwarded, r.text)
        # The same proxy without the header is itself an office address.
        assert (await api.sign_in(someone, ip=proxy)).status_code == 200
        log = await access_log(api, ip=proxy, staff_id=someone, kind="sign_in")
        assert {e["client_ip"] for e in log} >= {"10.50.0.7", HOME_IP, proxy}


# --- lockout ------------------------------------------------------------------------------------------------------


async def test_lockout_after_consecutive_failures(api: Api, staff: Staff, monkeypatch: pytest.MonkeyPatch) -> None:
    someone = staff.take()
    threshold = api.settings.lockout_threshold
    for _ in range(threshold - 1):
        assert assert_problem(await api.sign_in(someone, password="wrong"), 401)["detail"] == WRONG_CREDENTIALS
    locked = await api.sign_in(someone, password="wrong")
    problem = assert_problem(locked, 429)
    assert "locked" in problem["detail"]
    retry_after = int(locked.headers["Retry-After"])
    assert 0 < retry_after <= api.settings.lockout_minutes * 60
    # Even the right password is refused while locked.
    still = await api.sign_in(someone)
    assert "locked" in assert_problem(still, 429)["detail"]
    assert int(still.headers["Retry-After"]) <= retry_after

    later = datetime.now(UTC) + timedelta(minutes=api.settings.lockout_minutes, seconds=1)  # the lock lapses
    monkeypatch.setattr(clock, "now", lambda: later)
    assert (await api.sign_in(someone)).status_code == 200


async def test_a_success_resets_the_count(api: Api, staff: Staff) -> None:
    someone = staff.take()
    threshold = api.settings.lockout_threshold
    for _ in range(2):
        for _ in range(threshold - 1):
            assert_problem(await api.sign_in(someone, password="wrong"), 401)
        assert (await api.sign_in(someone)).status_code == 200


async def test_unknown_ids_are_counted_and_answered_like_known_ones(api: Api, staff: Staff) -> None:
    known, unknown = staff.take(), "nobody-by-that-id"
    threshold = api.settings.lockout_threshold
    for _ in range(threshold - 1):
        a = await api.sign_in(known, password="wrong")
        b = await api.sign_in(unknown, password="wrong")
        assert (a.status_code, a.json()["detail"]) == (b.status_code, b.json()["detail"]) == (401, WRONG_CREDENTIALS)
    a, b = await api.sign_in(known, password="wrong"), await api.sign_in(unknown, password="wrong")
    assert a.status_code == b.status_code == 429
    assert a.headers["Retry-After"] and b.headers["Retry-After"]
    assert a.json()["title"] == b.json()["title"]


async def test_wrong_one_time_codes_lock_the_account_too(api: Api, staff: Staff) -> None:
    someone = staff.take()
    totp, _ = await enrolled(api, someone)
    code = next_code(totp)
    wrong = str((int(code) + 1) % 1_000_000).zfill(6)
    for _ in range(api.settings.lockout_threshold - 1):
        assert_problem(await api.sign_in(someone, ip=HOME_IP, otp=wrong), 401)
    assert_problem(await api.sign_in(someone, ip=HOME_IP, otp=wrong), 429)
    assert_problem(await api.sign_in(someone, ip=HOME_IP, otp=code), 429)


async def test_lockout_settings(signin_database: str, tmp_path: Path, staff: Staff) -> None:
    async with running_api(signin_database, tmp_path, lockout_threshold=2, lockout_minutes=1) as api:
        someone = staff.take()
        assert_problem(await api.sign_in(someone, password="wrong"), 401)
        locked = await api.sign_in(someone, password="wrong")
        assert_problem(locked, 429)
        assert 0 < int(locked.headers["Retry-After"]) <= 60


# --- the access log -----------------------------------------------------------------------------------------------


async def test_sign_ins_are_in_the_access_log(api: Api, staff: Staff) -> None:
    someone = staff.take()
    assert_problem(await api.sign_in(someone, password="wrong", ip=HOME_IP), 401)
    assert_problem(await api.sign_in(someone, ip=HOME_IP), 403)
    assert (await api.sign_in(someone)).status_code == 200
    assert_problem(await api.sign_in("ghost-42", password="x"), 401)

    entries = await access_log(api, staff_id=someone)
    assert [(e["kind"], e["outcome"], e["reason"], e["client_ip"]) for e in reversed(entries)] == [
        ("sign_in", "failure", "wrong password", HOME_IP),
        ("sign_in", "failure", "second factor not enrolled", HOME_IP),
        ("sign_in", "success", "office network", OFFICE_IP),
    ]
    assert all(e["user_agent"] == "pytest-signin" and e["document_id"] is None for e in entries)
    ghost = await access_log(api, staff_id="ghost-42")
    assert [(e["outcome"], e["reason"]) for e in ghost] == [("failure", "unknown staff id")]

    failures = await access_log(api, staff_id=someone, outcome="failure", client_ip=HOME_IP)
    assert len(failures) == 2
    later = datetime.now(UTC) + timedelta(minutes=1)
    assert await access_log(api, staff_id=someone, since=later.isoformat()) == []
    assert len(await access_log(api, staff_id=someone, until=later.isoformat())) == 3


async def test_document_reads_are_in_the_access_log(api: Api, staff: Staff) -> None:
    drafter = DRAFTER  # 総務課 主事: holds a post, so may draft
    token = await api.token(drafter)
    async with api.client(OFFICE_IP, authorization=f"Bearer {token}", **{"user-agent": "reader/1"}) as http:
        draft = await http.post(
            "/v1/documents",
            json={"title": "t", "matter": "spending", "amount_yen": 1, "confidentiality": 2, "retention_years": 1},
        )
        assert draft.status_code == 201, draft.text
        doc_id = draft.json()["id"]
        assert (await http.get(f"/v1/documents/{doc_id}")).status_code == 200
        assert (await http.get(f"/v1/documents/{doc_id}/audit")).status_code == 200
    outsider = staff.take()
    outsider_token = await api.token(outsider)
    async with api.client(HOME_IP, authorization=f"Bearer {outsider_token}") as http:
        assert_problem(await http.get(f"/v1/documents/{doc_id}"), 404)

    entries = await access_log(api, document_id=doc_id)
    seen = [(e["kind"], e["outcome"], e["staff_id"], e["client_ip"]) for e in reversed(entries)]
    assert seen == [
        ("document_read", "success", drafter, OFFICE_IP),
        ("audit_read", "success", drafter, OFFICE_IP),
        ("document_read", "failure", outsider, HOME_IP),
    ]
    assert entries[-1]["user_agent"] == "reader/1"
    reads = await access_log(api, kind="document_read", staff_id=drafter)
    assert doc_id in {e["document_id"] for e in reads}


async def test_only_admins_read_the_access_log(api: Api, staff: Staff) -> None:
    token = await api.token(staff.take())
    async with api.client(OFFICE_IP, authorization=f"Bearer {token}") as http:
        assert "administrators" in assert_problem(await http.get("/v1/access-log"), 403)["detail"]
        assert_problem(await http.get("/v1/access-log", params={"kind": "nonsense"}), 422)
    async with api.client(OFFICE_IP) as http:
        assert_problem(await http.get("/v1/access-log"), 401)


# --- administrators: a lost phone, a lockout lifted ------------------------------------------------------------------


async def test_an_admin_resets_a_lost_second_factor(api: Api, staff: Staff) -> None:
    someone = staff.take()
    totp, codes = await enrolled(api, someone)
    member = await api.token(someone)
    async with api.client(OFFICE_IP, authorization=f"Bearer {member}") as http:
        assert "administrators" in assert_problem(await http.delete(f"/v1/auth/totp/{someone}"), 403)["detail"]
    admin = await api.token(ADMIN)
    async with api.client(OFFICE_IP, authorization=f"Bearer {admin}") as http:
        assert (await http.delete(f"/v1/auth/totp/{someone}")).status_code == 204
        assert_problem(await http.delete(f"/v1/auth/totp/{someone}"), 404)
    # Outside the office the member must enrol again; the old recovery codes are gone.
    assert assert_problem(await api.sign_in(someone, ip=HOME_IP, otp=codes[0]), 403)["detail"] == ENROL_FIRST
    async with database(api) as session:
        left = await session.scalars(select(RecoveryCodeRow).where(RecoveryCodeRow.staff_id == someone))
        assert left.all() == []
    totp, _ = await enrolled(api, someone)
    assert (await api.sign_in(someone, ip=HOME_IP, otp=next_code(totp))).status_code == 200


async def test_an_admin_lifts_a_lockout(api: Api, staff: Staff) -> None:
    someone = staff.take()
    for _ in range(api.settings.lockout_threshold):
        await api.sign_in(someone, password="wrong")
    assert_problem(await api.sign_in(someone), 429)
    admin = await api.token(ADMIN)
    async with api.client(OFFICE_IP, authorization=f"Bearer {admin}") as http:
        assert (await http.delete(f"/v1/auth/lockout/{someone}")).status_code == 204
        assert_problem(await http.delete("/v1/auth/lockout/never-failed"), 404)
    assert (await api.sign_in(someone)).status_code == 200
    other = await api.token(staff.take())
    async with api.client(OFFICE_IP, authorization=f"Bearer {other}") as http:
        assert_problem(await http.delete(f"/v1/auth/lockout/{someone}"), 403)


async def test_the_new_routes_are_in_the_openapi_document_with_bearer_security(api: Api) -> None:
    async with api.client() as http:
        spec = (await http.get("/openapi.json")).json()
    for path, method in (
        ("/v1/auth/totp/enrol", "post"),
        ("/v1/auth/totp/confirm", "post"),
        ("/v1/auth/totp/{staff_id}", "delete"),
        ("/v1/auth/lockout/{staff_id}", "delete"),
        ("/v1/access-log", "get"),
    ):
        assert spec["paths"][path][method].get("security"), f"{method} {path}"
    token = spec["components"]["schemas"]["TokenRequest"]["properties"]
    assert "otp" in token


async def test_authenticate_raises_a_class_per_reason(api: Api, staff: Staff) -> None:
    """The web UI's sign-in page calls the service directly and tells the reasons apart by class."""
    someone, enrolled_one = staff.take(), staff.take()
    totp, _ = await enrolled(api, enrolled_one)
    state = api.app.state.ringi

    async def attempt(staff_id: str, password: str, otp: str | None, ip: str) -> StaffRow:
        async with state.sessions() as session:  # as a request's one session: authenticate commits its record
            return await authenticate(session, api.settings, staff_id, password, otp, ip, "ui")

    assert (await attempt(someone, "demo", None, OFFICE_IP)).id == someone
    for staff_id, password, otp, ip, error in (
        (someone, "wrong", None, OFFICE_IP, WrongCredentials),
        ("nobody-at-all", "demo", None, OFFICE_IP, WrongCredentials),
        (someone, "demo", None, HOME_IP, SecondFactorNotEnrolled),
        (enrolled_one, "demo", None, HOME_IP, SecondFactorRequired),
        (enrolled_one, "demo", "000000" if next_code(totp) != "000000" else "111111", HOME_IP, WrongSecondFactor),
    ):
        with pytest.raises(error):
            await attempt(staff_id, password, otp, ip)
    assert (await attempt(enrolled_one, "demo", next_code(totp), HOME_IP)).id == enrolled_one
    for _ in range(api.settings.lockout_threshold):
        with contextlib.suppress(WrongCredentials, TooManyAttempts):
            await attempt(someone, "wrong", None, OFFICE_IP)
    with pytest.raises(TooManyAttempts):
        await attempt(someone, "demo", None, OFFICE_IP)


async def test_a_changed_encryption_key_asks_for_a_new_enrolment(
    signin_database: str, tmp_path: Path, staff: Staff
) -> None:
    async with running_api(signin_database, tmp_path, totp_encryption_key="first-key-0123456789") as api:
        someone = staff.take()
        totp, _ = await enrolled(api, someone)
    async with running_api(signin_database, tmp_path, totp_encryption_key="second-key-0123456789") as api:
        r = await api.sign_in(someone, ip=HOME_IP, otp=next_code(totp))
        assert "enrol again" in assert_problem(r, 403)["detail"]
        assert (await api.sign_in(someone, ip=OFFICE_IP)).status_code == 200
