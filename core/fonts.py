"""Japanese fonts for PDFs: a TrueType font must be embedded (no internet at run time, LGWAN).

IPAex (Debian's ``fonts-ipaexfont``) is TrueType; Noto CJK is OpenType/CFF, which reportlab cannot embed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

INSTALL_HINT = "apt-get install fonts-ipaexfont"

#: Where Debian and Ubuntu put IPAex (明朝 first: the usual face of an official document).
KNOWN_PATHS = (
    Path("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"),
    Path("/usr/share/fonts/truetype/ipaexfont-mincho/ipaexm.ttf"),
    Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
    Path("/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf"),
    Path("/usr/share/fonts/truetype/fonts-japanese-mincho.ttf"),
    Path("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"),
)


class JapaneseFontMissing(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def find_japanese_font(configured: Path | None = None) -> Path:
    """The configured font, else IPAex where Debian installs it, else any Japanese TrueType font fontconfig knows.

    Raises:
        JapaneseFontMissing: none is installed (or the configured one does not exist).
    """
    if configured is not None:
        if configured.is_file():
            return configured
        raise JapaneseFontMissing(f"Japanese font not installed: {configured} does not exist ({INSTALL_HINT})")
    for path in KNOWN_PATHS:
        if path.is_file():
            return path
    for path in _fontconfig_japanese():
        return path
    raise JapaneseFontMissing(f"Japanese font not installed: {INSTALL_HINT}")


def _fontconfig_japanese() -> list[Path]:
    """TrueType (.ttf) files fontconfig lists for Japanese (``fc-list :lang=ja``); none without fontconfig."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        out = subprocess.run([fc_list, ":lang=ja", "file"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    files = (Path(line.split(":")[0].strip()) for line in out.stdout.splitlines() if line.strip())
    return sorted(p for p in files if p.suffix.lower() == ".ttf" and p.is_file())
