"""Pure disposal rules: the March 31 a review covers, the disposal method, the catalogue, the export manifest."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from domain.disposal import (
    CatalogueLine,
    applies_from,
    catalogue,
    disposal_method,
    due,
    export_files,
    manifest,
    review_expiry,
    review_title,
)


def test_the_review_of_a_fiscal_year_covers_its_march_31() -> None:
    assert review_expiry(2026) == date(2027, 3, 31)
    assert review_title(2026).startswith("令和8年度末")


def test_the_method_depends_on_paper_and_confidentiality() -> None:
    assert disposal_method(paper_original=False, confidentiality=3) == "電子データ消去"
    assert disposal_method(paper_original=True, confidentiality=1) == "電子データ消去・紙原本溶解"
    assert disposal_method(paper_original=True, confidentiality=2) == "電子データ消去・紙原本裁断"


def test_the_catalogue_lists_each_document_with_its_disposition() -> None:
    line = CatalogueLine(
        number="萩総第12号",
        title="訴訟関係書類",
        org_unit="somu.somu",
        retention_label="5年",
        expires_on=date(2027, 3, 31),
        disposition="extend",
        extend_years=3,
        reason="訴訟係属中",
        paper_original_location="書庫B-2",
    )
    text = catalogue(2026, [line, CatalogueLine(**{**line.__dict__, "number": None, "disposition": "dispose"})])
    assert "令和9年3月31日" in text and "伺います" in text
    assert "1. 萩総第12号 訴訟関係書類" in text and "延長（3年、理由: 訴訟係属中）" in text and "書庫B-2" in text
    assert "2. （番号なし）" in text and "→ 廃棄" in text


def test_the_manifest_names_every_file_with_its_sha256() -> None:
    files = export_files({"id": "d1", "expires": date(2027, 3, 31)}, "本文")
    assert json.loads(files["metadata.json"]) == {"id": "d1", "expires": "2027-03-31"}
    listed = json.loads(manifest("d1", files))
    assert listed["document_id"] == "d1"
    assert {(f["name"], f["sha256"], f["bytes"]) for f in listed["files"]} == {
        (name, hashlib.sha256(data).hexdigest(), len(data)) for name, data in files.items()
    }


def test_a_disposal_or_transfer_waits_for_the_day_after_the_expiry_an_extension_does_not() -> None:
    expiry = date(2027, 3, 31)
    assert applies_from(expiry) == date(2027, 4, 1)
    for disposition in ("dispose", "transfer"):
        assert not due(disposition, expiry, date(2027, 2, 15))  # approved in February: it waits
        assert not due(disposition, expiry, expiry)  # the 満了日 itself is still within the retention
        assert due(disposition, expiry, date(2027, 4, 1)) and due(disposition, expiry, date(2028, 1, 1))
    assert due("extend", expiry, date(2027, 2, 15))
    assert due(None, expiry, date(2027, 2, 15))  # nothing to wait for: skipped at once
    assert applies_from(date(2030, 12, 31)) == date(2031, 1, 1)  # 暦年
