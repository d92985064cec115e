"""The line of superiors that authority (専決 / 決裁) climbs.

Who decides what is data: the versioned rulebook (rules/rulebook/*.yaml, loaded into the database), evaluated by
``domain.rulebook.evaluate.rule_on``.
"""

from __future__ import annotations

#: Levels of the line of superiors, lowest first: post codes.
LEVELS: tuple[str, ...] = ("manager", "director", "deputy_mayor", "mayor")
