"""The refusal every rule raises: ``ChainError`` with the kind the API turns into an HTTP status."""

from __future__ import annotations

from typing import Literal

#: forbidden (403): not yours to do, in any state; conflict (409): yours in general, not in this state;
#: invalid (422): the request itself is wrong (a missing reason, a target out of range).
Refusal = Literal["forbidden", "conflict", "invalid"]


class ChainError(Exception):
    """An action the rules do not allow, with a reason a person can read."""

    def __init__(self, kind: Refusal, reason: str) -> None:
        super().__init__(reason)
        self.kind: Refusal = kind
        self.reason = reason
