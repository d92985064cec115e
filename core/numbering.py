"""文書番号 (document numbers): how a number is shown.

Numbers run per 文書記号 (document symbol, e.g. 萩総 for 総務課) per fiscal year, from 1 each April 1.  A follow-up
document of a numbered one takes a sub-number of it: 萩総第123号の2 (the original itself is 第123号, its の1).

Pure: no clock, no I/O.
"""

from __future__ import annotations

#: Sub-numbers start at 2: the original document is の1.
FIRST_SUB_NUMBER = 2


def render_number(symbol: str, serial: int, sub: int | None = None) -> str:
    """萩総第123号, or 萩総第123号の2 for a follow-up."""
    if serial < 1:
        raise ValueError("a serial number starts at 1")
    if sub is not None and sub < FIRST_SUB_NUMBER:
        raise ValueError(f"a sub-number starts at {FIRST_SUB_NUMBER}")
    text = f"{symbol}第{serial}号"
    return f"{text}の{sub}" if sub is not None else text
