"""What HR knows that the 代決 rule needs: the 代決順位 of a decider's post and who of it is absent today.

Gathered here once for every caller (the action's context, the inbox, the notice dispatcher); the rule itself is
``domain.acting.check_substitute``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from integrations.hr import HrClient
from schemas.org import StaffRef


@dataclass(frozen=True)
class SubstitutionFacts:
    #: 代決順位 of the decider's post, first first (absences not considered).
    order: tuple[str, ...]
    #: Who HR reports absent on the day: the decider if so, and the substitutes up to the first present one
    #: (those after it do not matter to the rule, so they are not asked about).
    absent_ids: tuple[str, ...]


async def substitution_facts(hr: HrClient, decider: StaffRef, *, on: date) -> SubstitutionFacts:
    """The facts for ``decider`` on ``on``; HR's errors (``HrNotFound``, transport) propagate."""
    absent = [decider.id] if await hr.is_absent(decider.id, on=on) else []
    order = tuple(s.id for s in await hr.substitutes(decider.org_unit.code, decider.post.code, as_of=on))
    for substitute in order:
        if substitute in absent:
            continue
        if not await hr.is_absent(substitute, on=on):
            break
        absent.append(substitute)
    return SubstitutionFacts(order=order, absent_ids=tuple(absent))
