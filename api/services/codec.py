"""The Temporal codec endpoint (コーデックサーバー): administrators read the encrypted payloads of core/payload_codec.py
in the Temporal UI or CLI, through Temporal's Codec Server Protocol.  Transport-free: the route parses nothing
itself.  Every decode is an entry of the access log (who read which namespace's payloads, how many)."""

from __future__ import annotations

from typing import Literal

import structlog
from cryptography.exceptions import InvalidTag
from sqlalchemy.ext.asyncio import AsyncSession

from api.origin import Origin
from core import clock
from core.errors import Forbidden, Invalid, NotFound, Unavailable
from core.payload_codec import EncryptionCodec, payloads_from_json, payloads_to_json
from core.settings import Settings
from db.models import AccessLogRow, StaffRow
from db.repositories.signin import AccessLogRepository
from db.session import writing

log = structlog.get_logger("ringi.codec")

Direction = Literal["decode", "encode"]


async def run(
    session: AsyncSession,
    settings: Settings,
    staff: StaffRow,
    direction: Direction,
    body: bytes,
    *,
    namespace: str | None,
    origin: Origin,
) -> str:
    """The protocol's answer (JSON) to ``body``: the payloads decoded (opened) or encoded (sealed)."""
    if not staff.is_admin:
        raise Forbidden("only administrators may read or seal Temporal payloads")
    if namespace and namespace != settings.temporal_namespace:
        raise NotFound(f"this codec serves the namespace {settings.temporal_namespace!r} only")
    keys = settings.temporal_payload_keys()
    if not keys:
        raise Unavailable("RINGI_TEMPORAL_PAYLOAD_KEY is not set: Temporal payloads are not encrypted")
    try:
        payloads = payloads_from_json(body)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    codec = EncryptionCodec(keys)
    try:
        answer = await (codec.decode(payloads) if direction == "decode" else codec.encode(payloads))
    except InvalidTag as exc:
        raise Invalid("a payload does not open with its key: altered, or sealed by another key of that id") from exc
    except ValueError as exc:  # an unknown key id
        raise Invalid(str(exc)) from exc
    if direction == "decode":
        async with writing(session) as unit:
            AccessLogRepository(unit).add(
                AccessLogRow(
                    at=clock.now(),
                    kind="payload_decode",
                    outcome="success",
                    reason=f"{len(payloads)} Temporal payloads decoded ({settings.temporal_namespace})",
                    staff_id=staff.id,
                    document_id=None,
                    client_ip=origin.client_ip,
                    user_agent=origin.user_agent,
                )
            )
    log.info(f"codec.{direction}d", staff_id=staff.id, payloads=len(payloads))
    return payloads_to_json(answer)
