"""The list of common passwords the password policy refuses (``rules/passwords/common.txt``, or a city's own)."""

from __future__ import annotations

import functools
from pathlib import Path

from domain.passwords import common_passwords

SHIPPED = Path(__file__).parent / "passwords" / "common.txt"


@functools.cache
def load_common_passwords(path: Path | None = None) -> frozenset[str]:
    """The passwords of ``path`` (default: the shipped list), lower-case; read once per process and path."""
    with (path or SHIPPED).open(encoding="utf-8") as lines:
        return common_passwords(lines)
