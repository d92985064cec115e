"""検索属性 (search attributes) of document workflows: what operators filter on in the Temporal UI and CLI.

``temporal workflow list --query 'RingiAssignees = "s0022"'`` lists the documents waiting on s0022.  Only codes
and ids go here, never titles, bodies or names: visibility is readable by every Temporal operator.  Each key must
be registered on the server first (``ringi dev`` and the tests do it; production: README "Search attributes").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeKey, SearchAttributeUpdate

from schemas.document import ChainState

STATUS = SearchAttributeKey.for_keyword("RingiStatus")
ASSIGNEES = SearchAttributeKey.for_keyword_list("RingiAssignees")
DOCUMENT_NUMBER = SearchAttributeKey.for_keyword("RingiDocumentNumber")
MATTER = SearchAttributeKey.for_keyword("RingiMatter")
ORG_UNIT = SearchAttributeKey.for_keyword("RingiOrgUnit")

#: Every key with its server type, as ``--search-attribute Name=Type`` and the operator commands spell it.
KEYS: tuple[SearchAttributeKey[str] | SearchAttributeKey[Sequence[str]], ...] = (
    STATUS,
    ASSIGNEES,
    DOCUMENT_NUMBER,
    MATTER,
    ORG_UNIT,
)


def server_type(key: SearchAttributeKey[str] | SearchAttributeKey[Sequence[str]]) -> str:
    """``Keyword`` / ``KeywordList``: the type name the temporal CLI takes."""
    return "KeywordList" if key.indexed_value_type.name == "KEYWORD_LIST" else "Keyword"


@dataclass(frozen=True)
class SearchValues:
    status: str
    assignees: tuple[str, ...]
    document_number: str | None
    matter: str
    org_unit: str


def attributes_of(state: ChainState, number: str | None) -> SearchValues:
    """What a document's workflow shows to operators: its status, who it waits on (staff ids), 文書番号, matter
    and the drafting org unit."""
    return SearchValues(
        status=state.status,
        assignees=state.pending_ids,
        document_number=number,
        matter=state.facts.matter,
        org_unit=state.facts.org_unit_code,
    )


def updates(values: SearchValues) -> list[SearchAttributeUpdate[Any]]:
    number = (
        DOCUMENT_NUMBER.value_set(values.document_number)
        if values.document_number is not None
        else DOCUMENT_NUMBER.value_unset()
    )
    return [
        STATUS.value_set(values.status),
        ASSIGNEES.value_set(list(values.assignees)),
        number,
        MATTER.value_set(values.matter),
        ORG_UNIT.value_set(values.org_unit),
    ]


class DocumentSearch:
    """Upserts a document's search attributes when they change (each upsert is a history event)."""

    def __init__(self) -> None:
        self._shown: SearchValues | None = None

    def publish(self, state: ChainState, number: str | None) -> None:
        values = attributes_of(state, number)
        if values != self._shown:
            workflow.upsert_search_attributes(updates(values))
            self._shown = values
