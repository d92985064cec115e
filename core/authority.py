"""The default authority matrix (事務決裁規程 別表, 支出負担行為 その他) until the versioned rulebook lands.

以上 (>=) and 未満 (<) exactly as the regulation words them.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.general_affairs import AffairDetails

#: Levels of the line of superiors, lowest first: post codes.
LEVELS: tuple[str, ...] = ("manager", "director", "deputy_mayor", "mayor")

FINANCE_DIVISION = "somu.zaisei"  # 財政課
FINANCE_CONSULT_FROM_YEN = 1_000_000  # spending >= 100万円 consults 財政課


@dataclass(frozen=True)
class Band:
    below_yen: int | None  # 未満; None = no upper bound
    level: str
    citation: str


SPENDING_OTHER: tuple[Band, ...] = (
    Band(1_000_000, "manager", "支出負担行為 その他: 100万円未満 課長専決"),
    Band(5_000_000, "director", "支出負担行為 その他: 100万円以上500万円未満 部長専決"),
    Band(10_000_000, "deputy_mayor", "支出負担行為 その他: 500万円以上1,000万円未満 副市長専決"),
    Band(None, "mayor", "支出負担行為 その他: 1,000万円以上 市長決裁"),
)


def decider_band(amount_yen: int) -> Band:
    """The band whose level decides a spending of ``amount_yen``."""
    if amount_yen < 0:
        raise ValueError("amount_yen must be >= 0")
    for band in SPENDING_OTHER:
        if band.below_yen is None or amount_yen < band.below_yen:
            return band
    raise AssertionError("the last band is unbounded")


def needs_finance_consult(amount_yen: int) -> bool:
    return amount_yen >= FINANCE_CONSULT_FROM_YEN


# --- 庶務 requests (休暇・時間外勤務命令・出張) ---------------------------------------------------------------
# Until the rulebook lands: one row per (matter, quantity band).  ``up_to`` is inclusive (以内 / 以下); None = no
# upper bound.  The escalation ``overtime_month_over_20h`` (computed at submit) moves the decider one level up.


@dataclass(frozen=True)
class AffairRule:
    matter: str
    quantity: str  # the field of the request's details the band reads: ``days`` or ``hours``
    up_to: float | None  # 以内; None = no upper bound
    level: str
    citation: str


GENERAL_AFFAIRS: tuple[AffairRule, ...] = (
    AffairRule("leave", "days", 2, "manager", "休暇: 2日以内 課長専決"),
    AffairRule("leave", "days", None, "director", "休暇: 2日を超えるもの 部長専決"),
    AffairRule("trip", "days", 2, "manager", "出張 (旅行命令): 2日以内 課長専決"),
    AffairRule("trip", "days", None, "director", "出張 (旅行命令): 2日を超えるもの 部長専決"),
    AffairRule("overtime", "hours", None, "manager", "時間外勤務命令: 課長専決"),
)


def general_affairs_rule(details: AffairDetails) -> AffairRule:
    """The row of ``GENERAL_AFFAIRS`` that decides a 庶務 request (before escalations)."""
    for rule in GENERAL_AFFAIRS:
        if rule.matter != details.matter:
            continue
        quantity = float(getattr(details, rule.quantity))
        if rule.up_to is None or quantity <= rule.up_to:
            return rule
    raise AssertionError(f"no rule for {details.matter}")
