"""Read rulebook versions: the YAML files shipped in ``rules/rulebook/`` and uploaded YAML or JSON bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from schemas.rules import Rulebook, RulebookContent, RuleProblem

REPOSITORY_DIR = Path(__file__).parent / "rulebook"


class RulebookUnreadable(ValueError):
    """The text is not a rulebook: not YAML/JSON, or rows of the wrong shape (``problems`` names them)."""

    def __init__(self, problems: list[RuleProblem]) -> None:
        super().__init__("; ".join(p.describe() for p in problems))
        self.problems = problems


def parse(text: str | bytes, *, media_type: str = "application/yaml") -> RulebookContent:
    """One version from YAML (or JSON, a subset of YAML; ``media_type`` picks the stricter JSON parser)."""
    try:
        data: Any = json.loads(text) if "json" in media_type else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise RulebookUnreadable([RuleProblem(section="body", message=f"not valid YAML/JSON: {exc}")]) from exc
    if not isinstance(data, dict):
        raise RulebookUnreadable([RuleProblem(section="body", message="a rulebook is a mapping (適用日, authority …)")])
    return content_of(data)


def content_of(data: dict[str, Any]) -> RulebookContent:
    try:
        return RulebookContent.model_validate(data)
    except ValidationError as exc:
        raise RulebookUnreadable([_problem(data, e) for e in exc.errors()[:20]]) from exc


def with_id(content: RulebookContent) -> Rulebook:
    """A stored version's id is its 適用日 (ISO)."""
    return Rulebook(id=content.effective_from.isoformat(), **content.model_dump())


def repository_rulebooks(directory: Path = REPOSITORY_DIR) -> list[Rulebook]:
    """Every version shipped with ringi, oldest first."""
    books = [with_id(parse(path.read_text(encoding="utf-8"))) for path in sorted(directory.glob("*.yaml"))]
    return sorted(books, key=lambda b: b.effective_from)


def _problem(data: dict[str, Any], error: Any) -> RuleProblem:
    loc = [str(p) for p in error.get("loc", ())]
    section = loc[0] if loc else "body"
    index = int(loc[1]) if len(loc) > 1 and loc[1].isdigit() else None
    citation = ""
    rows = data.get(section)
    if index is not None and isinstance(rows, list) and index < len(rows) and isinstance(rows[index], dict):
        citation = str(rows[index].get("citation", ""))
    field = ".".join(loc[2:] if index is not None else loc[1:])
    return RuleProblem(
        section=section, index=index, citation=citation, message=f"{field or section}: {error.get('msg', 'invalid')}"
    )
