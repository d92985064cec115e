"""The line of superiors that authority (専決 / 決裁) climbs.

Who decides what is data now: the versioned rulebook in rules/rulebook/*.yaml, loaded into the database and
evaluated by ``rules.evaluate.rule_on``.
"""

from __future__ import annotations

#: Levels of the line of superiors, lowest first: post codes.
LEVELS: tuple[str, ...] = ("manager", "director", "deputy_mayor", "mayor")
