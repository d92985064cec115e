"""Signed webhooks (署名付き受信): HMAC-SHA256 of ``timestamp + "." + body`` under the sender's shared secret.

The sender puts ``X-Ringi-Timestamp: <unix seconds>`` and ``X-Ringi-Signature: sha256=<hex>`` on the request.
A signature is accepted only when it matches under a source's secret (compared in constant time) and the
timestamp is at most ``max_age`` old and at most ``skew`` ahead of our clock: a captured request cannot be
replayed later.  Time is an argument (``now``), so this is tested without a clock.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime

from pydantic import SecretStr

SIGNATURE_HEADER = "X-Ringi-Signature"
TIMESTAMP_HEADER = "X-Ringi-Timestamp"
_PREFIX = "sha256="


class SignatureRefused(ValueError):
    """Why a signed request is not believed (said in the log and the 401; never which secret was tried)."""


def sign(secret: str | bytes, *, timestamp: int | str, body: bytes) -> str:
    """The header value a sender computes: ``sha256=<hex of HMAC-SHA256(secret, timestamp "." body)>``."""
    key = secret.encode() if isinstance(secret, str) else secret
    return _PREFIX + hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def verify(
    secrets: Mapping[str, SecretStr],
    *,
    signature: str | None,
    timestamp: str | None,
    body: bytes,
    now: datetime,
    max_age_seconds: int,
    skew_seconds: int,
) -> str:
    """The source whose secret signed the request, or ``SignatureRefused`` with the reason.

    Every secret is tried (in constant time, without stopping at a match): the body need not be read to know
    who sent it, so a malformed body from a known sender is a 422 and not a 401.
    """
    if not signature:
        raise SignatureRefused(f"the {SIGNATURE_HEADER} header is missing")
    if not timestamp:
        raise SignatureRefused(f"the {TIMESTAMP_HEADER} header is missing")
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        raise SignatureRefused(f"{TIMESTAMP_HEADER} must be whole seconds since the Unix epoch")
    age = now.timestamp() - int(timestamp)
    if age > max_age_seconds:
        raise SignatureRefused(f"the timestamp is older than {max_age_seconds} seconds")
    if -age > skew_seconds:
        raise SignatureRefused("the timestamp is in the future")
    given = signature.strip().encode("utf-8", "replace")
    matched = None
    for source, secret in secrets.items():
        expected = sign(secret.get_secret_value(), timestamp=timestamp, body=body).encode()
        if hmac.compare_digest(expected, given) and matched is None:
            matched = source
    if matched is None:
        raise SignatureRefused("the signature does not match the body under any source's secret")
    return matched
