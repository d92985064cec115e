"""One-line text a person types (件名, 差出人, 氏名, file names): no control characters.

Titles and names travel on into mail subjects, chat messages, 収受簿 exports and HTTP headers; a CR/LF there
forges a header or breaks a mail for good, and other controls (C0 U+0000–U+001F, DEL, C1 U+0080–U+009F) have
no place in a title either.  Refused at the edge (422 naming the field), never cleaned up silently.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

#: Line and paragraph separators break a line as CR/LF do (mail clients and chat render them so).
_LINE_BREAKS = frozenset("\u2028\u2029")


def control_character(value: str) -> str | None:
    """The first control character (C0, DEL, C1) or line separator in ``value``, if any."""
    return next((c for c in value if unicodedata.category(c) == "Cc" or c in _LINE_BREAKS), None)


def _one_line(value: str) -> str:
    bad = control_character(value)
    if bad is not None:
        raise ValueError(f"must not contain control characters or line breaks (found U+{ord(bad):04X})")
    return value


#: A title or a name: one line of printable text (length limits stay with each field).
OneLine = Annotated[str, AfterValidator(_one_line)]

#: A file name's limit in bytes (UTF-8): what file systems (ext4, NTFS via 255 UTF-16 units, ZIP tools) and the
#: 移管 export can hold — 85 kanji, not 255.
MAX_FILENAME_BYTES = 255


def one_line(value: str) -> str:
    """``value`` with every control character or line break (runs of them) made one space: for text that is
    already stored (from before titles were checked) and goes into a mail header or a chat line."""
    out: list[str] = []
    for c in value:
        if control_character(c) is None:
            out.append(c)
        elif not out or out[-1] != " ":
            out.append(" ")
    return "".join(out).strip()
