"""The Temporal codec endpoint (#13): administrators read the encrypted payloads in the Temporal UI or CLI through
Temporal's Codec Server Protocol; off unless enabled; CORS for the configured Temporal UI origin only."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from pydantic import ValidationError
from temporalio.api.common.v1 import Payload

from core.payload_codec import ENCODING, EncryptionCodec
from core.settings import Settings
from tests.api.support import ADMIN, assert_problem
from tests.auth.conftest import OFFICE_IP, Api, Staff, running_api
from tests.auth.test_sign_in import access_log

KEY = "codec-test-key-" + "k" * 32
OLD_KEY = "codec-old-key-" + "o" * 32
UI = "http://127.0.0.1:8233"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def body(*payloads: Payload) -> dict[str, Any]:
    return {
        "payloads": [{"metadata": {k: b64(v) for k, v in p.metadata.items()}, "data": b64(p.data)} for p in payloads]
    }


def plain(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=json.dumps(text, ensure_ascii=False).encode())


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def codec_api(signin_database: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Api]:
    async with running_api(
        signin_database,
        tmp_path_factory.mktemp("codec"),
        codec_endpoint_enabled=True,
        codec_cors_origin=UI,
        temporal_payload_key=KEY,
        temporal_payload_previous_keys=OLD_KEY,
    ) as api:
        yield api


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def admin_token(codec_api: Api) -> str:
    return await codec_api.token(ADMIN)


async def post(api: Api, path: str, payload: Any, token: str | None, **headers: str) -> Any:
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    async with api.client(OFFICE_IP, **headers) as http:
        return await http.post(path, json=payload)


async def test_the_codec_is_off_unless_enabled(api: Api) -> None:
    token = await api.token(ADMIN)
    assert_problem(await post(api, "/codec/decode", {"payloads": []}, token), 404)


async def test_an_admin_decodes_what_the_worker_sealed(codec_api: Api, admin_token: str) -> None:
    comment = plain("予算の執行について伺います (個人情報を含む)")
    sealed = await EncryptionCodec([KEY]).encode([comment])
    older = await EncryptionCodec([OLD_KEY]).encode([plain("旧鍵")])  # a history from before a rotation
    r = await post(
        codec_api, "/codec/decode", body(*sealed, *older, plain("clear")), admin_token, **{"x-namespace": "default"}
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    got = r.json()["payloads"]
    assert base64.b64decode(got[0]["metadata"]["encoding"]) == b"json/plain"
    assert json.loads(base64.b64decode(got[0]["data"])) == "予算の執行について伺います (個人情報を含む)"
    assert json.loads(base64.b64decode(got[1]["data"])) == "旧鍵"
    assert json.loads(base64.b64decode(got[2]["data"])) == "clear"  # sealed before encryption: passes through
    log = await access_log(codec_api, staff_id=ADMIN, kind="payload_decode")
    assert log and "3 Temporal payloads decoded" in log[0]["reason"]


async def test_encode_seals_with_the_current_key_and_decode_opens_it(codec_api: Api, admin_token: str) -> None:
    r = await post(codec_api, "/codec/encode", body(plain("合議")), admin_token)
    assert r.status_code == 200, r.text
    sealed = r.json()["payloads"][0]
    assert base64.b64decode(sealed["metadata"]["encoding"]) == ENCODING
    assert "合議".encode() not in base64.b64decode(sealed["data"])
    opened = await post(codec_api, "/codec/decode", {"payloads": [sealed]}, admin_token)
    assert json.loads(base64.b64decode(opened.json()["payloads"][0]["data"])) == "合議"


async def test_only_administrators(codec_api: Api, staff: Staff) -> None:
    assert_problem(await post(codec_api, "/codec/decode", {"payloads": []}, None), 401)
    someone = await codec_api.token(staff.take())
    refused = assert_problem(await post(codec_api, "/codec/decode", {"payloads": []}, someone), 403)
    assert "administrators" in refused["detail"]


@pytest.mark.parametrize(
    ("payload", "headers", "status"),
    [
        ({"payloads": [{"data": 5}]}, {}, 422),  # not the protocol's shape
        ([1, 2], {}, 422),
        ({"payloads": []}, {"x-namespace": "someone-else"}, 404),  # another namespace's codec
    ],
)
async def test_bad_requests_are_problems(
    codec_api: Api, admin_token: str, payload: Any, headers: dict[str, str], status: int
) -> None:
    assert_problem(await post(codec_api, "/codec/decode", payload, admin_token, **headers), status)


async def test_a_payload_of_an_unknown_or_altered_key_is_a_422(codec_api: Api, admin_token: str) -> None:
    foreign = await EncryptionCodec(["a-key-nobody-configured-" + "x" * 32]).encode([plain("x")])
    unknown = assert_problem(await post(codec_api, "/codec/decode", body(*foreign), admin_token), 422)
    assert "RINGI_TEMPORAL_PAYLOAD_PREVIOUS_KEYS" in unknown["detail"]
    sealed = (await EncryptionCodec([KEY]).encode([plain("x")]))[0]
    altered = Payload(metadata=dict(sealed.metadata), data=sealed.data[:-1] + bytes([sealed.data[-1] ^ 1]))
    assert_problem(await post(codec_api, "/codec/decode", body(altered), admin_token), 422)


async def test_cors_for_the_temporal_ui_origin_only(codec_api: Api, admin_token: str) -> None:
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "authorization"}
    async with codec_api.client(OFFICE_IP, origin=UI, **preflight) as http:
        r = await http.options("/codec/decode")
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == UI
    assert "authorization" in r.headers["access-control-allow-headers"]
    assert r.headers["access-control-allow-methods"] == "POST"
    async with codec_api.client(OFFICE_IP, origin="https://evil.example", **preflight) as http:
        r = await http.options("/codec/decode")
    assert r.status_code == 403 and "access-control-allow-origin" not in r.headers
    ok = await post(codec_api, "/codec/decode", {"payloads": []}, admin_token, origin=UI)
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == UI
    refused = await post(codec_api, "/codec/decode", {"payloads": []}, None, origin=UI)  # the UI can read why
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == UI
    other = await post(codec_api, "/codec/decode", {"payloads": []}, admin_token, origin="https://evil.example")
    assert "access-control-allow-origin" not in other.headers
    async with codec_api.client(OFFICE_IP, origin=UI, **preflight) as http:  # nothing else of ringi is opened
        assert "access-control-allow-origin" not in (await http.options("/v1/me")).headers


def test_the_settings_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="RINGI_CODEC_CORS_ORIGIN"):
        Settings(data_dir=tmp_path, codec_cors_origin="http://127.0.0.1:8233/ui")
    problems = Settings(data_dir=tmp_path, codec_endpoint_enabled=True).production_problems()
    assert any(p.startswith("RINGI_CODEC_ENDPOINT_ENABLED") for p in problems)
