"""Hold what a stranger answered against what our client reads of it.

``RecordingTransport`` is the real httpx transport that also keeps every answer.  ``Wire.drift()`` looks each
answer up in a table of ``(method, path pattern) -> the type our client parses`` and reports every field that type
reads but the answer lacks (at any depth).  A field with a default is read too: a rename on the stranger's side
would otherwise pass silently, our model quietly taking the default.  Fields the stranger adds and we do not read
are no drift.  An answer whose request is missing from the table is reported too, so no call goes unchecked.
"""

from __future__ import annotations

import json
import re
import types
from dataclasses import dataclass, field
from typing import Annotated, Any, Union, get_args, get_origin

import httpx
from pydantic import BaseModel

#: (method, full-match path pattern) -> what our client parses from a 2xx answer (None: it reads no body).
Table = dict[tuple[str, str], Any]


@dataclass(frozen=True)
class Answer:
    method: str
    path: str
    status: int
    body: Any


class RecordingTransport(httpx.AsyncBaseTransport):
    """The real transport; keeps every answer (its JSON body, if any) in ``answers``."""

    def __init__(self) -> None:
        self._real = httpx.AsyncHTTPTransport()
        self.answers: list[Answer] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._real.handle_async_request(request)
        content = await response.aread()
        await response.aclose()
        body = json.loads(content) if content and "json" in response.headers.get("content-type", "") else None
        self.answers.append(Answer(request.method, request.url.path, response.status_code, body))
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() != "content-encoding"]
        return httpx.Response(response.status_code, headers=headers, content=content, request=request)

    async def aclose(self) -> None:
        await self._real.aclose()


def missing_fields(value: Any, type_: Any, path: str = "$") -> list[str]:
    """Every field that ``type_`` reads and ``value`` (decoded JSON) lacks, as JSON paths."""
    origin = get_origin(type_)
    if origin is Annotated:
        return missing_fields(value, get_args(type_)[0], path)
    if origin in (Union, types.UnionType):
        options = [t for t in get_args(type_) if t is not type(None)]
        if value is None or len(options) != 1:
            return []
        return missing_fields(value, options[0], path)
    if origin in (list, tuple):
        if not isinstance(value, list):
            return [f"{path}: a list expected, got {type(value).__name__}"]
        item = get_args(type_)[0]
        return [m for i, v in enumerate(value) for m in missing_fields(v, item, f"{path}[{i}]")]
    if isinstance(type_, type) and issubclass(type_, BaseModel):
        if not isinstance(value, dict):
            return [f"{path}: an object expected, got {type(value).__name__}"]
        found: list[str] = []
        for name, info in type_.model_fields.items():
            key = info.alias or name
            if key not in value:
                found.append(f"{path}.{key}")
            else:
                found.extend(missing_fields(value[key], info.annotation, f"{path}.{key}"))
        return found
    return []


@dataclass
class Wire:
    """The answers one client got, and the table of what it reads from them."""

    table: Table
    transport: RecordingTransport = field(default_factory=RecordingTransport)

    def drift(self) -> list[str]:
        """What our client reads but the stranger did not send, per answer (empty: no drift)."""
        found: list[str] = []
        for answer in self.transport.answers:
            if not 200 <= answer.status < 300:
                continue  # refusals: their fields are asserted by the tests themselves
            types_ = [t for (m, p), t in self.table.items() if m == answer.method and re.fullmatch(p, answer.path)]
            if len(types_) != 1:
                found.append(f"{answer.method} {answer.path}: {len(types_)} entries in the wire table")
                continue
            if types_[0] is not None:
                where = f"{answer.method} {answer.path}"
                found.extend(f"{where}: {m} is missing" for m in missing_fields(answer.body, types_[0]))
        return found

    def calls(self) -> set[tuple[str, str]]:
        """The table entries some answer matched."""
        return {
            (m, p) for a in self.transport.answers for (m, p) in self.table if m == a.method and re.fullmatch(p, a.path)
        }
