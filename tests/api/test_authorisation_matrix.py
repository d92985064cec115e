"""The authorisation matrix (#13), data-driven from the OpenAPI operation table: every GET route × the roles
(drafter, an approver on the route, another division, the records office, an HR administrator, an admin,
anonymous) × 機密性 1, 2, 3.

- anonymous: 401 on every route but sign-in;
- a document's own reads (``/v1/documents/{document_id}…``): the audience gets its answer; anyone else 403 for
  機密性1 and, for 機密性2 and 3, exactly the answer of a document that does not exist (404, same body);
- lists, search, registers, reports and exports: a 機密性2+ document (its id or its title) never appears in the
  answer of someone outside its audience, and the documents list and search show it to its audience;
- no route answers 5xx to anyone (but a documented 503: this stack has no finance system).

The documents: drafted in 子育て支援課 and submitted (子育て支援課長 → 財政課長 (合議) → 福祉部長), one per level,
each title with a marker of its own.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import pytest_asyncio

from api.openapi import OPERATIONS
from tests.api.support import ADMIN, BIG
from tests.support.stack import CITY, Stack, holder

AUTHOR = next(a.staff_id for a in CITY.assignments if a.org_unit_code == "fukushi.kodomo" and a.post_code == "staff")
ROLES: dict[str, str | None] = {
    "drafter": AUTHOR,
    "approver": holder("somu.zaisei", "manager"),  # 財政課長: 合議 on the route, another division
    "other_division": holder("fukushi.korei", "staff"),
    "records_office": holder("somu.somu", "chief"),  # granted records_office
    "hr_admin": holder("somu.jinji", "chief"),  # granted hr_admin: no power over documents
    "admin": ADMIN,
    "anonymous": None,
}
AUDIENCE = {"drafter", "approver", "records_office", "admin"}
LEVELS = (1, 2, 3)
SIGNED_OUT_ROUTES = {("POST", "/v1/auth/token")}
#: Routes whose caller is not a signed-in person (a signed request of another system).
OTHER_CALLERS = {("POST", "/v1/intake/applications"), ("POST", "/v1/intake/batch")}

DOCUMENT_PREFIX = "/v1/documents/{document_id}"
#: Values for path parameters other than a document's, and required query parameters.
PATH_VALUES = {"n": "1", "code": "0201-01-17-001", "staff_id": AUTHOR}
QUERY_VALUES = {"/v1/reports/monthly.csv": {"month": date.today().strftime("%Y-%m")}}


@dataclass
class Scene:
    ids: dict[int, str]
    markers: dict[int, str]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def scene(stack: Stack) -> Scene:
    ids, markers = {}, {}
    for level in LEVELS:
        marker = f"MX{level}{uuid.uuid4().hex[:10]}"
        doc = await stack.submitted(AUTHOR, BIG, title=f"行列試験 {marker}", confidentiality=level)
        assert ROLES["approver"] in {s["assignee_id"] for s in doc["steps"]}, doc["steps"]
        ids[level], markers[level] = str(doc["id"]), marker
    return Scene(ids, markers)


async def call(stack: Stack, role: str, method: str, path: str, **kwargs: Any) -> Any:
    who = ROLES[role]
    if who is None:
        return await stack.http.request(method, path, **kwargs)
    return await stack.call(who, method, path, **kwargs)


def _filled(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), "00000000-0000-0000-0000-000000000000"), path)


GETS = sorted(path for (method, path) in OPERATIONS if method == "GET")
DOCUMENT_READS = [p for p in GETS if p.startswith(DOCUMENT_PREFIX)]
LISTINGS = [p for p in GETS if not p.startswith(DOCUMENT_PREFIX)]


def test_the_matrix_covers_every_read_of_the_table() -> None:
    assert DOCUMENT_READS and LISTINGS and len(DOCUMENT_READS) + len(LISTINGS) == len(GETS)


@pytest.mark.parametrize(("method", "path"), sorted(OPERATIONS))
async def test_anonymous_callers_get_401_everywhere(stack: Stack, method: str, path: str) -> None:
    if (method, path) in SIGNED_OUT_ROUTES:
        return
    r = await stack.http.request(
        method, _filled(path).replace("{", "").replace("}", ""), headers={"Idempotency-Key": str(uuid.uuid4())}
    )
    assert r.status_code == 401, (method, path, r.status_code, r.text[:200])


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
async def test_a_documents_reads_follow_its_audience(stack: Stack, scene: Scene, role: str, level: int) -> None:
    document_id = scene.ids[level]
    missing = str(uuid.uuid4())
    for template in DOCUMENT_READS:
        tail = _filled(template[len(DOCUMENT_PREFIX) :])
        r = await call(stack, role, "GET", f"/v1/documents/{document_id}{tail}")
        assert r.status_code < 500, (template, r.text[:300])
        if role in AUDIENCE:
            assert r.status_code not in (401, 403) and not (r.status_code == 404 and "no document" in r.text), (
                template,
                r.status_code,
                r.text[:300],
            )
            continue
        if level == 1:
            assert r.status_code == 403, (template, r.status_code, r.text[:300])
            continue
        assert r.status_code == 404, (template, r.status_code, r.text[:300])
        other = await call(stack, role, "GET", f"/v1/documents/{missing}{tail}")
        assert other.status_code == 404
        assert r.json()["detail"].replace(document_id, "{id}") == other.json()["detail"].replace(missing, "{id}")
        assert r.headers["content-type"] == other.headers["content-type"]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
async def test_lists_search_and_exports_never_show_a_classified_document_outside_its_audience(
    stack: Stack, scene: Scene, role: str
) -> None:
    leaks = []
    for template in LISTINGS:
        params = {"limit": 200} if "csv" not in template and "svg" not in template else {}
        params |= QUERY_VALUES.get(template, {})
        r = await call(stack, role, "GET", _filled(template), params=params)
        if r.status_code == 422 and "limit" in r.text:  # a route without paging
            r = await call(stack, role, "GET", _filled(template), params=QUERY_VALUES.get(template, {}))
        assert r.status_code < 500 or r.status_code in OPERATIONS["GET", template].statuses, (template, r.text[:300])
        if role in AUDIENCE:
            continue
        for level in (2, 3):
            for secret in (scene.ids[level], scene.markers[level]):
                if secret in r.text:
                    leaks.append(f"{template}: 機密性{level} {secret}")
    assert not leaks, leaks


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
async def test_the_audience_finds_its_documents_in_the_list_and_search(stack: Stack, scene: Scene, role: str) -> None:
    listed = await call(stack, role, "GET", "/v1/documents", params={"scope": "visible", "limit": 200})
    assert listed.status_code == 200, listed.text
    ids = {item["id"] for item in listed.json()["items"]}
    for level in LEVELS:
        found = await call(stack, role, "GET", "/v1/documents/search", params={"q": scene.markers[level]})
        assert found.status_code == 200, found.text
        hits = {item["id"] for item in found.json()["items"]}
        sees = role in AUDIENCE
        assert (scene.ids[level] in ids) is sees, (role, level)
        assert (scene.ids[level] in hits) is sees, (role, level, found.json())
