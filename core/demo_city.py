"""Demo city (デモ自治体): a deterministic organisation shaped like 萩市 (~45k people).

The tree has one root, the unit ``executive`` (特別職: 市長, 副市長, 教育長).  Every department
(部・局, and the department-like 会計課 and 議会事務局) has ``parent_code="executive"``; every
division (課・室) has its department as parent and a unique 文書記号 (``symbol``, e.g. 萩総 for
総務課).  Walking ``parent_code`` upwards from any unit therefore reaches the executive.

Everything here is pure: no I/O, no clock, no unseeded randomness.  The variation in names and head
counts comes from fixed tables and index arithmetic, so every call returns an equal ``City``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from schemas.org import POST_RANKS, Assignment, City, OrgUnit, Post, StaffMember, StaffRole

CITY_NAME = "萩市"
EXECUTIVE_CODE = "executive"
ADMIN_ID = "admin"
#: 適用日 of the seed organisation: the start of 令和8年度.
EFFECTIVE_FROM = date(2026, 4, 1)

#: Display names of the posts (職名).  A director is called 局長, 事務局長 or 会計管理者 in some units; the
#: post stays ``director`` (see ``DIRECTOR_TITLES``).
POST_NAMES: dict[str, str] = {
    "mayor": "市長",
    "deputy_mayor": "副市長",
    "superintendent": "教育長",
    "director": "部長",
    "manager": "課長",
    "assistant_manager": "課長補佐",
    "chief": "係長",
    "staff": "主事",
}

#: Explicit role grants (例示): the first holder of each (unit, post) gets them.  文書担当 (records office) is the
#: 総務課長 with the 文書係長 he designates (萩市文書取扱規程 第2条 names the 総務課長 for the city's documents; the
#: designated 係長 is an example); 人事担当 (HR administrators) the 人事課長 and the 人事係長 (例示).  Nobody else
#: in 総務課 or 人事課 — their 主事 included — holds these powers by membership.
ROLE_GRANTS: dict[tuple[str, str], tuple[StaffRole, ...]] = {
    ("somu.somu", "manager"): ("records_office",),
    ("somu.somu", "chief"): ("records_office",),
    ("somu.jinji", "manager"): ("hr_admin",),
    ("somu.jinji", "chief"): ("hr_admin",),
}


@dataclass(frozen=True)
class _Division:
    code: str  # the part after "<dept>."
    name: str
    symbol: str
    chiefs: int  # 係長 at scale 1
    staff: int  # 主事 at scale 1
    assistant: bool = True  # whether a 課長補佐 is posted


@dataclass(frozen=True)
class _Department:
    code: str
    name: str
    director_title: str
    divisions: tuple[_Division, ...]


_DEPARTMENTS: tuple[_Department, ...] = (
    _Department(
        "seisaku",
        "総合政策部",
        "部長",
        (
            _Division("kikaku", "企画政策課", "萩企", 2, 3),
            _Division("dx", "DX推進室", "萩DX", 1, 2, assistant=False),
            _Division("joho", "情報政策課", "萩情", 1, 2),
        ),
    ),
    _Department(
        "somu",
        "総務部",
        "部長",
        (
            _Division("somu", "総務課", "萩総", 2, 4),
            _Division("jinji", "人事課", "萩人", 1, 2),
            _Division("zaisei", "財政課", "萩財", 1, 2),
            _Division("keiyaku", "契約監理課", "萩契", 1, 2),
        ),
    ),
    _Department(
        "shimin",
        "市民部",
        "部長",
        (
            _Division("shimin", "市民課", "萩市民", 2, 3),
            _Division("zeimu", "税務課", "萩税", 2, 3),
            _Division("hoken", "保険年金課", "萩保", 1, 2),
            _Division("kankyo", "環境衛生課", "萩環", 1, 2),
        ),
    ),
    _Department(
        "fukushi",
        "福祉部",
        "部長",
        (
            _Division("shakai", "社会福祉課", "萩社", 2, 3),
            _Division("kodomo", "子育て支援課", "萩子", 1, 2),
            _Division("korei", "高齢者支援課", "萩高", 1, 2),
            _Division("kenko", "健康増進課", "萩健", 1, 2),
        ),
    ),
    _Department(
        "doboku",
        "土木建築部",
        "部長",
        (
            _Division("doboku", "土木課", "萩土", 2, 2),
            _Division("kenchiku", "建築課", "萩建", 1, 2),
            _Division("toshi", "都市計画課", "萩都", 1, 2),
        ),
    ),
    _Department(
        "norin",
        "農林水産部",
        "部長",
        (
            _Division("nosei", "農政課", "萩農", 1, 2),
            _Division("rinsei", "林政課", "萩林", 1, 2),
            _Division("suisan", "水産課", "萩水産", 1, 2, assistant=False),
        ),
    ),
    _Department(
        "shoko",
        "商工観光部",
        "部長",
        (
            _Division("shoko", "商工振興課", "萩商", 1, 2),
            _Division("kanko", "観光課", "萩観", 1, 2),
            _Division("teiju", "定住促進室", "萩定", 1, 2, assistant=False),
        ),
    ),
    _Department(
        "kyoiku",
        "教育委員会",
        "教育部長",
        (
            _Division("somu", "教育総務課", "萩教総", 1, 3),
            _Division("gakko", "学校教育課", "萩学", 2, 2),
            _Division("shogai", "生涯学習課", "萩生", 1, 2),
            _Division("bunka", "文化財保護課", "萩文", 1, 2),
        ),
    ),
    _Department(
        "suido",
        "上下水道局",
        "局長",
        (
            _Division("gyomu", "業務課", "萩水業", 1, 2),
            _Division("josui", "上水道課", "萩上", 1, 2),
            _Division("gesui", "下水道課", "萩下", 1, 2),
        ),
    ),
    _Department(
        "kaikei",
        "会計課",
        "会計管理者",
        (_Division("suito", "出納室", "萩会", 1, 2, assistant=False),),
    ),
    _Department(
        "gikai",
        "議会事務局",
        "事務局長",
        (_Division("giji", "議事調査課", "萩議", 1, 2),),
    ),
)

#: What a department calls its ``director`` (部長, 局長, 事務局長, 会計管理者), by department code.
DIRECTOR_TITLES: dict[str, str] = {d.code: d.director_title for d in _DEPARTMENTS}

_SURNAMES = (
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤",
    "吉田", "山田", "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水",
    "山崎", "森", "池田", "橋本", "阿部", "石川", "山下", "中島", "石井", "小川",
    "前田", "岡田", "長谷川", "藤田", "後藤", "近藤", "村上", "遠藤", "青木", "坂本",
    "河野", "末永", "藤井", "西村", "福田", "太田", "三浦", "原田", "松田", "中野",
)  # fmt: skip
_GIVEN_NAMES = (
    "一郎", "健太", "翔太", "大輔", "誠", "浩二", "直樹", "拓也", "和也", "亮",
    "恵子", "由美", "明美", "陽子", "美咲", "彩", "真由美", "裕子", "智子", "愛",
    "隆", "修", "聡", "剛", "博之", "達也", "悠斗", "蓮", "大翔", "悠真",
    "さくら", "陽菜", "結衣", "花子", "直美", "久美子", "加奈", "舞", "千尋",
    "正人", "伸也", "光男", "昌平", "健一", "純子", "洋子", "春香",
)  # fmt: skip


def staff_name(n: int) -> str:
    """The deterministic full name (姓 名) of the n-th generated staff member (n >= 1)."""
    surname = _SURNAMES[(n * 7 + n // len(_SURNAMES)) % len(_SURNAMES)]
    given = _GIVEN_NAMES[(n * 11) % len(_GIVEN_NAMES)]
    return f"{surname} {given}"


class _Builder:
    """Accumulates units, staff and assignments in generation order (staff ids ``s0001``, ``s0002``, …)."""

    def __init__(self) -> None:
        self.org_units: list[OrgUnit] = []
        self.staff: list[StaffMember] = []
        self.assignments: list[Assignment] = []

    def unit(self, unit: OrgUnit) -> None:
        self.org_units.append(unit)

    def person(self, org_unit_code: str, post_code: str, count: int = 1) -> None:
        for i in range(count):
            n = len(self.staff) + 1
            roles = ROLE_GRANTS.get((org_unit_code, post_code), ()) if i == 0 else ()
            self._add(StaffMember(id=f"s{n:04d}", name=staff_name(n), roles=roles), org_unit_code, post_code)

    def admin(self) -> None:
        self._add(StaffMember(id=ADMIN_ID, name="システム管理者", is_admin=True), "seisaku.joho", "staff")

    def _add(self, member: StaffMember, org_unit_code: str, post_code: str) -> None:
        self.staff.append(member)
        self.assignments.append(
            Assignment(
                staff_id=member.id,
                org_unit_code=org_unit_code,
                post_code=post_code,
                effective_from=EFFECTIVE_FROM,
            )
        )


def scale_for_staff(staff: int) -> int:
    """The smallest ``divisions_scale`` whose city has at least ``staff`` people (for ``ringi seed --staff``)."""
    per_scale = sum(div.chiefs + div.staff for dept in _DEPARTMENTS for div in dept.divisions)
    fixed = len(generate_city().staff) - per_scale
    return max(1, -(-(staff - fixed) // per_scale))


def generate_city(*, divisions_scale: int = 1, staff: int | None = None) -> City:
    """Build the demo city.

    Args:
        divisions_scale: multiplies the 係長 and 主事 of every division (the units and the 課長, 課長補佐 and
            部長 stay as they are).  1 gives 190 people (admin included), 5 gives 642, 8 gives 981.
        staff: at least this many people (overrides ``divisions_scale``; e.g. 10,000 for scale tests).

    Returns:
        The whole organisation; every person has exactly one (primary) assignment from ``EFFECTIVE_FROM``.
    """
    if staff is not None:
        divisions_scale = scale_for_staff(staff)
    if divisions_scale < 1:
        raise ValueError("divisions_scale must be >= 1")
    b = _Builder()
    b.unit(OrgUnit(code=EXECUTIVE_CODE, name="特別職", kind="executive"))
    b.person(EXECUTIVE_CODE, "mayor")
    b.person(EXECUTIVE_CODE, "deputy_mayor")
    b.person(EXECUTIVE_CODE, "superintendent")
    for dept in _DEPARTMENTS:
        b.unit(OrgUnit(code=dept.code, name=dept.name, kind="department", parent_code=EXECUTIVE_CODE))
        b.person(dept.code, "director")
        for div in dept.divisions:
            code = f"{dept.code}.{div.code}"
            b.unit(OrgUnit(code=code, name=div.name, kind="division", parent_code=dept.code, symbol=div.symbol))
            b.person(code, "manager")
            if div.assistant:
                b.person(code, "assistant_manager")
            b.person(code, "chief", div.chiefs * divisions_scale)
            b.person(code, "staff", div.staff * divisions_scale)
    b.admin()
    posts = tuple(Post(code=code, name=POST_NAMES[code], rank=rank) for code, rank in POST_RANKS.items())
    return City(
        name=CITY_NAME,
        org_units=tuple(b.org_units),
        posts=posts,
        staff=tuple(b.staff),
        assignments=tuple(b.assignments),
    )
