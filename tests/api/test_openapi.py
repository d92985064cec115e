"""The OpenAPI document: hand-written operation ids and tags, RFC 9457 errors with the statuses each route really
answers, a required Idempotency-Key where the route requires it, valid examples, and /docs without a CDN."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

import schemas.api
from api.app import create_app
from api.openapi import OPERATIONS
from core.settings import Settings
from tests.api.support import ADMIN, DRAFTER, PROBLEM_JSON, STRANGER, assert_problem
from tests.support.stack import Stack


@pytest.fixture(scope="module")
def app_schema() -> tuple[Any, dict[str, Any]]:
    app = create_app(Settings())
    return app, app.openapi()


def _operations(schema: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(m.upper(), p): op for p, ops in schema["paths"].items() for m, op in ops.items()}


def test_every_route_is_in_the_table_and_no_entry_is_stale(app_schema: tuple[Any, dict[str, Any]]) -> None:
    _, schema = app_schema
    documented = _operations(schema)
    assert set(documented) == set(OPERATIONS), set(documented) ^ set(OPERATIONS)
    ids = [op["operationId"] for op in documented.values()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z_]+\.[a-z_]+", i) for i in ids), ids
    assert documented[("POST", "/v1/documents")]["operationId"] == "documents.create"
    assert documented[("POST", "/v1/auth/token")]["operationId"] == "auth.token"


def test_every_error_is_a_problem_and_no_default_validation_shape(app_schema: tuple[Any, dict[str, Any]]) -> None:
    _, schema = app_schema
    text = json.dumps(schema)
    assert "HTTPValidationError" not in text
    assert "Problem" in schema["components"]["schemas"]
    for (method, path), op in _operations(schema).items():
        errors = {int(code) for code in op["responses"] if code[0] in "45"}
        assert errors == set(OPERATIONS[(method, path)].errors), (method, path)
        for code in errors:
            content = op["responses"][str(code)]["content"]
            assert list(content) == [PROBLEM_JSON]
            assert content[PROBLEM_JSON]["schema"] == {"$ref": "#/components/schemas/Problem"}
        if path != "/v1/auth/token":
            assert 401 in errors, (method, path)


def test_idempotency_key_is_required_where_the_route_requires_it(app_schema: tuple[Any, dict[str, Any]]) -> None:
    _, schema = app_schema
    act = _operations(schema)[("POST", "/v1/documents/{document_id}/actions")]
    (header,) = [p for p in act["parameters"] if p["name"] == "Idempotency-Key"]
    assert header["required"] is True
    submit = _operations(schema)[("POST", "/v1/documents/{document_id}/submit")]
    (optional,) = [p for p in submit["parameters"] if p["name"] == "Idempotency-Key"]
    assert optional["required"] is False


def test_every_list_takes_the_same_page_parameters(app_schema: tuple[Any, dict[str, Any]]) -> None:
    """One envelope and one pair of parameters on every list; their 422 is documented (and probed below)."""
    _, schema = app_schema
    page_names = [n for n in schema["components"]["schemas"] if n.startswith("Page_")]
    assert len(page_names) >= 13
    for name in page_names:
        page = schema["components"]["schemas"][name]
        assert set(page["properties"]) == {"items", "total", "limit", "offset", "next"}, name
    for (method, path), op in _operations(schema).items():
        ok = op["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        if not ok.get("$ref", "").startswith("#/components/schemas/Page_"):
            continue
        query = {p["name"]: p["schema"] for p in op["parameters"] if p["in"] == "query"}
        assert (query["limit"]["minimum"], query["limit"]["maximum"], query["limit"]["default"]) == (1, 200, 50)
        assert (query["offset"]["minimum"], query["offset"]["default"]) == (0, 0)
        assert 422 in OPERATIONS[(method, path)].statuses, (method, path)


def _request_models() -> dict[str, type[BaseModel]]:
    """The API's request models by the name the schema gives them."""
    models: dict[str, type[BaseModel]] = {}
    for info in pkgutil.iter_modules(schemas.api.__path__):
        module = importlib.import_module(f"schemas.api.{info.name}")
        models |= {n: m for n, m in vars(module).items() if isinstance(m, type) and issubclass(m, BaseModel)}
    return models


def test_examples_are_valid_requests(app_schema: tuple[Any, dict[str, Any]]) -> None:
    _, schema = app_schema
    models = _request_models()
    examples = 0
    for op in _operations(schema).values():
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        if "example" in body:
            models[body["schema"]["$ref"].rsplit("/", 1)[1]].model_validate(body["example"])
            examples += 1
    assert examples == sum(op.example is not None for op in OPERATIONS.values()) >= 5


async def test_docs_pages_load_nothing_from_outside(stack: Stack) -> None:
    for page in ("/docs", "/redoc"):
        r = await stack.http.get(page)
        assert r.status_code == 200
        assert "default-src 'self'" in r.headers["content-security-policy"]
        sources = re.findall(r'(?:src|href)="([^"]+)"', r.text)
        assert sources and all(s.startswith("/static/docs/") for s in sources), sources
        for source in sources:
            asset = await stack.http.get(source)
            assert asset.status_code == 200 and asset.content, source


def _fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "nope-0"), path)


async def _probes(stack: Stack, method: str, path: str, document_id: str) -> list[tuple[str, httpx.Response]]:
    """Requests a client gets wrong, and some it gets right, each answered by the running API."""
    unknown = {"document_id": "nope-0", "n": "999", "staff_id": "nobody", "version_id": "999999"}
    unknown |= {"absence_id": "999999", "transfer_id": "999999", "review_id": "999999", "code": "9999-99-99-999"}
    mine = {**unknown, "document_id": document_id, "n": "1"}
    bad_query = {"limit": "-1", "offset": "x", "fiscal_year": "1", "from": "yesterday"}
    answers = [("no token", await stack.http.request(method, _fill(path, mine), json={}))]
    answers.append(("unknown ids", await stack.call(DRAFTER, method, _fill(path, unknown), json={})))
    answers.append(("own draft", await stack.call(DRAFTER, method, _fill(path, mine), json={})))
    answers.append(("bad query", await stack.call(DRAFTER, method, _fill(path, mine), params=bad_query)))
    answers.append(
        (
            "not json",
            await stack.call(
                DRAFTER, method, _fill(path, mine), content=b"{", headers={"content-type": "application/json"}
            ),
        )
    )
    answers.append(("a stranger", await stack.call(STRANGER, method, _fill(path, mine), json={})))
    if "{" in path:  # an administrator on ids that do not exist changes nothing
        answers.append(("admin, unknown ids", await stack.call(ADMIN, method, _fill(path, unknown), json={})))
    return answers


#: Operations whose empty body is a valid request with lasting effects on the shared stack: probed signed out only.
EFFECTFUL = {
    ("POST", "/v1/records/disposal-reviews"),
    ("POST", "/v1/auth/totp/enrol"),
    ("POST", "/v1/auth/signout"),  # ends every session of the prober: the package's other tests use them
}


async def test_every_status_an_operation_answers_is_documented(stack: Stack) -> None:
    draft = await stack.draft(DRAFTER, amount_yen=300_000)
    undocumented = []
    seen_401 = set()
    for (method, path), op in OPERATIONS.items():
        if (method, path) in EFFECTFUL:
            signed_out = await stack.http.request(method, path, json={})
            assert_problem(signed_out, 401)
            seen_401.add(op.id)
            continue
        for probe, response in await _probes(stack, method, path, draft["id"]):
            status = response.status_code
            assert status != 500, (method, path, probe, response.text)
            if status < 400:
                continue
            assert_problem(response, status)
            if status not in op.statuses:
                undocumented.append(f"{op.id} ({probe}): {status} {response.json()['detail']}")
            if status == 401:
                seen_401.add(op.id)
    assert not undocumented, "\n".join(undocumented)
    assert seen_401 == {op.id for (_, path), op in OPERATIONS.items() if path != "/v1/auth/token"}
