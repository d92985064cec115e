"""A signed online application (電子申請) as the form service posts it to ``/v1/intake/applications``."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from core.signatures import sign

SOURCE = "e-shinsei"
SECRET = "intake-web-secret-0123456789"
PATH = "/v1/intake/applications"


def application(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "source": SOURCE,
        "form_id": "road-damage",
        "application_id": f"A-{uuid.uuid4().hex[:12]}",
        "submitted_at": datetime.now(UTC).isoformat(),
        "applicant": {"name": "山田 太郎", "address": "萩市大字椿東1番地", "phone": "0838-00-0000"},
        "answers": {"場所": "椿東1番地先 市道", "状況": "路面に穴があいています"},
        "attachments": [],
    }
    return body | overrides


async def post_application(http: httpx.AsyncClient, body: dict[str, Any], *, secret: str = SECRET) -> httpx.Response:
    raw = json.dumps(body, ensure_ascii=False).encode()
    ts = int(time.time())
    headers = {
        "content-type": "application/json",
        "X-Ringi-Timestamp": str(ts),
        "X-Ringi-Signature": sign(secret, timestamp=ts, body=raw),
    }
    return await http.post(PATH, content=raw, headers=headers)
