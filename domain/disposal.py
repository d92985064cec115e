"""Disposal review (廃棄・移管) rules that need no I/O: which March 31 a review covers, when a decided item may be
applied, the disposal method, the review's 廃棄目録 text, and the archive export (files + manifest with SHA-256).

A 廃棄 or 移管 is applied only once the retention has expired: from the day after its 満了日, never earlier.  The
review is decided in February or March for the documents expiring on March 31, so a review approved in February
waits for April 1 (``applies_from``); a 延長 changes the expiry and so applies as soon as it is decided.

Pure and deterministic: no clock, no I/O.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.era import fiscal_year_label, wareki_date
from domain.fiscal import fiscal_year_end

DISPOSITION_LABELS: Mapping[str, str] = {"extend": "延長", "transfer": "移管", "dispose": "廃棄"}
ELECTRONIC_ERASURE = "電子データ消去"
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")


def review_expiry(fiscal_year: int) -> date:
    """The review of fiscal year N lists the documents whose retention expires at its end: March 31 of N+1."""
    return fiscal_year_end(fiscal_year)


#: The dispositions that end the retention: applied only once it has expired.
WAITS_FOR_EXPIRY: frozenset[str] = frozenset({"transfer", "dispose"})


def applies_from(expires_on: date) -> date:
    """The first day a 廃棄 or 移管 of a retention expiring on ``expires_on`` may be applied: the day after."""
    return expires_on + timedelta(days=1)


def due(disposition: str | None, expires_on: date, today: date) -> bool:
    """Whether a decided item may be applied ``today`` (JST): a 廃棄 / 移管 from the day after the 満了日; a 延長
    (or an item without a disposition, which is skipped) at once."""
    return disposition not in WAITS_FOR_EXPIRY or today >= applies_from(expires_on)


def disposal_method(*, paper_original: bool, confidentiality: int) -> str:
    """電子データ消去; a paper original is also destroyed: 裁断 (shredding) when confidential, else 溶解 (pulping)."""
    if not paper_original:
        return ELECTRONIC_ERASURE
    return f"{ELECTRONIC_ERASURE}・紙原本{'裁断' if confidentiality >= 2 else '溶解'}"


@dataclass(frozen=True)
class CatalogueLine:
    number: str | None
    title: str
    org_unit: str
    retention_label: str
    expires_on: date
    disposition: str
    extend_years: int | None
    reason: str
    paper_original_location: str | None


def review_title(fiscal_year: int) -> str:
    return f"{fiscal_year_label(fiscal_year)}末保存期間満了文書の廃棄等について"


def catalogue(fiscal_year: int, lines: Sequence[CatalogueLine]) -> str:
    """The body of the review's 起案文書: the 伺い and one line per document (廃棄目録 / 移管目録 / 延長)."""
    head = (
        f"{fiscal_year_label(fiscal_year)}末（{wareki_date(review_expiry(fiscal_year))}）に保存期間が満了する"
        "下記の文書について、次のとおり処理してよろしいか伺います。"
    )
    rows = []
    for n, line in enumerate(lines, start=1):
        what = DISPOSITION_LABELS[line.disposition]
        if line.disposition == "extend":
            what += f"（{line.extend_years}年、理由: {line.reason}）"
        elif line.reason:
            what += f"（{line.reason}）"
        paper = f" 紙原本: {line.paper_original_location}" if line.paper_original_location else ""
        rows.append(
            f"{n}. {line.number or '（番号なし）'} {line.title} / {line.org_unit} / {line.retention_label} / "
            f"満了 {wareki_date(line.expires_on)} → {what}{paper}"
        )
    return "\n".join([head, "", "記", "", *rows])


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def export_files(metadata: Mapping[str, Any], body: str) -> dict[str, bytes]:
    """The files of one transferred document (移管): its metadata as JSON and its body as UTF-8 text."""
    return {
        "metadata.json": json.dumps(metadata, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode(),
        "body.txt": body.encode(),
    }


def attachment_export_name(n: int, filename: str) -> str:
    """Where attachment ``n`` goes in a 移管 export: ``attachments/<n>`` with the name's extension when that is
    short ASCII (``attachments/3.pdf``).  Never the name itself: a name may be 255 bytes already (no room for a
    prefix) and hold characters the archive's file system refuses; the manifest keeps the original name."""
    _, dot, extension = filename.rpartition(".")
    if dot and _EXTENSION.fullmatch(extension):
        return f"attachments/{n}.{extension.lower()}"
    return f"attachments/{n}"


def manifest(document_id: str, files: Mapping[str, bytes], original_names: Mapping[str, str] | None = None) -> bytes:
    """manifest.json: every exported file with its size and SHA-256, so the archive can check what it received;
    an attachment also with its ``original_name`` (the file itself is named by its number)."""
    names = original_names or {}
    entries = [
        {"name": name, "bytes": len(data), "sha256": sha256_hex(data)}
        | ({"original_name": names[name]} if name in names else {})
        for name, data in sorted(files.items())
    ]
    return json.dumps({"document_id": document_id, "files": entries}, ensure_ascii=False, indent=2).encode()
