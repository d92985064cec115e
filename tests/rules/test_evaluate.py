"""The shipped rulebook rules on matters: every threshold of the matrix (以上 / 未満 exactly), escalation,
mandatory 合議 and non-delegable matters."""

from __future__ import annotations

from datetime import date

import pytest

from domain.rulebook.evaluate import NoRule, rule_on
from domain.rulebook.validate import validate
from rules.sources import StaticRulebooks
from tests.rules.builders import DEFAULT, version

# (expense class, amount in yen, deciding level): one yen below and at every threshold.
SPENDING_BOUNDARIES = [
    ("other", 0, "manager"),
    ("other", 999_999, "manager"),
    ("other", 1_000_000, "director"),
    ("other", 4_999_999, "director"),
    ("other", 5_000_000, "deputy_mayor"),
    ("other", 9_999_999, "deputy_mayor"),
    ("other", 10_000_000, "mayor"),
    ("construction", 1_999_999, "manager"),
    ("construction", 2_000_000, "director"),
    ("construction", 9_999_999, "director"),
    ("construction", 10_000_000, "deputy_mayor"),
    ("construction", 99_999_999, "deputy_mayor"),
    ("construction", 100_000_000, "mayor"),
    ("hospitality", 49_999, "manager"),
    ("hospitality", 50_000, "director"),
    ("hospitality", 10_000_000, "director"),
]


def test_the_shipped_rulebook_is_valid() -> None:
    assert validate(DEFAULT) == []
    assert DEFAULT.id == DEFAULT.effective_from.isoformat()


@pytest.mark.parametrize(("expense_class", "amount", "level"), SPENDING_BOUNDARIES)
def test_spending_bands(expense_class: str, amount: int, level: str) -> None:
    ruling = rule_on(DEFAULT, matter="spending", expense_class=expense_class, quantities={"amount_yen": amount})
    assert ruling.level == level
    assert ruling.authority.level == level
    assert ruling.authority.citation.startswith("別表第1 第1項")
    assert ruling.citation == ruling.authority.citation
    assert ruling.substitute_allowed


@pytest.mark.parametrize(
    ("matter", "quantity", "value", "level"),
    [
        ("leave", "days", 1, "manager"),
        ("leave", "days", 2, "manager"),
        ("leave", "days", 2.5, "director"),  # a part day counts as a day: more than 2 days
        ("leave", "days", 3, "director"),
        ("trip", "days", 0.5, "manager"),
        ("trip", "days", 2, "manager"),
        ("trip", "days", 3, "director"),
        ("overtime", "monthly_overtime_hours", 20, "manager"),
        ("overtime", "monthly_overtime_hours", 20.25, "director"),  # over 20 hours a month: one level up
        ("overtime", "monthly_overtime_hours", 21, "director"),
    ],
)
def test_general_affairs_bands(matter: str, quantity: str, value: float, level: str) -> None:
    ruling = rule_on(DEFAULT, matter=matter, expense_class=None, quantities={quantity: value})
    assert ruling.level == level
    assert ruling.consultations == ()


def test_a_missing_quantity_is_named() -> None:
    with pytest.raises(NoRule, match="monthly_overtime_hours"):
        rule_on(DEFAULT, matter="overtime", expense_class=None, quantities={"hours": 3})


@pytest.mark.parametrize("flag", ["important", "unusual", "precedent", "doubtful"])
def test_each_flag_moves_the_decider_one_level_up(flag: str) -> None:
    for amount, plain, up in [(999_999, "manager", "director"), (1_000_000, "director", "deputy_mayor")]:
        ruling = rule_on(
            DEFAULT, matter="spending", expense_class="other", quantities={"amount_yen": amount}, flags=[flag]
        )
        assert (ruling.authority.level, ruling.level) == (plain, up)
        assert DEFAULT.escalation.citation in ruling.citation
        assert ruling.escalated_for


def test_consult_failure_moves_up_and_the_mayor_stays_the_top() -> None:
    failed = rule_on(
        DEFAULT, matter="spending", expense_class="other", quantities={"amount_yen": 5_000_000}, consult_failed=True
    )
    assert failed.level == "mayor" and failed.escalated_for == ("合議不調",)
    top = rule_on(
        DEFAULT, matter="spending", expense_class="other", quantities={"amount_yen": 10_000_000}, flags=["important"]
    )
    assert top.level == "mayor" and top.escalated_for == () and top.citation == top.authority.citation


def test_mandatory_consultations_by_amount_and_matter() -> None:
    def consulted(matter: str, amount: int) -> list[tuple[str, str]]:
        ruling = rule_on(DEFAULT, matter=matter, expense_class="other", quantities={"amount_yen": amount})
        return [(c.org_unit, c.citation) for c in ruling.consultations]

    assert consulted("spending", 999_999) == []
    assert consulted("spending", 1_000_000) == [("somu.zaisei", "第6条第1項第1号")]
    assert consulted("contract", 1) == [("somu.keiyaku", "第6条第1項第2号")]


def test_non_delegable_contract_is_decided_by_the_mayor_in_person() -> None:
    below = rule_on(DEFAULT, matter="contract", expense_class="construction", quantities={"amount_yen": 149_999_999})
    assert below.level == "mayor" and below.substitute_allowed
    council = rule_on(DEFAULT, matter="contract", expense_class="construction", quantities={"amount_yen": 150_000_000})
    assert council.level == "mayor" and not council.substitute_allowed
    assert "第7条第1号" in council.citation and "専決・代決不可" in council.reason


async def test_the_version_in_force_by_date() -> None:
    later = version(date(2030, 4, 1))
    source = StaticRulebooks([DEFAULT, later])
    assert await source.in_force(date(2020, 1, 1)) is None
    assert (await source.in_force(date(2030, 3, 31))) == DEFAULT
    assert (await source.in_force(date(2030, 4, 1))) == later
    assert (await source.version("2030-04-01")) == later
