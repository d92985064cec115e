"""Signed webhooks: HMAC-SHA256 of ``timestamp.body`` under the source's secret, within the replay window."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from core.signatures import SignatureRefused, sign, verify

SECRETS = {"e-shinsei": SecretStr("s3cret"), "other": SecretStr("another")}
NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
T = int(NOW.timestamp())
BODY = b'{"source": "e-shinsei"}'


def check(*, signature: str | None = None, timestamp: str | None = None, body: bytes = BODY) -> str:
    return verify(
        SECRETS,
        signature=sign("s3cret", timestamp=T, body=BODY) if signature is None else signature,
        timestamp=str(T) if timestamp is None else timestamp,
        body=body,
        now=NOW,
        max_age_seconds=300,
        skew_seconds=60,
    )


def test_a_good_signature_within_the_window_is_accepted() -> None:
    assert check() == "e-shinsei"
    assert check(signature=sign(b"another", timestamp=T, body=BODY)) == "other"  # who signed, not what it says
    assert sign("k", timestamp=1, body=b"x").startswith("sha256=")


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"signature": ""}, "missing"),
        ({"timestamp": ""}, "missing"),
        ({"timestamp": "soon"}, "seconds"),
        ({"timestamp": str(T - 301), "signature": sign("s3cret", timestamp=T - 301, body=BODY)}, "older"),
        ({"timestamp": str(T + 61), "signature": sign("s3cret", timestamp=T + 61, body=BODY)}, "future"),
        ({"signature": sign("wrong", timestamp=T, body=BODY)}, "does not match"),
        ({"body": BODY + b" "}, "does not match"),
        ({"signature": "sha256=" + "0" * 64}, "does not match"),
        ({"signature": "ｓｈａ"}, "does not match"),
    ],
)
def test_anything_else_is_refused_with_its_reason(kwargs: dict[str, object], reason: str) -> None:
    with pytest.raises(SignatureRefused, match=reason):
        check(**kwargs)  # type: ignore[arg-type]


def test_the_edges_of_the_window() -> None:
    check(timestamp=str(T - 300), signature=sign("s3cret", timestamp=T - 300, body=BODY))
    check(timestamp=str(T + 60), signature=sign("s3cret", timestamp=T + 60, body=BODY))
