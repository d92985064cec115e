"""TOTP enrolment (二要素認証の登録): from the office network only, confirmed by a first code, with recovery codes."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services import throttle
from api.services.auth import in_office
from core import clock
from core.errors import Conflict, Forbidden, NotFound, Unauthorized
from core.second_factor import (
    SecretBox,
    matching_counter,
    new_recovery_codes,
    new_secret,
    otpauth_uri,
    qr_svg,
    recovery_code_hash,
    svg_data_url,
)
from db.models import StaffRow, StaffTotpRow
from db.repositories.sessions import SessionRepository
from db.repositories.signin import TotpRepository
from db.session import writing
from domain.throttle import Attempt, Failure, Verdict
from schemas.api.signin import TotpConfirmed, TotpEnrolment

log = structlog.get_logger("ringi.auth")

OFFICE_ONLY = "the second factor can only be enrolled from the office network"


class SecondFactorService:
    def __init__(self, app: AppState, session: AsyncSession) -> None:
        self._app = app
        self._session = session
        self._box = SecretBox(app.settings.totp_keys())

    async def enrol(self, staff: StaffRow, *, client_ip: str) -> TotpEnrolment:
        """A new secret, pending until confirmed (an active one keeps working until then)."""
        self._office_only(client_ip)
        secret = new_secret()
        now = datetime.now(UTC)
        async with writing(self._session) as session:
            repo = TotpRepository(session)
            row = await repo.get(staff.id, for_update=True)
            if row is None:
                row = StaffTotpRow(staff_id=staff.id, updated_at=now)
                repo.add(row)
            row.pending_secret_sealed = self._box.seal(secret)
            row.updated_at = now
        uri = otpauth_uri(secret, account=staff.id, issuer=self._app.settings.totp_issuer)
        svg = qr_svg(uri)
        log.info("auth.totp_enrolment_started", staff_id=staff.id)
        return TotpEnrolment(otpauth_uri=uri, secret=secret, qr_svg=svg, qr_data_url=svg_data_url(svg))

    async def confirm(self, staff: StaffRow, code: str, *, client_ip: str) -> TotpConfirmed:
        """The first code from the app activates the pending secret; answers with 10 fresh recovery codes."""
        self._office_only(client_ip)
        now = clock.now()
        settings = self._app.settings
        attempt = Attempt(address=client_ip, office=True, second_factor=False)  # enrolment is from the office only
        past = await throttle.history(self._session, settings, client_ip=client_ip, staff_id=staff.id, now=now)
        judged = throttle.judge(settings, attempt, past, now=now)
        if judged.verdict is not Verdict.GO:
            raise throttle.refusal(judged, now=now)
        codes = new_recovery_codes()
        key = self._app.settings.totp_keys()[0]  # the current key: new codes are hashed with it
        async with writing(self._session) as session:
            repo = TotpRepository(session)
            row = await repo.get(staff.id, for_update=True)
            if row is None or row.pending_secret_sealed is None:
                raise Conflict("no enrolment is pending: start one with POST /v1/auth/totp/enrol")
            counter = matching_counter(self._box.open(row.pending_secret_sealed), code.strip(), now=now, after=None)
            if counter is None:
                failure = Failure(at=now, address=client_ip, office=True)
                await throttle.count_failure(session, settings, staff_id=staff.id, failure=failure, now=now)
                wrong = True
            else:
                wrong = False
                row.secret_sealed, row.pending_secret_sealed = row.pending_secret_sealed, None
                row.last_counter = counter
                row.confirmed_at = row.updated_at = now
                hashes = [recovery_code_hash(c, staff_id=staff.id, key_material=key) for c in codes]
                await repo.replace_recovery_codes(staff.id, hashes, at=now)
        if wrong:  # the failure is committed (it counts towards the back-off) before the refusal
            raise Unauthorized("the code does not match the enrolment: check the app's clock and try again")
        log.info("auth.totp_enrolled", staff_id=staff.id)
        return TotpConfirmed(recovery_codes=codes, confirmed_at=now)

    async def enrolled_at(self, staff: StaffRow) -> datetime | None:
        """When the staff member's second factor was confirmed (None: not enrolled)."""
        row = await TotpRepository(self._session).get(staff.id)
        return row.confirmed_at if row is not None and row.secret_sealed is not None else None

    async def reset(self, admin: StaffRow, staff_id: str) -> None:
        """An administrator removes a lost device's enrolment and its recovery codes (the staff member enrols
        again from the office)."""
        if not admin.is_admin:
            raise Forbidden("only administrators may reset a second factor")
        async with writing(self._session) as session:
            repo = TotpRepository(session)
            row = await repo.get(staff_id, for_update=True)
            if row is None:
                raise NotFound(f"{staff_id} has no second factor enrolled")
            await repo.remove(row)
            revoked = await SessionRepository(session).revoke_all(staff_id)  # a lost phone may be in other hands
        log.info("auth.totp_reset", staff_id=staff_id, admin_id=admin.id, sessions_revoked=revoked)

    def _office_only(self, client_ip: str) -> None:
        if not in_office(client_ip, self._app.settings):
            raise Forbidden(OFFICE_ONLY)
