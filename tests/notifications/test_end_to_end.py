"""Through the whole stack: a submitted document's approver gets mail, the drafter hears of the decision."""

from __future__ import annotations

from typing import Any

from tests.notifications.builders import DRAFTER, MANAGER, SECRET_BODY, SECRET_TITLE, chat_leaks, mail_leaks
from tests.notifications.conftest import PUBLIC_URL, NotifyStack
from tests.notifications.receivers import MailReceived
from tests.support.paging import every_item
from tests.support.stack import holder

FINANCE = holder("somu.zaisei", "manager")  # 財政課長
SMALL = 300_000  # 総務課長 decides alone
BIG = 1_500_000  # 総務課長 (回議) -> 財政課長 (合議) -> 総務部長 (決裁)
KACHO_MAIL = "kacho@city.example.lg.jp"
DRAFTER_MAIL = "shuji@city.example.lg.jp"


async def _prefer(env: NotifyStack, staff_id: str, body: dict[str, Any]) -> None:
    r = await env.stack.call(staff_id, "PUT", "/v1/me/notification-preferences", json=body)
    assert r.status_code == 200, r.text


def _about(mails: list[MailReceived], document_id: str) -> list[MailReceived]:
    return [m for m in mails if f"/documents/{document_id}" in m.text]


async def test_the_approver_is_told_and_then_the_drafter_hears_the_decision(notify_stack: NotifyStack) -> None:
    env = notify_stack
    await _prefer(env, MANAGER, {"channels": ["email"], "email": KACHO_MAIL})
    await _prefer(env, DRAFTER, {"channels": ["email", "chat"], "email": DRAFTER_MAIL, "chat_user_id": "U0DRAFTER"})
    doc = await env.stack.submitted(DRAFTER, SMALL, title="会議用プロジェクターの購入", body="本文は通知に出ない")

    await env.dispatcher.run_once()

    (assigned,) = _about(env.smtp.to(KACHO_MAIL), doc["id"])
    assert assigned.subject == "【決裁】「会議用プロジェクターの購入」 があなたの決裁を待っています"
    assert f"{PUBLIC_URL}/documents/{doc['id']}" in assigned.text
    assert not mail_leaks(assigned.raw, "本文は通知に出ない")
    assert _about(env.smtp.to(DRAFTER_MAIL), doc["id"]) == []

    await env.stack.ok(MANAGER, doc["id"], "approve")
    await env.dispatcher.run_once()

    (decided,) = _about(env.smtp.to(DRAFTER_MAIL), doc["id"])
    assert decided.subject == "【決裁】「会議用プロジェクターの購入」 が決裁されました"
    (chat,) = [p for p in env.chat.to("U0DRAFTER") if doc["id"] in p.json["text"]]
    assert "が決裁されました" in chat.json["text"]
    assert len(_about(env.smtp.to(KACHO_MAIL), doc["id"])) == 1  # nothing sent twice
    mine = await every_item(env.stack, MANAGER, "/v1/notifications")
    assert [n["kind"] for n in mine if n["document_id"] == doc["id"]] == ["assigned"]


async def test_a_classified_document_travels_the_route_without_its_title(notify_stack: NotifyStack) -> None:
    env = notify_stack
    await _prefer(env, MANAGER, {"channels": ["email"], "email": KACHO_MAIL})
    await _prefer(env, FINANCE, {"channels": ["chat"], "chat_user_id": "U0ZAISEI"})
    await _prefer(env, DRAFTER, {"channels": ["email"], "email": DRAFTER_MAIL})
    doc = await env.stack.submitted(DRAFTER, BIG, title=SECRET_TITLE, body=SECRET_BODY, confidentiality=2)

    await env.dispatcher.run_once()
    await env.stack.ok(MANAGER, doc["id"], "approve")  # 回議 done: the 合議 is the 財政課長's
    await env.dispatcher.run_once()
    await env.stack.ok(FINANCE, doc["id"], "send_back", comment="積算根拠を添付してください", target_step=1)
    await env.dispatcher.run_once()

    to_manager = _about(env.smtp.to(KACHO_MAIL), doc["id"])
    to_drafter = _about(env.smtp.to(DRAFTER_MAIL), doc["id"])
    to_finance = [p for p in env.chat.to("U0ZAISEI") if doc["id"] in p.json["text"]]
    assert [m.subject.split("」")[0] for m in to_manager] == ["【回議】「機密性2の文書"]
    assert [m.subject.split("」")[0] for m in to_drafter] == ["【差戻し】「機密性2の文書"]
    assert [p.json["text"].split("」")[0] for p in to_finance] == ["【合議】「機密性2の文書"]
    for mail in to_manager + to_drafter:
        assert not mail_leaks(mail.raw, SECRET_TITLE) and not mail_leaks(mail.raw, SECRET_BODY)
        assert not mail_leaks(mail.raw, "積算根拠")  # a comment is content too
    for post in to_finance:
        assert not chat_leaks(post.raw, SECRET_TITLE) and not chat_leaks(post.raw, SECRET_BODY)
