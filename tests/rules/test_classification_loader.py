"""Reading a 文書分類表: the shipped YAML, uploaded YAML/JSON, and CSV in UTF-8 (with or without BOM) or Shift_JIS."""

from __future__ import annotations

import json

import pytest

from domain.classification import build, validate
from rules.classification import ClassificationUnreadable, decode, parse, repository_tables

HEADER = "大分類コード,大分類,中分類コード,中分類,小分類コード,小分類,保存期間,満了時の措置,起算\n"
CSV = HEADER + (
    "01,総務,01-01,文書,01-01-01,文書の収受,1年,廃棄,\n"
    "01,総務,01-01,文書,01-01-02,条例の制定,永年,移管,\n"
    "01,総務,01-02,人事,01-02-01,源泉徴収,５年,廃棄,暦年\n"
    "02,福祉,02-01,子育て支援,,,5,廃棄,\n"
)
META = {"fiscal_year": "2026", "effective_from": "2026-04-01"}


def test_the_shipped_table_is_valid_and_says_it_is_an_example() -> None:
    tables = repository_tables()
    assert [t.id for t in tables] == ["2026-common"]
    common = tables[0]
    assert validate(common) == []
    assert "例示" in common.source and common.fiscal_year == 2026
    tree = build(common)
    assert tree.leaf("01-02-03") is not None and tree.leaf("01-02-03").entry.counting == "calendar_year"  # type: ignore[union-attr]
    assert {n.entry.disposition for n in tree.leaves()} == {"transfer", "dispose"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "shift_jis", "cp932"])
def test_csv_in_every_encoding_reads_the_same(encoding: str) -> None:
    content = parse(CSV.encode(encoding), media_type="text/csv", **META)
    assert validate(content) == []
    by_code = {e.code: e for e in content.entries}
    assert list(by_code) == ["01", "01-01", "01-01-01", "01-01-02", "01-02", "01-02-01", "02", "02-01"]
    assert by_code["01-01-01"].name == "文書の収受" and by_code["01-01-01"].retention_years == 1
    assert by_code["01-01-02"].retention_permanent and by_code["01-01-02"].disposition == "transfer"
    assert by_code["01-02-01"].counting == "calendar_year" and by_code["01-02-01"].retention_years == 5
    assert by_code["02-01"].parent_code == "02" and by_code["02-01"].row == "row 5", "a leaf at 中分類 level"
    assert by_code["01"].retention_years is None and by_code["01"].row == "row 2"


def test_decode_drops_the_bom_and_falls_back_to_shift_jis() -> None:
    assert decode("分類".encode("utf-8-sig")) == "分類"
    assert decode("分類".encode("cp932")) == "分類"
    with pytest.raises(ClassificationUnreadable, match="neither UTF-8 nor Shift_JIS"):
        decode(b"\x81\xff\xfe")


def test_csv_problems_name_the_rows() -> None:
    bad = HEADER + "01,総務,01-01,文書,01-01-01,収受,5年,廃棄,\n01,総務課,01-01,文書,01-01-02,発送,十年,廃棄,\n"
    with pytest.raises(ClassificationUnreadable) as caught:
        parse(bad.encode(), media_type="text/csv", **META)
    described = [p.describe() for p in caught.value.problems]
    assert any(d.startswith("row 3 (01)") and "'総務課'" in d for d in described), described
    assert any(d.startswith("row 3 (01-01-02)") and "保存期間" in d for d in described), described


def test_csv_duplicate_leaf_is_left_to_validation_with_its_row() -> None:
    dup = HEADER + "01,総務,01-01,文書,01-01-01,収受,5年,廃棄,\n01,総務,01-01,文書,01-01-01,収受,5年,廃棄,\n"
    problems = validate(parse(dup.encode(), media_type="text/csv", **META))
    assert [(p.row, p.code) for p in problems] == [("row 3", "01-01-01")]
    assert "duplicate" in problems[0].message


def test_csv_without_the_code_column_or_the_year_is_refused() -> None:
    with pytest.raises(ClassificationUnreadable, match="大分類コード"):
        parse(b"code,name\n01,x\n", media_type="text/csv", **META)
    with pytest.raises(ClassificationUnreadable, match="fiscal_year"):
        parse(CSV.encode(), media_type="text/csv", effective_from="2026-04-01")


def test_english_headers() -> None:
    text = "major_code,major_name,minor_code,minor_name,retention,disposition,counting\n01,総務,01-9,雑,1年未満,廃棄,\n"
    content = parse(text, media_type="text/csv", **META)
    read = [(e.code, e.parent_code, e.retention_years) for e in content.entries]
    assert read == [("01", None, None), ("01-9", "01", 0)]


LEAF = {"code": "01-1", "name": "雑", "保存期間": "3年", "満了時の措置": "廃棄"}


def test_yaml_and_json_trees() -> None:
    body = {
        "年度": 2027,
        "適用日": "2027-04-01",
        "classes": [{"code": "01", "name": "総務", "children": [LEAF]}],
    }
    from_json = parse(json.dumps(body, ensure_ascii=False), media_type="application/json")
    assert from_json.fiscal_year == 2027 and [e.code for e in from_json.entries] == ["01", "01-1"]
    assert from_json.entries[1].row == "classes[0].children[0]"
    from_yaml = parse(
        "年度: 2027\n適用日: 2027-04-01\nclasses:\n  - {code: '01', name: 総務, 保存期間: 5, 満了時の措置: 移管}\n"
    )
    assert from_yaml.entries[0].disposition == "transfer"


def test_yaml_problems_name_the_path() -> None:
    text = (
        "年度: 2027\n適用日: 2027-04-01\nclasses:\n"
        "  - {code: '01', name: 総務, children: [{code: '01-1', name: x, 保存期間: 何年}]}\n"
    )
    with pytest.raises(ClassificationUnreadable) as caught:
        parse(text)
    assert caught.value.problems[0].row == "classes[0].children[0]"
    with pytest.raises(ClassificationUnreadable, match="not valid YAML"):
        parse("classes: [")
    with pytest.raises(ClassificationUnreadable, match="a list of classes"):
        parse("年度: 2027\n適用日: 2027-04-01\n")
