"""Read the per-form intake mapping versions (``rules/intake/*.yaml``, one per 適用日); the lookup is in domain.

The files are read once per directory and process (they change with a release, like the shipped rulebook).
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from pydantic import ValidationError

from domain.intake import template_problems
from schemas.intake import IntakeRulebook

INTAKE_DIR = Path(__file__).parent / "intake"


class IntakeMappingUnreadable(ValueError):
    """A mapping file is not a valid version (its path and the reasons are in the message)."""


def parse(text: str, *, name: str = "mapping") -> IntakeRulebook:
    try:
        data = yaml.safe_load(text)
        book = IntakeRulebook.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise IntakeMappingUnreadable(f"{name}: {exc}") from exc
    problems = [f"form {r.form_id}: {p}" for r in book.forms for p in template_problems(r.title)]
    if problems:
        raise IntakeMappingUnreadable(f"{name}: " + "; ".join(problems))
    return book


@functools.cache
def _load(directory: Path) -> tuple[IntakeRulebook, ...]:
    books = [parse(p.read_text(encoding="utf-8"), name=str(p)) for p in sorted(directory.glob("*.yaml"))]
    return tuple(sorted(books, key=lambda b: b.effective_from))


def intake_mappings(directory: Path | None = None) -> tuple[IntakeRulebook, ...]:
    """Every version in ``directory`` (default: those shipped), oldest first."""
    return _load((directory or INTAKE_DIR).resolve())
