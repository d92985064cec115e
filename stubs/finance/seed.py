"""The demo city's budget (予算): the same 配当 (allocation) of a dozen lines in fiscal years 2025, 2026 and 2027.

Codes read ``款項-目-節-事業`` with the 節 numbering of 地方自治法施行規則 別記 as revised in 令和2年度
(08 旅費, 09 交際費, 10 需用費, 11 役務費, 12 委託料, 14 工事請負費, 17 備品購入費, 18 負担金補助及び交付金,
19 扶助費).  Some lines are small (a 300,000 yen 食糧費) so that tests and demos run out; some are large.
"""

from __future__ import annotations

from stubs.finance.store import Allocation

DEMO_FISCAL_YEARS = (2025, 2026, 2027)

#: (code, name, allocated yen) of every demo line.
DEMO_BUDGET_LINES: tuple[tuple[str, str, int], ...] = (
    ("0201-01-08-001", "総務管理費 一般管理費 旅費 (普通旅費)", 1_500_000),
    ("0201-01-09-001", "総務管理費 一般管理費 交際費 (市長交際費)", 1_000_000),
    ("0201-01-10-001", "総務管理費 一般管理費 需用費 (庁用消耗品)", 2_000_000),
    ("0201-01-10-002", "総務管理費 一般管理費 需用費 (食糧費)", 300_000),
    ("0201-01-11-001", "総務管理費 一般管理費 役務費 (通信運搬費)", 3_000_000),
    ("0201-01-17-001", "総務管理費 一般管理費 備品購入費 (庁用備品)", 5_000_000),
    ("0201-02-12-001", "総務管理費 文書広報費 委託料 (広報誌印刷)", 8_000_000),
    ("0201-07-12-001", "総務管理費 情報管理費 委託料 (基幹系システム運用)", 100_000_000),
    ("0301-01-19-001", "社会福祉費 社会福祉総務費 扶助費 (生活支援給付)", 100_000_000),
    ("0401-01-18-001", "保健衛生費 保健衛生総務費 負担金補助及び交付金 (地域医療)", 20_000_000),
    ("0701-03-07-001", "商工費 観光費 報償費 (観光イベント)", 2_000_000),
    ("0802-02-14-001", "道路橋りょう費 道路新設改良費 工事請負費 (市道改良)", 100_000_000),
    ("1001-02-17-001", "教育総務費 事務局費 備品購入費 (学校ICT機器)", 30_000_000),
)


def demo_allocations() -> list[Allocation]:
    """Every demo line in every demo fiscal year."""
    return [
        Allocation(fiscal_year=year, code=code, name=name, allocated_yen=allocated)
        for year in DEMO_FISCAL_YEARS
        for code, name, allocated in DEMO_BUDGET_LINES
    ]
