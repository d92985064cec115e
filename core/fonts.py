"""Japanese fonts for PDFs: a TrueType font must be embedded (no internet at run time, LGWAN).

The package ships IPAex明朝 (``core/ipaex/ipaexm.ttf``, IPA Font License v1.0, the licence beside it), so the
原議 PDF needs nothing from the system.  A city may configure another TrueType font (``RINGI_PDF_FONT_PATH``);
Noto CJK is OpenType/CFF, which reportlab cannot embed.
"""

from __future__ import annotations

from pathlib import Path

#: The vendored IPAex明朝: the usual face of an official document.
VENDORED_FONT = Path(__file__).parent / "ipaex" / "ipaexm.ttf"

HINT = "set RINGI_PDF_FONT_PATH to a Japanese TrueType (.ttf) font, or reinstall ringi (it ships core/ipaex/ipaexm.ttf)"


class JapaneseFontMissing(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def find_japanese_font(configured: Path | None = None) -> Path:
    """The configured font, else the IPAex明朝 the package ships.

    Raises:
        JapaneseFontMissing: the configured font does not exist (or the vendored one was removed).
    """
    font = configured if configured is not None else VENDORED_FONT
    if font.is_file():
        return font
    raise JapaneseFontMissing(f"Japanese font not found: {font} does not exist ({HINT})")
