"""文書分類表 (classification table) as data: one version per 年度 and 適用日, a tree of 大/中/小分類.

Each leaf carries its 保存期間 class (years, 0 = 1年未満, or 永年), the disposition decided in advance for its files
at expiry (レコードスケジュール: 移管 to the archives or 廃棄) and how its years count (年度, the default, or 暦年).
The entries come flat, each naming its parent by code; ``domain.classification`` validates and builds the tree.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: 移管 (transfer to the archives) or 廃棄 (disposal) at expiry.
Disposition = Literal["transfer", "dispose"]
DISPOSITION_NAMES: dict[str, str] = {"transfer": "移管", "dispose": "廃棄"}
#: 年度 (April 1 – March 31) or 暦年 (January 1 – December 31).
Counting = Literal["fiscal_year", "calendar_year"]
COUNTING_NAMES: dict[str, str] = {"fiscal_year": "年度", "calendar_year": "暦年"}
#: 大分類, 中分類, 小分類 by depth (1, 2, 3).
LEVEL_NAMES: dict[int, str] = {1: "大分類", 2: "中分類", 3: "小分類"}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ClassificationEntry(_Frozen):
    """One class of the table as read: its code, name and parent; a leaf also its retention and disposition."""

    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    parent_code: str | None = None
    retention_years: int | None = None  # 0 = 1年未満; None with retention_permanent False: not given
    retention_permanent: bool = False  # 永年
    disposition: Disposition | None = None
    counting: Counting = "fiscal_year"
    #: Where the entry was read (``row 7`` of a CSV, ``classes[0].children[2]`` of YAML): problems name it.
    row: str = ""

    @property
    def has_retention(self) -> bool:
        return self.retention_permanent or self.retention_years is not None


class ClassificationContent(_Frozen):
    """A version's content: the 年度 it classifies, its 適用日, where it comes from (a 規程 or 例示), the entries."""

    fiscal_year: int = Field(ge=1989, le=2200)
    effective_from: date
    title: str = Field(default="", max_length=200)
    source: str = Field(default="", max_length=400)
    entries: tuple[ClassificationEntry, ...]


class ClassificationTable(ClassificationContent):
    """A stored version (id: e.g. ``2026-common``)."""

    id: str


class ClassificationProblem(_Frozen):
    """What is wrong, and where: the row (``row 7``, ``classes[0].children[2]``) and the code when known."""

    row: str = ""
    code: str = ""
    message: str

    def describe(self) -> str:
        where = " ".join(p for p in (self.row, f"({self.code})" if self.code else "") if p)
        return f"{where}: {self.message}" if where else self.message
