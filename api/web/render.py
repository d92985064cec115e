"""Templates and what they show: Japanese labels, 和暦 dates with the Gregorian date at hand, yen with commas."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from core.calendar import JST
from core.clock import now_in_japan
from domain.era import wareki_date as wareki
from domain.fiscal import fiscal_year_label

STATUS = {
    "draft": "起案中",
    "in_review": "回議中",
    "sent_back": "差戻し",
    "approved": "決裁済",
    "rejected": "却下",
    "withdrawn": "取下げ",
    "circulating": "供覧中",
    "completed": "完結",
}
STAGE = {"review": "回議", "consult": "合議", "examine": "文書審査", "decide": "決裁", "circulate": "供覧"}
STEP_STATE = {
    "done": "済",
    "pending": "処理待ち",
    "waiting": "未着",
    "skipped": "引上げにより省略",
    "closed": "不要（定足数到達）",
    "cancelled": "取消",
}
CAPACITY = {"self": "本人", "substitute": "代決", "pull_up": "引上げ"}
RESPONSE = {"approve": "承認", "consent": "同意", "object": "異議", "acknowledge": "閲覧"}
INBOX_KIND = {"step": "処理待ち", "substitute": "代決", "post_review": "後閲"}
ACTION = {
    "approve": "承認",
    "consent": "同意",
    "object": "異議",
    "send_back": "差戻し",
    "recall": "引戻し",
    "withdraw": "取下げ",
    "reject": "却下",
    "pull_up": "引上げ承認",
    "substitute": "代決",
    "acknowledge": "閲覧済（供覧）",
    "post_review": "後閲済",
    "comment": "意見を記入",
    "resubmit": "再提出",
}
EVENT = {
    **ACTION,
    "create": "起案",
    "edit": "修正",
    "submit": "提出",
    "reroute": "経路変更",
    "remind": "督促",
    "escalate": "期限超過の通知",
}
#: Titles of refusals by HTTP status (the reason itself is the service's own message).
REFUSAL = {
    400: "受け付けられません",
    401: "サインインが必要です",
    403: "権限がありません",
    404: "見つかりません",
    409: "いまはこの操作ができません",
    422: "入力に誤りがあります",
    503: "一時的に利用できません",
}
CONFIDENTIALITY = {1: "機密性1", 2: "機密性2", 3: "機密性3"}
CHANNEL = {
    "paper": "紙",
    "email": "電子メール",
    "lgwan": "LGWAN電子文書",
    "online_application": "電子申請",
    "hand": "持参",
}
BRANCH = {"none": "未処理", "reply": "起案（回答）", "circulation": "供覧", "closed": "完結（ファイルのみ）"}
OUTCOME = {
    "none": "処理待ち",
    "replying": "回答起案中",
    "replied": "回答済",
    "circulating": "供覧中",
    "circulated": "供覧済",
    "closed": "完結",
}
RECEIPT_EVENT = {
    "registered": "収受",
    "received_online": "電子申請の受付",
    "corrected": "訂正",
    "handed_on": "配布",
    "reply_drafted": "回答の起案",
    "circulation_started": "供覧開始",
    "read": "閲覧確認",
    "circulated": "供覧完了",
    "closed": "完結",
    "completed": "回答済",
    "filed": "編てつ",
    "refiled": "編てつ替え",
}
INTAKE_BRANCH = {"reply": "起案を要する", "circulation": "供覧", "receipt_only": "受付のみ"}
FINANCE = {
    "none": "—",
    "reserved": "仮押さえ中",
    "released": "仮押さえ解除",
    "committed": "支出負担行為済",
    "commit_failed": "支出負担行為エラー",
}


def _local(value: datetime) -> datetime:
    return value.astimezone(JST)


def jdate(value: date | datetime | None, *, with_time: bool = True) -> Markup:
    """<time> in 和暦, the Gregorian date and time in its title (and for machines in ``datetime``)."""
    if value is None:
        return Markup("—")
    if isinstance(value, datetime):
        local = _local(value)
        shown = wareki(local.date()) + (f" {local:%H:%M}" if with_time else "")
        gregorian, machine = f"{local:%Y-%m-%d %H:%M}", local.isoformat()
    else:
        shown, gregorian, machine = wareki(value), value.isoformat(), value.isoformat()
    return Markup('<time datetime="{}" title="{}">{}</time>').format(machine, gregorian, shown)


def gregorian(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{_local(value):%Y-%m-%d %H:%M}"
    return value.isoformat()


def yen(value: int | None) -> str:
    return "—" if value is None else f"¥{value:,}"


def waited(since: datetime | None, now: datetime | None = None) -> str:
    """How long something has waited: 2日3時間, 4時間10分, 5分."""
    if since is None:
        return "—"
    minutes = max(0, int(((now or now_in_japan()) - since).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}日{hours}時間"
    if hours:
        return f"{hours}時間{minutes}分"
    return f"{minutes}分"


def multiline(text: str) -> Markup:
    return Markup("<br>").join(escape(line) for line in text.splitlines())


def create_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
    env = templates.env
    env.filters.update(
        jdate=jdate, gregorian=gregorian, yen=yen, waited=waited, multiline=multiline, fiscal_year=fiscal_year_label
    )
    labels: dict[str, Any] = {
        "STATUS": STATUS,
        "STAGE": STAGE,
        "STEP_STATE": STEP_STATE,
        "CAPACITY": CAPACITY,
        "RESPONSE": RESPONSE,
        "INBOX_KIND": INBOX_KIND,
        "ACTION": ACTION,
        "EVENT": EVENT,
        "CONFIDENTIALITY": CONFIDENTIALITY,
        "FINANCE": FINANCE,
        "REFUSAL": REFUSAL,
        "CHANNEL": CHANNEL,
        "BRANCH": BRANCH,
        "OUTCOME": OUTCOME,
        "RECEIPT_EVENT": RECEIPT_EVENT,
        "INTAKE_BRANCH": INTAKE_BRANCH,
    }
    env.globals.update(labels)
    return templates
