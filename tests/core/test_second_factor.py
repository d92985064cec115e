"""TOTP codes (one step of drift, each good once), sealed secrets, recovery codes, QR codes drawn locally."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from core.second_factor import (
    SecretBox,
    matching_counter,
    new_recovery_codes,
    new_secret,
    otpauth_uri,
    qr_svg,
    recovery_code_hash,
)

NOW = datetime(2026, 11, 26, 9, 0, 10, tzinfo=UTC)


def test_a_code_matches_its_step_and_one_either_side() -> None:
    secret = new_secret()
    totp = pyotp.TOTP(secret)
    step = totp.timecode(NOW)
    for drift in (-1, 0, 1):
        code = totp.at(NOW + timedelta(seconds=30 * drift))
        assert matching_counter(secret, code, now=NOW, after=None) == step + drift
    assert matching_counter(secret, totp.at(NOW + timedelta(seconds=90)), now=NOW, after=None) is None
    assert matching_counter(secret, totp.at(NOW - timedelta(seconds=90)), now=NOW, after=None) is None


def test_a_code_is_good_once() -> None:
    secret = new_secret()
    code = pyotp.TOTP(secret).at(NOW)
    step = matching_counter(secret, code, now=NOW, after=None)
    assert step is not None
    assert matching_counter(secret, code, now=NOW, after=step) is None
    later = pyotp.TOTP(secret).at(NOW + timedelta(seconds=30))
    assert matching_counter(secret, later, now=NOW, after=step) == step + 1


def test_secrets_are_sealed_with_the_key() -> None:
    secret = new_secret()
    sealed = SecretBox(["key-one"]).seal(secret)
    assert secret not in sealed
    assert SecretBox(["key-one"]).open(sealed) == secret
    with pytest.raises(ValueError, match="cannot be decrypted"):
        SecretBox(["key-two"]).open(sealed)


def test_recovery_codes_are_distinct_and_hashed_per_staff_member() -> None:
    codes = new_recovery_codes()
    assert len(set(codes)) == 10
    assert all(len(c) == 11 and c[5] == "-" for c in codes)
    a = recovery_code_hash(codes[0], staff_id="s1", key_material="k")
    assert a == recovery_code_hash(codes[0].upper().replace("-", " "), staff_id="s1", key_material="k")
    assert a != recovery_code_hash(codes[0], staff_id="s2", key_material="k")
    assert a != recovery_code_hash(codes[0], staff_id="s1", key_material="other")


def test_the_qr_code_is_a_local_svg_of_the_uri() -> None:
    uri = otpauth_uri(new_secret(), account="s0026", issuer="ringi")
    assert uri.startswith("otpauth://totp/ringi:s0026?")
    svg = qr_svg(uri)
    assert svg.lstrip().startswith("<?xml") or svg.lstrip().startswith("<svg")
    assert "<path" in svg
    assert "href" not in svg, "nothing to fetch"
