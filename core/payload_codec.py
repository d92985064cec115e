"""Encrypted Temporal payloads: AES-256-GCM over every payload the client sends (workflow inputs and results,
activity arguments, signals, updates, memos), so Temporal's database, history exports and UI never hold comments,
amounts or personal data in plain text.

Each encrypted payload carries ``encoding: binary/encrypted`` and the id of the key that sealed it
(``encryption-key-id``: the first 16 hex digits of the key's SHA-256, never the key).  Rotation: the current key
(``RINGI_TEMPORAL_PAYLOAD_KEY``) seals, any configured key (it or one of ``RINGI_TEMPORAL_PAYLOAD_PREVIOUS_KEYS``)
opens — keep an old key listed until every history it sealed has ended its retention.  Payloads without the
encrypted encoding (histories from before the key was set) pass through unchanged.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import replace

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.converter import DataConverter, PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12


def _aes_key(secret: str) -> bytes:
    """The 256-bit AES key of a configured secret (any string of >= 32 bytes: it is hashed to the key size)."""
    return hashlib.sha256(b"ringi-temporal-payload\x00" + secret.encode()).digest()


def key_id(secret: str) -> str:
    """What a payload records of its key: a fingerprint of the AES key, not the key."""
    return hashlib.sha256(_aes_key(secret)).hexdigest()[:16]


class EncryptionCodec(PayloadCodec):
    """Seal with the first key, open with any (by the payload's key id)."""

    def __init__(self, secrets: Sequence[str]) -> None:
        if not secrets or not all(secrets):
            raise ValueError("an encrypting codec needs at least one non-empty key")
        self._current = key_id(secrets[0])
        self._keys = {key_id(s): AESGCM(_aes_key(s)) for s in secrets}

    @property
    def current_key_id(self) -> str:
        return self._current

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._seal(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._open(p) for p in payloads]

    def _seal(self, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)
        kid = self._current.encode()
        sealed = self._keys[self._current].encrypt(nonce, payload.SerializeToString(), kid)
        return Payload(metadata={"encoding": ENCODING, KEY_ID: kid}, data=nonce + sealed)

    def _open(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload  # sealed before encryption was switched on
        kid = payload.metadata.get(KEY_ID, b"")
        aead = self._keys.get(kid.decode(errors="replace"))
        if aead is None:
            raise ValueError(
                f"payload sealed with unknown key id {kid.decode(errors='replace')!r}: add its key to"
                " RINGI_TEMPORAL_PAYLOAD_PREVIOUS_KEYS"
            )
        opened = Payload()
        opened.ParseFromString(aead.decrypt(payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:], kid))
        return opened


def with_encryption(converter: DataConverter, secrets: Iterable[str]) -> DataConverter:
    """``converter`` sealing its payloads with the keys (the current one first); unchanged without keys."""
    keys = [s for s in secrets if s]
    if not keys:
        return converter
    return replace(converter, payload_codec=EncryptionCodec(keys))


# --- the Temporal Codec Server Protocol (POST /decode, POST /encode: what the Temporal UI and CLI call) ----------


def payloads_from_json(body: bytes) -> list[Payload]:
    """``{"payloads": [{"metadata": {name: base64}, "data": base64}]}`` (proto3 JSON of ``Payloads``) → payloads;
    ``ValueError`` with the reason when the body is not that."""
    try:
        message = json_format.Parse(body, Payloads())
    except (json_format.ParseError, UnicodeDecodeError) as exc:
        raise ValueError(f'expected {{"payloads": [{{"metadata": {{…}}, "data": "<base64>"}}]}}: {exc}') from exc
    return list(message.payloads)


def payloads_to_json(payloads: Sequence[Payload]) -> str:
    """The answer of the protocol: the same shape, base64 bytes (proto3 JSON)."""
    return json_format.MessageToJson(Payloads(payloads=payloads), indent=None)
