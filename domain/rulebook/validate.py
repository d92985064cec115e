"""Check a rulebook version before it is stored: every problem names its row (section, index, citation).

Bands of one (matter, expense class, category) must start at 0, meet exactly (one's 未満 is the next one's 以上)
and end open; levels, posts and quantities must be known codes, org units known to the org chart, amounts not
negative, a general matter's rows name their category (one row each, no amount), and the 適用日 strictly after
today, so that no running document's rules change under it.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable
from datetime import date

from schemas.org import POST_RANKS
from schemas.rules import (
    EXPENSE_CLASSES,
    FLAG_NAMES,
    LEVEL_NAMES,
    LIMIT_CLASSES,
    MATTER_NAMES,
    QUANTITIES,
    AuthorityRule,
    BandedRule,
    OvertimeLimits,
    RulebookContent,
    RuleProblem,
)

#: The matters a document can be, with the expense classes each must have bands for (None: no classes).
REQUIRED_GROUPS: dict[str, tuple[str | None, ...]] = {
    "spending": EXPENSE_CLASSES,
    "contract": ("construction", "other"),
    "leave": (None,),
    "overtime": (None,),
    "trip": (None,),
    "disposal_review": (None,),
}
CLASSED_MATTERS = frozenset(m for m, classes in REQUIRED_GROUPS.items() if None not in classes)


def validate(
    book: RulebookContent, *, today: date | None = None, org_units: Collection[str] | None = None
) -> list[RuleProblem]:
    """All problems of ``book`` (empty when it may be stored).

    ``today``: refuse an 適用日 on or before it (None: no check, e.g. for the versions in the repository).
    ``org_units``: the org unit codes consultations may name (None: not checked).
    """
    problems: list[RuleProblem] = []
    if today is not None and book.effective_from <= today:
        problems.append(
            RuleProblem(
                section="適用日",
                message=f"{book.effective_from} is not after today ({today}): a new version may only take effect "
                "from tomorrow on, so that no running document's rules change",
            )
        )
    for index, row in enumerate(book.authority):
        problems += _row_problems("authority", index, row)
        problems += _level_problem("authority", index, row.citation, row.level)
    for index, consult in enumerate(book.consultations):
        problems += _row_problems("consultations", index, consult)
        if consult.post not in POST_RANKS:
            problems.append(_at("consultations", index, consult, f"unknown post code {consult.post!r}"))
        if org_units is not None and consult.org_unit not in org_units:
            problems.append(_at("consultations", index, consult, f"unknown org unit {consult.org_unit!r}"))
    for index, exam in enumerate(book.examinations):
        problems += _row_problems("examinations", index, exam)
        if exam.post not in POST_RANKS:
            problems.append(_at("examinations", index, exam, f"unknown post code {exam.post!r}"))
        if org_units is not None and exam.org_unit not in org_units:
            problems.append(_at("examinations", index, exam, f"unknown org unit {exam.org_unit!r}"))
    for index, exempt in enumerate(book.non_delegable):
        problems += _row_problems("non_delegable", index, exempt)
        problems += _level_problem("non_delegable", index, exempt.citation, exempt.level)
    unknown_flags = [f for f in book.escalation.flags if f not in FLAG_NAMES]
    if unknown_flags:
        problems.append(
            RuleProblem(
                section="escalation", citation=book.escalation.citation, message=f"unknown flags {unknown_flags}"
            )
        )
    problems += _band_problems(book.authority)
    if book.overtime_limits is not None:
        problems += _overtime_limit_problems(book.overtime_limits, org_units)
    return problems


def _overtime_limit_problems(limits: OvertimeLimits, org_units: Collection[str] | None) -> list[RuleProblem]:
    """時間外勤務の上限: each class has a monthly cap, designations name known classes and units, 特例業務 a level."""
    section = "overtime_limits"
    problems: list[RuleProblem] = []
    for name, caps in (("general", limits.general), ("other_driven", limits.other_driven)):
        if caps.month_at_most is None and caps.month_below is None:
            problems.append(
                RuleProblem(section=section, citation=caps.citation, message=f"{name}: a monthly cap is needed")
            )
        if (caps.over_hours is None) != (caps.over_months_at_most is None):
            problems.append(
                RuleProblem(
                    section=section,
                    citation=caps.citation,
                    message=f"{name}: over_hours and over_months_at_most go together",
                )
            )
    for index, row in enumerate(limits.designations):
        if row.limit_class not in LIMIT_CLASSES:
            message = f"designations: unknown limit_class {row.limit_class!r} ({', '.join(LIMIT_CLASSES)})"
            problems.append(RuleProblem(section=section, index=index, citation=row.citation, message=message))
        if org_units is not None and row.org_unit not in org_units:
            message = f"designations: unknown org unit {row.org_unit!r}"
            problems.append(RuleProblem(section=section, index=index, citation=row.citation, message=message))
        if row.effective_until is not None and row.effective_until <= row.effective_from:
            message = f"designations: 終了日 {row.effective_until} is not after 適用日 {row.effective_from}"
            problems.append(RuleProblem(section=section, index=index, citation=row.citation, message=message))
    problems += _level_problem(section, 0, limits.special_case.citation, limits.special_case.level)
    return problems


def _at(section: str, index: int, row: BandedRule, message: str) -> RuleProblem:
    return RuleProblem(section=section, index=index, citation=row.citation, message=message)


def _row_problems(section: str, index: int, row: BandedRule) -> Iterable[RuleProblem]:
    if row.matter not in MATTER_NAMES:
        yield _at(section, index, row, f"unknown matter {row.matter!r} (known: {', '.join(MATTER_NAMES)})")
    elif row.matter in CLASSED_MATTERS and row.expense_class is not None and row.expense_class not in EXPENSE_CLASSES:
        yield _at(section, index, row, f"unknown expense class {row.expense_class!r}")
    elif row.matter not in CLASSED_MATTERS and row.expense_class is not None:
        yield _at(section, index, row, f"{row.matter} has no expense classes")
    elif isinstance(row, AuthorityRule) and row.matter in CLASSED_MATTERS and row.expense_class is None:
        yield _at(section, index, row, f"a band of {row.matter} names its expense class")
    if row.matter != "general" and row.category is not None:
        yield _at(section, index, row, f"{row.matter} has no categories (only general matters do)")
    elif isinstance(row, AuthorityRule) and row.matter == "general" and row.category is None:
        yield _at(section, index, row, "a 決裁区分 row of a general matter names its category")
    if row.quantity is not None and row.quantity not in QUANTITIES:
        yield _at(section, index, row, f"unknown quantity {row.quantity!r} (known: {', '.join(QUANTITIES)})")
    if isinstance(row, AuthorityRule) and row.quantity is None and row.category is None:
        yield _at(section, index, row, "a band measures a quantity")
    if row.at_least < 0 or (row.below is not None and row.below < 0):
        yield _at(section, index, row, "negative amount: 以上 and 未満 are >= 0")
    elif row.below is not None and row.below <= row.at_least:
        yield _at(section, index, row, f"empty band: 未満 {row.below} is not above 以上 {row.at_least}")


def _level_problem(section: str, index: int, citation: str, level: str) -> list[RuleProblem]:
    if level in LEVEL_NAMES:
        return []
    known = ", ".join(LEVEL_NAMES)
    return [RuleProblem(section=section, index=index, citation=citation, message=f"unknown level {level!r} ({known})")]


def _band_problems(rows: tuple[AuthorityRule, ...]) -> list[RuleProblem]:
    """Overlaps and gaps within each (matter, expense class), and groups with no bands at all."""
    problems: list[RuleProblem] = []
    groups: dict[tuple[str, str | None, str | None], list[tuple[int, AuthorityRule]]] = {}
    for index, row in enumerate(rows):
        groups.setdefault((row.matter, row.expense_class, row.category), []).append((index, row))
    for matter, classes in REQUIRED_GROUPS.items():
        for expense_class in classes:
            if (matter, expense_class, None) not in groups:
                what = MATTER_NAMES[matter] + (f" ({expense_class})" if expense_class else "")
                problems.append(RuleProblem(section="authority", message=f"no bands for {what}"))
    for banded in groups.values():
        banded.sort(key=lambda item: item[1].at_least)
        first_index, first = banded[0]
        if first.at_least > 0:
            problems.append(_at("authority", first_index, first, f"gap: no band covers 0 up to {first.at_least}"))
        for (prev_index, prev), (index, row) in itertools.pairwise(banded):
            if row.quantity != prev.quantity:
                problems.append(
                    _at("authority", index, row, f"measures {row.quantity}, row {prev_index} {prev.quantity}")
                )
            elif prev.below is None or row.at_least < prev.below:
                problems.append(_at("authority", index, row, f"overlaps row {prev_index} ({prev.citation})"))
            elif row.at_least > prev.below:
                problems.append(_at("authority", index, row, f"gap: no band covers {prev.below} up to {row.at_least}"))
        last_index, last = banded[-1]
        if last.below is not None:
            problems.append(_at("authority", last_index, last, f"gap: no band covers {last.below} and above"))
    return problems
