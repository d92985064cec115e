"""Signed webhooks (署名付き受信): HMAC-SHA256 of ``timestamp + "." + body`` under the sender's shared secret.

The sender puts ``X-Ringi-Timestamp: <unix seconds>`` and ``X-Ringi-Signature: sha256=<hex>`` on the request.
A signature is accepted only when it matches under the source's secret (compared in constant time) and the
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
    source: str | None,
    signature: str | None,
    timestamp: str | None,
    body: bytes,
    now: datetime,
    max_age_seconds: int,
    skew_seconds: int,
) -> None:
    """Accept the request or raise ``SignatureRefused`` with the reason."""
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
    secret = secrets.get(source or "")
    # An unknown source is checked against a throw-away key: the answer and its time do not tell it apart.
    key = secret.get_secret_value().encode() if secret is not None else b"\x00" * 32
    expected = sign(key, timestamp=timestamp, body=body)
    matched = hmac.compare_digest(expected.encode(), signature.strip().encode("utf-8", "replace"))
    if not matched or secret is None:
        raise SignatureRefused("the signature does not match the body under the source's secret")
