"""The password policy (パスワードポリシー): length, the common-password list, the staff id, the demo password."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.passwords import PasswordPolicy, PasswordRefused, check, common_passwords, refusals
from rules.password_list import SHIPPED, load_common_passwords

POLICY = PasswordPolicy(
    min_length=12, common=frozenset({"password1234", "qwertyuiop12"}), demo_passwords=frozenset({"demo"})
)


def codes(
    new: str, *, staff_id: str = "s0123", current: str | None = None, policy: PasswordPolicy = POLICY
) -> set[str]:
    return {r.code for r in refusals(policy, new, staff_id=staff_id, current=current)}


def test_a_long_uncommon_password_is_accepted() -> None:
    assert codes("hagi-castle-moat-2026") == set()
    check(POLICY, "hagi-castle-moat-2026", staff_id="s0123")


@pytest.mark.parametrize(
    ("new", "code"),
    [
        ("short-one", "too_short"),
        ("Password1234", "common"),  # compared without case
        ("my-id-is-S0123-ok", "contains_staff_id"),
        ("x" * 201, "too_long"),
        (" leading-space-pw", "surrounding_space"),
    ],
)
def test_each_rule_refuses_with_its_reason(new: str, code: str) -> None:
    assert code in codes(new)


def test_the_demo_password_is_refused_even_when_long_enough() -> None:
    policy = PasswordPolicy(min_length=4, demo_passwords=frozenset({"demo", "trial-password"}))
    assert codes("demo", policy=policy) == {"demo"}
    assert codes("Trial-Password", policy=policy) == {"demo"}


def test_the_current_password_may_not_be_kept() -> None:
    assert codes("hagi-castle-moat-2026", current="hagi-castle-moat-2026") == {"unchanged"}


def test_every_reason_is_given_in_japanese_and_english() -> None:
    with pytest.raises(PasswordRefused) as refused:
        check(POLICY, "s0123", staff_id="s0123")
    found = {r.code: r for r in refused.value.refusals}
    assert set(found) == {"too_short", "contains_staff_id"}
    assert found["too_short"].ja == "パスワードは12文字以上にしてください"
    assert "at least 12 characters" in found["too_short"].en
    assert "職員番号" in refused.value.message and "staff id" in refused.value.message


def test_the_minimum_length_counts_characters_not_bytes() -> None:
    assert codes("萩市役所の春の桜並木です") == set()  # 12 characters, 36 bytes


def test_the_shipped_list_is_read_without_comments_and_holds_the_classics() -> None:
    common = load_common_passwords()
    assert len(common) >= 14_000
    assert {"123456", "password", "qwerty", "iloveyou", "1qaz2wsx3edc", "qwerty123456"} <= common
    assert not any(p.startswith("#") for p in common)
    assert SHIPPED.read_text(encoding="utf-8").startswith("# Common passwords")
    assert common_passwords(["# comment", "", "  Secret ", "x"]) == {"secret", "x"}


@given(st.text(min_size=12, max_size=60).filter(lambda s: s == s.strip()))
def test_refusals_are_exactly_what_the_rules_say(new: str) -> None:
    found = codes(new, staff_id="s9")
    assert ("contains_staff_id" in found) == ("s9" in new.lower())
    assert ("common" in found) == (new.lower() in POLICY.common)
    assert "too_short" not in found
