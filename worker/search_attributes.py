"""Registering the 検索属性 the document workflows upsert (workflows/search.py) before a worker polls.

An unregistered key fails every workflow task that upserts it (and the document then accepts no decision), so
the worker checks at start: missing keys are added when the server allows it (dev server, test server), else the
worker stops with the one command an operator has to run.
"""

from __future__ import annotations

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from workflows.search import KEYS, server_type


class SearchAttributesMissing(RuntimeError):
    """The server lacks ringi's search attributes and would not let us add them."""


def create_commands(namespace: str, names: list[str] | None = None) -> list[str]:
    """The ``temporal operator search-attribute create`` lines for ``names`` (default: every key)."""
    wanted = [key for key in KEYS if names is None or key.name in names]
    return [
        f"temporal operator search-attribute create --namespace {namespace} --name {key.name} --type {server_type(key)}"
        for key in wanted
    ]


async def ensure_search_attributes(client: Client) -> list[str]:
    """Add whichever of ringi's keys the namespace lacks; the names added (empty when all were there)."""
    namespace = client.namespace
    try:
        known = await client.operator_service.list_search_attributes(ListSearchAttributesRequest(namespace=namespace))
        registered = {**known.custom_attributes, **known.system_attributes}
    except RPCError as error:  # the time-skipping test server cannot list, only add
        if error.status != RPCStatusCode.UNIMPLEMENTED:
            raise
        registered = {}
    missing = {key.name: key.indexed_value_type for key in KEYS if key.name not in registered}
    if not missing:
        return []
    request = AddSearchAttributesRequest(
        namespace=namespace,
        search_attributes={name: IndexedValueType.ValueType(int(kind)) for name, kind in missing.items()},
    )
    try:
        await client.operator_service.add_search_attributes(request)
    except RPCError as error:
        commands = "; ".join(create_commands(namespace, list(missing)))
        raise SearchAttributesMissing(f"search attributes missing ({error.message}); run: {commands}") from error
    return list(missing)
