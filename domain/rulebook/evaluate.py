"""Rule on a matter: which level decides, what moved it, which 合議 are mandatory, whether 専決・代決 may decide.

Pure: a loaded ``Rulebook`` and the document's facts in, a ``Ruling`` out.  ``rule_on`` is the entry point for
every matter (支出負担行為, 契約, and the 庶務 requests 休暇・時間外勤務・出張, whose quantities are days and
hours); ``domain.routes`` turns a ruling into stages with assignees.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from domain.levels import LEVELS
from schemas.rules import (
    EXPENSE_CLASS_NAMES,
    FLAG_NAMES,
    LEVEL_NAMES,
    MATTER_NAMES,
    AuthorityRule,
    BandedRule,
    ConsultRule,
    ExaminationRule,
    NonDelegableRule,
    OvertimeSpecialCase,
    Rulebook,
    categories_of,
)

__all__ = [
    "LEVELS",
    "NoRule",
    "Ruling",
    "category_problem",
    "describe",
    "measure",
    "rule_on",
    "with_special_case",
]


class NoRule(LookupError):
    """The rulebook has no band for the matter (or the document lacks the quantity the band measures)."""


@dataclass(frozen=True)
class Ruling:
    """What the rulebook says about one matter."""

    rulebook_id: str
    authority: AuthorityRule  # the band of the matrix
    level: str  # who decides, after escalation and non-delegable rows
    escalated_for: tuple[str, ...] = ()  # 重要, 異例, 先例, 疑義, 合議不調
    escalation_citation: str = ""
    non_delegable: NonDelegableRule | None = None
    consultations: tuple[ConsultRule, ...] = ()
    examinations: tuple[ExaminationRule, ...] = ()  # 文書審査 (法規審査) before the decision
    special_case: OvertimeSpecialCase | None = None  # 特例業務: an overtime order beyond the caps

    @property
    def substitute_allowed(self) -> bool:
        """代決 is not for matters the rulebook reserves to their decider in person."""
        return self.non_delegable is None

    @property
    def citation(self) -> str:
        """The rows behind the decision, in the order they applied."""
        cited = [self.authority.citation]
        if self.escalated_for:
            cited.append(self.escalation_citation)
        if self.non_delegable is not None:
            cited.append(self.non_delegable.citation)
        if self.special_case is not None:
            cited.append(self.special_case.citation)
        return "; ".join(dict.fromkeys(cited))

    @property
    def reason(self) -> str:
        """The decision in words.

        E.g. ``支出負担行為 その他 100万円以上500万円未満: 部長専決 → 重要のため上位: 副市長``.
        """
        text = f"{describe(self.authority)}: {LEVEL_NAMES[self.authority.level]}{_kind(self.authority.level)}"
        if self.escalated_for:
            text += f" → {'・'.join(self.escalated_for)}のため上位: {LEVEL_NAMES[self.level]}"
        if self.non_delegable is not None:
            text += f" → 専決・代決不可 ({self.non_delegable.note or describe(self.non_delegable)}): "
            text += LEVEL_NAMES[self.level]
        if self.special_case is not None:
            text += f" → 特例業務 (上限を超える時間外勤務): {LEVEL_NAMES[self.level]}"
        return text


def measure(quantity: str, value: float | int | None) -> int | None:
    """Yen as they are; days and hours with a fraction counted as a whole unit (端数は1として数える)."""
    if value is None:
        return None
    return int(value) if quantity == "amount_yen" else math.ceil(value)


def rule_on(
    book: Rulebook,
    *,
    matter: str,
    expense_class: str | None,
    quantities: Mapping[str, float | int | None],
    flags: Iterable[str] = (),
    consult_failed: bool = False,
    category: str | None = None,
) -> Ruling:
    """The ruling of ``book`` on a matter.

    ``quantities`` maps quantity names (``amount_yen``, ``days``, ``hours``, ``monthly_overtime_hours``) to the
    document's values; ``expense_class`` (construction / other / hospitality) applies to spending and contracts,
    ``category`` (the 決裁区分 row's key) to general matters.
    """

    def applies(row: BandedRule) -> bool:
        if row.matter != matter or (row.expense_class is not None and row.expense_class != expense_class):
            return False
        if row.category is not None and row.category != category:
            return False
        return row.covers(measure(row.quantity, quantities.get(row.quantity)) if row.quantity else None)

    authority = next((row for row in book.authority if applies(row)), None)
    if authority is None:
        raise NoRule(_missing(book, matter, expense_class, quantities, category))
    level = authority.level
    rule = book.escalation
    why = [FLAG_NAMES[f] for f in dict.fromkeys(flags) if f in rule.flags and f in FLAG_NAMES]
    if consult_failed and rule.consult_failed:
        why.append("合議不調")
    if why:
        level = LEVELS[min(LEVELS.index(level) + rule.levels, len(LEVELS) - 1)]
    if level == authority.level:
        why = []  # already the top: nobody is above the 市長
    non_delegable = next((row for row in book.non_delegable if applies(row)), None)
    if non_delegable is not None and LEVELS.index(non_delegable.level) > LEVELS.index(level):
        level = non_delegable.level
    return Ruling(
        rulebook_id=book.id,
        authority=authority,
        level=level,
        escalated_for=tuple(why),
        escalation_citation=rule.citation if why else "",
        non_delegable=non_delegable,
        consultations=tuple(row for row in book.consultations if applies(row)),
        examinations=tuple(row for row in book.examinations if applies(row)),
    )


def with_special_case(ruling: Ruling, special: OvertimeSpecialCase) -> Ruling:
    """特例業務: the overtime order is decided at least at the level the rulebook names for it."""
    level = ruling.level if LEVELS.index(ruling.level) >= LEVELS.index(special.level) else special.level
    return replace(ruling, level=level, special_case=special)


def category_problem(book: Rulebook, *, matter: str, category: str | None) -> str | None:
    """What is wrong with a document's 決裁区分 under ``book`` (None: nothing): a general matter (一般事項) needs a
    category the version has a row for, listed in the answer; other matters have none."""
    if matter != "general":
        return None if category is None else f"a {matter} document has no category"
    known = categories_of(book)
    if category is not None and category in known:
        return None
    listing = ", ".join(known) or "none"
    if category is None:
        return f"a general document needs a category (rulebook {book.id} has: {listing})"
    return f"unknown category {category!r}: rulebook {book.id} has {listing}"


def describe(row: BandedRule) -> str:
    """``支出負担行為 その他 100万円以上500万円未満`` (the row in the regulation's words)."""
    what = MATTER_NAMES.get(row.matter, row.matter)
    if row.expense_class:
        what += f" {EXPENSE_CLASS_NAMES.get(row.expense_class, row.expense_class)}"
    if row.category:
        what += f" {row.category_name if isinstance(row, AuthorityRule) and row.category_name else row.category}"
    if row.quantity is None:
        return what
    lower = f"{_amount(row.quantity, row.at_least)}以上" if row.at_least else ""
    upper = f"{_amount(row.quantity, row.below)}未満" if row.below is not None else ""
    return f"{what} {lower}{upper}" if lower or upper else what


def _amount(quantity: str, value: int) -> str:
    if quantity != "amount_yen":
        return f"{value}{'日' if quantity == 'days' else '時間'}"
    if value and value % 100_000_000 == 0:
        return f"{value // 100_000_000:,}億円"
    if value and value % 10_000 == 0:
        return f"{value // 10_000:,}万円"
    return f"{value:,}円"


def _kind(level: str) -> str:
    return "決裁" if level == "mayor" else "専決"


def _missing(
    book: Rulebook,
    matter: str,
    expense_class: str | None,
    quantities: Mapping[str, object],
    category: str | None = None,
) -> str:
    if matter == "general":
        known = ", ".join(categories_of(book)) or "none"
        return f"rulebook {book.id} has no 決裁区分 for category {category!r} (known: {known})"
    rows = [r for r in book.authority if r.matter == matter and r.expense_class in (None, expense_class)]
    if not rows:
        what = matter + (f" ({expense_class})" if expense_class else "")
        return f"rulebook {book.id} has no authority band for {what}"
    needed = rows[0].quantity
    if needed is not None and quantities.get(needed) is None:
        return f"a {matter} document needs {needed} to find its band (rulebook {book.id})"
    return f"rulebook {book.id} has no band of {matter} covering {needed}={quantities.get(needed or '')}"
