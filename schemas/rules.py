"""The rulebook (事務決裁規程 as data): one version per 適用日, every row with the citation that makes it law.

A version holds
- ``authority``: bands of (matter, expense class, quantity) -> the level that decides (専決 / 決裁);
  ``以上`` (at_least) is inclusive and ``未満`` (below) exclusive, exactly as the regulation words them;
- ``consultations``: mandatory 合議 per matter (e.g. spending >= 100万円 consults 財政課);
- ``examinations``: 文書審査 (法規審査) by a named unit before the decision (e.g. 総務課 for 条例・規則案);
- ``non_delegable``: matters that neither 専決 nor 代決 may decide: the named level decides in person;
- ``escalation``: flagged (重要・異例・先例・疑義) or 合議不調 matters go up from what the matrix says;
- ``overtime_limits``: the 時間外勤務 caps (上限) per section class (一般 / 他律的), the sections designated 他律的
  (effective-dated), and the 特例業務 that may exceed them (人事院規則15-14 第16条の2の2, as the cities follow it).

General matters (``matter: general``) have rows by ``category`` (照会・回答, 通知, 条例・規則案 …) and no amount.
Quantities other than yen (days, hours) count a fraction as a whole unit (端数は1として数える), so
"2日以内" is written ``未満: 3`` and "20時間を超える" ``以上: 21`` and both stay exact.
YAML and JSON may use the Japanese keys (適用日, 以上, 未満) or the English field names.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: The quantities a band can measure, and the fact of a document each one reads.
QUANTITIES: tuple[str, ...] = ("amount_yen", "days", "hours", "monthly_overtime_hours")
#: 節 groups the matrix distinguishes: 工事請負費, その他, 交際費・食糧費.
EXPENSE_CLASSES: tuple[str, ...] = ("construction", "other", "hospitality")
EXPENSE_CLASS_NAMES: dict[str, str] = {"construction": "工事請負費", "other": "その他", "hospitality": "交際費・食糧費"}
MATTER_NAMES: dict[str, str] = {
    "spending": "支出負担行為",
    "contract": "契約の締結",
    "leave": "休暇の承認",
    "overtime": "時間外勤務命令",
    "trip": "旅行命令",
    "disposal_review": "保存期間満了文書の廃棄・移管",
    "general": "一般事項",  # 照会・回答, 通知, 報告, 諸証明, 許認可, 施策, 条例・規則案, 議案: by ``category``
}
LEVEL_NAMES: dict[str, str] = {"manager": "課長", "director": "部長", "deputy_mayor": "副市長", "mayor": "市長"}
FLAG_NAMES: dict[str, str] = {"important": "重要", "unusual": "異例", "precedent": "先例", "doubtful": "疑義"}


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class BandedRule(_Row):
    """A row that applies to one matter (and expense class) from ``at_least`` (以上) to ``below`` (未満)."""

    matter: str
    expense_class: str | None = None
    category: str | None = None  # general matters: the 決裁区分 row's key (e.g. inquiry_reply_routine)
    quantity: str | None = None  # None: the row applies whatever the quantity
    at_least: int = Field(default=0, alias="以上")
    below: int | None = Field(default=None, alias="未満")
    citation: str = Field(min_length=1, max_length=200)
    note: str = ""

    def covers(self, value: int | None) -> bool:
        """Whether a measured quantity falls in [以上, 未満)."""
        if self.quantity is None:
            return True
        if value is None:
            return False
        return self.at_least <= value and (self.below is None or value < self.below)


class AuthorityRule(BandedRule):
    """事務決裁規程 別表: who decides (``level``: manager / director / deputy_mayor / mayor) in this band."""

    quantity: str | None = "amount_yen"
    level: str
    category_name: str = Field(default="", max_length=100)  # general matters: the row's words (定例的な照会・回答)

    @model_validator(mode="before")
    @classmethod
    def _category_rows_measure_nothing(cls, data: Any) -> Any:
        """A 決裁区分 row by category has no amount: unless it says otherwise, it measures no quantity."""
        if isinstance(data, dict) and data.get("category") is not None and "quantity" not in data:
            return {**data, "quantity": None}
        return data


class ConsultRule(BandedRule):
    """Mandatory 合議: the holder of ``post`` in ``org_unit`` is consulted on the matter in this band."""

    org_unit: str
    post: str = "manager"


class ExaminationRule(BandedRule):
    """文書審査 (法規審査): the holder of ``post`` in ``org_unit`` examines the draft before the decision."""

    org_unit: str
    post: str = "manager"


class NonDelegableRule(BandedRule):
    """専決・代決 not allowed: ``level`` (by default the 市長) decides in person."""

    level: str = "mayor"


class EscalationRule(_Row):
    """専決の制限: flagged matters (and those whose 合議 failed) are decided ``levels`` above the matrix."""

    flags: tuple[str, ...] = ("important", "unusual", "precedent", "doubtful")
    consult_failed: bool = True
    levels: int = Field(default=1, ge=1, le=3)
    citation: str = Field(min_length=1, max_length=200)


#: 時間外勤務の上限 section classes: 一般 (ordinary) and 他律的 (driven by others' demands, designated by 人事課).
LIMIT_CLASSES: tuple[str, ...] = ("general", "other_driven")
LIMIT_CLASS_NAMES: dict[str, str] = {"general": "一般", "other_driven": "他律的業務の比重が高い部署"}


class OvertimeCaps(_Row):
    """The caps of one section class.  ``*_at_most`` are inclusive (以下), ``month_below`` exclusive (未満).

    ``average_at_most`` bounds the average over every 2 to ``average_months`` consecutive months (複数月平均);
    ``over_hours`` / ``over_months_at_most``: the months of a 年度 with more than ``over_hours`` hours are at most
    that many.  None: the class has no such cap.
    """

    month_at_most: float | None = Field(default=None, gt=0)
    month_below: float | None = Field(default=None, gt=0)
    year_at_most: float = Field(gt=0)
    average_at_most: float | None = Field(default=None, gt=0)
    average_months: int = Field(default=6, ge=2, le=12)
    over_hours: float | None = Field(default=None, gt=0)
    over_months_at_most: int | None = Field(default=None, ge=0, le=12)
    citation: str = Field(min_length=1, max_length=200)
    note: str = ""


class OvertimeDesignation(_Row):
    """人事課's designation of one section (org unit) as ``limit_class`` from ``effective_from`` (inclusive) to
    ``effective_until`` (exclusive; None: open)."""

    org_unit: str = Field(min_length=1, max_length=64)
    limit_class: str = "other_driven"
    effective_from: date = Field(alias="適用日")
    effective_until: date | None = Field(default=None, alias="終了日")
    citation: str = Field(min_length=1, max_length=200)
    note: str = ""

    def covers(self, org_unit: str, on: date) -> bool:
        return (
            self.org_unit == org_unit
            and self.effective_from <= on
            and (self.effective_until is None or on < self.effective_until)
        )


class OvertimeSpecialCase(_Row):
    """特例業務 (e.g. 大規模災害への対処): exceeds the caps, with its reason recorded, decided by ``level``."""

    level: str = "deputy_mayor"
    kinds: tuple[str, ...] = ("大規模災害への対処",)
    citation: str = Field(min_length=1, max_length=200)
    note: str = ""


class OvertimeLimits(_Row):
    """時間外勤務の上限: the caps of each class, the 他律的 designations and the 特例業務 exception."""

    general: OvertimeCaps
    other_driven: OvertimeCaps
    designations: tuple[OvertimeDesignation, ...] = ()
    special_case: OvertimeSpecialCase
    citation: str = Field(default="", max_length=200)

    def caps(self, limit_class: str) -> OvertimeCaps:
        return self.other_driven if limit_class == "other_driven" else self.general


class BulkEligibleMatter(_Row):
    """一括承認 of one matter: leave up to ``days_at_most`` days; a trip only within the prefecture (県内出張)
    when ``within_prefecture_only``."""

    matter: str = Field(min_length=1, max_length=40)
    days_at_most: float | None = Field(default=None, gt=0)
    within_prefecture_only: bool = False
    citation: str = Field(min_length=1, max_length=200)
    note: str = ""


class BulkApproval(_Row):
    """一括承認: the matters an approver may approve several at once (never 機密性2+, never 代決, never with
    attachments the approver has not opened), at most ``max_items`` a request."""

    matters: tuple[BulkEligibleMatter, ...] = ()
    max_items: int = Field(default=50, ge=1, le=50)
    citation: str = Field(min_length=1, max_length=200)


class RulebookContent(_Row):
    """What a YAML file or an upload holds: one version of the rulebook, without its id."""

    effective_from: date = Field(alias="適用日")
    title: str = Field(default="", max_length=200)
    review_citation: str = Field(default="", max_length=200)  # 回議: up the direct line (決裁の順序)
    authority: tuple[AuthorityRule, ...]
    consultations: tuple[ConsultRule, ...] = ()
    examinations: tuple[ExaminationRule, ...] = ()  # 文書審査 before the decision
    non_delegable: tuple[NonDelegableRule, ...] = ()
    escalation: EscalationRule
    overtime_limits: OvertimeLimits | None = None  # None: this version sets no 時間外勤務 caps
    bulk_approval: BulkApproval | None = None  # None: no 一括承認 in this version


class Rulebook(RulebookContent):
    """A stored version; its id is its 適用日 (one version per date)."""

    id: str


class RuleProblem(BaseModel):
    """One thing wrong with an uploaded rulebook, naming the row (section, index and citation)."""

    section: str
    index: int | None = None
    citation: str = ""
    message: str

    def describe(self) -> str:
        where = self.section if self.index is None else f"{self.section}[{self.index}]"
        cited = f" ({self.citation})" if self.citation else ""
        return f"{where}{cited}: {self.message}"


def categories_of(book: RulebookContent) -> dict[str, str]:
    """The categories of general matters (一般事項) the version has 決裁区分 rows for: key -> the row's words."""
    return {
        row.category: row.category_name or row.category
        for row in book.authority
        if row.matter == "general" and row.category is not None
    }


class RulebookSummary(BaseModel):
    id: str
    effective_from: date
    title: str
    rows: int
    in_force: bool = False  # the version new submissions get today
