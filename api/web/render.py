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
from schemas.records import DISPATCH_LABELS

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
#: Every kind of event in a document's audit trail (the chain's actions and what the services and the workflow
#: record), in Japanese: the one table the 履歴 reads.  tests/web/test_render.py checks that no kind is missing.
EVENT = {
    **ACTION,
    "acknowledge": "閲覧確認（供覧）",
    "create": "起案",
    "copied": "引用起案の元になった",
    "edit": "修正",
    "submit": "提出",
    "reroute": "経路変更",
    "reassign": "担当者の付け替え（人事異動）",
    "remind": "督促",
    "escalate": "期限超過の通知",
    "skip": "引上げにより省略",
    "number": "文書番号の採番",
    "attach": "添付ファイルの追加",
    "detach": "添付ファイルの削除",
    "view": "閲覧（機密性2以上）",
    "seal_use": "公印の使用",
    "issue": "施行",
    "complete": "完結",
    "file": "簿冊への編てつ",
    "refile": "簿冊の編てつ替え",
    "retention_extend": "保存期間の延長",
    "transfer": "移管",
    "dispose": "廃棄",
    "disposal_apply": "廃棄審査の結果の適用",
}
#: What each action button does, in a sentence (shown beside the buttons: 承認 and 同意 differ, and say how).
ACTION_HELP = {
    "approve": "内容を確認し、次の段階へ回します。",
    "consent": "合議先として内容に同意します（合議の承認にあたります）。",
    "object": "合議先として異議を述べます。理由の記入が必要で、起案者は対応を求められます。",
    "send_back": "起案者（または選んだ段階）へ差し戻します。理由の記入が必要です。",
    "recall": "自分が回した文書を、次の人が処理する前に手元へ戻します。",
    "withdraw": "起案を取り下げ、決裁を求めるのをやめます。",
    "reject": "決裁者として認めないことを決めます（却下）。理由の記入が必要です。",
    "pull_up": "途中の承認者を飛ばして、後の承認者が先に承認します。飛ばされた人は後閲します。",
    "substitute": "不在の決裁者に代わって決裁します（代決）。決裁者は後で後閲します。",
    "acknowledge": "供覧された文書を閲覧したことを記録します。",
    "post_review": "代決・引上げ承認された文書を、後から確認したことを記録します。",
    "comment": "経路の人に向けて意見を残します（文書の状態は変わりません）。",
    "resubmit": "修正した文書を、差し戻された段階から再び回します。",
}
#: The confirmation shown on the page after an action (``?done=…``), read by screen readers (role=status).
DONE = {
    "submit": "提出しました。回議が始まりました。",
    "decide": "決裁しました。",
    "issue": "施行しました。文書は完結しました。",
    "attach": "ファイルを添付しました。",
    "detach": "添付ファイルを削除しました。",
    **{action: f"「{label}」を行いました。" for action, label in ACTION.items()},
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

#: アクセスログ: what each entry records, and its outcome.
ACCESS_KIND = {
    "sign_in": "サインイン",
    "document_read": "文書の閲覧",
    "audit_read": "履歴の閲覧",
    "password_change": "パスワード変更",
    "password_reset": "パスワード再設定（管理者）",
    "account_status": "アカウントの無効化・再有効化（管理者）",
    "payload_decode": "Temporal ペイロードの復号（管理者）",
}
ACCESS_OUTCOME = {"success": "成功", "failure": "失敗"}
#: 人事異動: a transfer's status, and what applying it does to each unanswered step.
TRANSFER_STATUS = {"draft": "未適用", "applying": "適用中", "applied": "適用済"}
MOVE_OUTCOME = {"reassign": "後任者へ付け替え", "needs_decision": "文書担当の判断が必要"}


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
        "ACTION_HELP": ACTION_HELP,
        "CONFIDENTIALITY": CONFIDENTIALITY,
        "FINANCE": FINANCE,
        "REFUSAL": REFUSAL,
        "CHANNEL": CHANNEL,
        "BRANCH": BRANCH,
        "OUTCOME": OUTCOME,
        "RECEIPT_EVENT": RECEIPT_EVENT,
        "INTAKE_BRANCH": INTAKE_BRANCH,
        "DISPATCH": DISPATCH_LABELS,
        "ACCESS_KIND": ACCESS_KIND,
        "ACCESS_OUTCOME": ACCESS_OUTCOME,
        "TRANSFER_STATUS": TRANSFER_STATUS,
        "MOVE_OUTCOME": MOVE_OUTCOME,
    }
    env.globals.update(labels)
    return templates
