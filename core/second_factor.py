"""TOTP second factor (二要素認証): sealed secrets, codes good once, QR codes drawn locally, recovery codes.

No I/O here: the service (api/services/auth.py) stores what these functions produce.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
from collections.abc import Sequence
from datetime import datetime

import pyotp
import qrcode
import qrcode.image.svg
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without mistakes


class SecretBox:
    """Encrypts TOTP secrets for the database (Fernet: AES-128-CBC + HMAC-SHA256).

    ``keys``: the current key first (it seals), then the keys of before a rotation (they still open)."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("no TOTP key configured")
        self._fernet = MultiFernet([Fernet(_fernet_key(key)) for key in keys])

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def reseal(self, sealed: str) -> str:
        """The same secret sealed with the current key (key rotation: done at the secret's next use)."""
        try:
            return self._fernet.rotate(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("the stored TOTP secret cannot be decrypted with the configured key") from exc

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("the stored TOTP secret cannot be decrypted with the configured key") from exc


def _fernet_key(key_material: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(b"ringi.totp-secret:" + key_material.encode()).digest())


def new_secret() -> str:
    return pyotp.random_base32()


def otpauth_uri(secret: str, *, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(data: str) -> str:
    """The QR code of ``data`` as a standalone SVG document, drawn here (no external service)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def svg_data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def looks_like_totp(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def matching_counter(secret: str, code: str, *, now: datetime, after: int | None) -> int | None:
    """The time step whose code is ``code`` (now, or one step either side for clock drift), if later than
    ``after`` (the step last accepted: a code is good once); None if it matches none."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for counter in (current, current - 1, current + 1):
        if (after is None or counter > after) and hmac.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes of 10 characters (about 49 bits each), shown once as ``xxxxx-xxxxx``."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def recovery_code_hashes(code: str, *, staff_id: str, keys: Sequence[str]) -> list[str]:
    """The code's hash under each key (the current one first): a code stored before a key rotation matches too."""
    return [recovery_code_hash(code, staff_id=staff_id, key_material=key) for key in keys]


def recovery_code_hash(code: str, *, staff_id: str, key_material: str) -> str:
    """A keyed hash (HMAC-SHA256): recovery codes are random and long, so a slow password hash would only cost
    time at every sign-in; the key keeps a copied table from being checked offline."""
    message = f"{staff_id}:{normalise_recovery_code(code)}".encode()
    key = hashlib.sha256(b"ringi.recovery-code:" + key_material.encode()).digest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
