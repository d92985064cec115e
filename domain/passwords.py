"""Password policy (パスワードポリシー), pure: what a new password must not be.

A new password is refused when it is shorter than the minimum length, is one of the common passwords (a list
the caller loads: rules/passwords/common.txt), contains or equals the staff id, is a demo password, or is the
password it replaces.  Each refusal carries its reason in Japanese and in English, for the web form and the API.

No I/O, no settings: the minimum length, the list and the demo passwords are arguments.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

#: What the policy counts as the length: characters (a Japanese passphrase counts by characters, not bytes).
MAX_LENGTH = 200


@dataclass(frozen=True)
class PasswordRefusal:
    """One reason a password is refused (``code`` is stable for clients; ``ja`` and ``en`` are shown)."""

    code: str
    ja: str
    en: str

    @property
    def message(self) -> str:
        return f"{self.ja} ({self.en})"


class PasswordRefused(ValueError):
    """The new password breaks the policy; ``refusals`` lists every reason (first the most basic)."""

    def __init__(self, refusals: tuple[PasswordRefusal, ...]) -> None:
        super().__init__("; ".join(r.en for r in refusals))
        self.refusals = refusals

    @property
    def message(self) -> str:
        return " / ".join(r.message for r in self.refusals)


@dataclass(frozen=True)
class PasswordPolicy:
    """The city's rules for new passwords.

    Attributes:
        min_length: fewest characters (default 12, the setting RINGI_PASSWORD_MIN_LENGTH).
        common: passwords refused as too common, lower-case.
        demo_passwords: the demo seed's passwords (``RINGI_DEMO_PASSWORD`` and the shipped ``demo``).
    """

    min_length: int = 12
    common: frozenset[str] = frozenset()
    demo_passwords: frozenset[str] = frozenset({"demo"})


def common_passwords(lines: Iterable[str]) -> frozenset[str]:
    """The list file's passwords (comments and blank lines left out), lower-case."""
    return frozenset(s.lower() for line in lines if (s := line.strip()) and not s.startswith("#"))


def refusals(
    policy: PasswordPolicy, new: str, *, staff_id: str, current: str | None = None
) -> tuple[PasswordRefusal, ...]:
    """Every reason the policy refuses ``new`` for ``staff_id`` (empty: accepted)."""
    found: list[PasswordRefusal] = []
    if len(new) < policy.min_length:
        found.append(
            PasswordRefusal(
                "too_short",
                f"パスワードは{policy.min_length}文字以上にしてください",
                f"the password must have at least {policy.min_length} characters",
            )
        )
    if len(new) > MAX_LENGTH:
        found.append(
            PasswordRefusal(
                "too_long",
                f"パスワードは{MAX_LENGTH}文字以内にしてください",
                f"the password may have at most {MAX_LENGTH} characters",
            )
        )
    if new != new.strip():
        found.append(
            PasswordRefusal(
                "surrounding_space",
                "パスワードの先頭と末尾に空白は使えません",
                "the password may not begin or end with a space",
            )
        )
    folded = new.strip().lower()
    if folded in policy.common:
        found.append(
            PasswordRefusal(
                "common",
                "よく使われるパスワードのため使えません",
                "the password is one of the most common passwords",
            )
        )
    if staff_id and staff_id.lower() in folded:
        found.append(
            PasswordRefusal(
                "contains_staff_id",
                "職員番号を含むパスワードは使えません",
                "the password may not contain the staff id",
            )
        )
    if folded in _lowered(policy.demo_passwords):
        found.append(
            PasswordRefusal(
                "demo",
                "デモ用のパスワードは使えません",
                "the demo password may not be used",
            )
        )
    if current is not None and new == current:
        found.append(
            PasswordRefusal(
                "unchanged",
                "現在と同じパスワードは使えません",
                "the new password must differ from the current one",
            )
        )
    return tuple(found)


def check(policy: PasswordPolicy, new: str, *, staff_id: str, current: str | None = None) -> None:
    """Raise ``PasswordRefused`` with every reason, unless ``new`` is acceptable."""
    found = refusals(policy, new, staff_id=staff_id, current=current)
    if found:
        raise PasswordRefused(found)


def _lowered(values: Collection[str]) -> set[str]:
    return {v.strip().lower() for v in values if v.strip()}
