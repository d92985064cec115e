"""Where Chromium is on this machine, for the browser tests (Playwright drives it; it never downloads one).

``RINGI_CHROMIUM`` names the executable; else Debian's ``chromium``, ``chromium-browser`` or ``google-chrome``
on the PATH or in /usr/bin.  ``make chromium`` installs Debian's package when it can (root with apt-get).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = "make chromium (as root with apt-get), or set RINGI_CHROMIUM to a Chromium executable"


def find_chromium() -> Path | None:
    """The Chromium executable to launch, or None when there is none."""
    configured = os.environ.get("RINGI_CHROMIUM")
    if configured:
        path = Path(configured)
        return path if path.is_file() and os.access(path, os.X_OK) else None
    for name in CANDIDATES:
        found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").is_file() else None)
        if found:
            return Path(found)
    return None
