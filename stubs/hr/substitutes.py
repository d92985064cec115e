"""代決順位 (substitute order): who may decide for a post while its holder is absent (不在).

Rules are per post (職位 in an org unit), not per person: the substitutes are whoever holds the substitute posts
on the day.  The default order follows DESIGN §2 and the 事務決裁規程 of comparable cities:

- 市長 -> 副市長; 副市長 and 教育長 have no substitute here (a city registers its own, e.g. 副市長 -> 総務部長);
- 部長 (局長, 事務局長, 会計管理者) -> 課長 of the department's lead division (its first division);
- 課長 (室長) -> 課長補佐 of the same division, then its 係長.

Pure: derived from the org units alone, in their order, so the same organisation always gives the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from stubs.hr.models import OrgUnit


@dataclass(frozen=True)
class SubstituteRule:
    """The ``order``-th (1 = first) substitute post for ``post`` in ``org_unit``."""

    org_unit: str
    post: str
    order: int
    substitute_org_unit: str
    substitute_post: str


def default_substitute_rules(org_units: Iterable[OrgUnit]) -> list[SubstituteRule]:
    """The default 代決順位 of an organisation whose units come in generation order (departments before divisions)."""
    units = list(org_units)
    rules: list[SubstituteRule] = []
    lead_division: dict[str, str] = {}
    for unit in units:
        if unit.kind == "division" and unit.parent_code is not None:
            lead_division.setdefault(unit.parent_code, unit.code)
    for unit in units:
        if unit.kind == "executive":
            rules.append(SubstituteRule(unit.code, "mayor", 1, unit.code, "deputy_mayor"))
        elif unit.kind == "department" and unit.code in lead_division:
            rules.append(SubstituteRule(unit.code, "director", 1, lead_division[unit.code], "manager"))
        elif unit.kind == "division":
            rules.append(SubstituteRule(unit.code, "manager", 1, unit.code, "assistant_manager"))
            rules.append(SubstituteRule(unit.code, "manager", 2, unit.code, "chief"))
    return rules
