"""The dispatcher against a real SMTP server and a Slack-compatible chat API: what is sent, and what never is."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.delivery import LEASE, DispatchReport, NoticeDispatcher, _Outcome
from core.quiet_hours import JST
from core.settings import Settings
from db.models import NotificationDeliveryRow, NotificationRow
from db.repositories.deliveries import DeliveryRepository
from db.session import create_engine, create_sessionmaker
from integrations.hr import HrClient, HttpHrClient
from tests.notifications.builders import (
    DEPUTY,
    DRAFTER,
    MANAGER,
    OPEN_BODY,
    OPEN_TITLE,
    SECRET_BODY,
    SECRET_TITLE,
    add_document,
    add_notice,
    chat_leaks,
    mail_leaks,
    set_preferences,
)
from tests.notifications.conftest import PUBLIC_URL, channel_settings
from tests.notifications.receivers import ChatReceiver, SmtpReceiver
from worker.delivery import build_dispatcher, running_dispatcher

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=JST)  # a Tuesday
KINDS: list[tuple[str, dict[str, Any]]] = [
    ("assigned", {"stage_kind": "review", "stage_index": 0}),
    ("remind", {}),
    ("escalate", {}),
    ("sent_back", {"role": "drafter"}),
    ("decided", {"result": "approved"}),
    ("records", {"reason": "支出負担行為 refused by 財務会計: closed"}),
]


@dataclass
class World:
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    smtp: SmtpReceiver
    chat: ChatReceiver

    def dispatcher(self, hr: HrClient | None = None, **overrides: Any) -> NoticeDispatcher:
        return build_dispatcher(self.settings.model_copy(update=overrides), self.sessions, hr)

    async def deliveries(self, document_id: str) -> list[NotificationDeliveryRow]:
        async with self.sessions() as session:
            stmt = (
                select(NotificationDeliveryRow)
                .join(NotificationRow, NotificationRow.id == NotificationDeliveryRow.notification_id)
                .where(NotificationRow.document_id == document_id)
                .order_by(NotificationDeliveryRow.id)
            )
            return list((await session.scalars(stmt)).all())


@pytest_asyncio.fixture(loop_scope="session")
async def world(
    seeded_database_url: str, tmp_path: Path, smtp: SmtpReceiver, chat: ChatReceiver
) -> AsyncIterator[World]:
    engine = create_engine(seeded_database_url)
    settings = Settings(data_dir=tmp_path, database_url=seeded_database_url, **channel_settings(smtp, chat))  # type: ignore[arg-type]
    try:
        yield World(create_sessionmaker(engine), settings, smtp, chat)
    finally:
        await engine.dispose()


async def test_classified_title_and_body_never_leave_ringi(world: World) -> None:
    secret = await add_document(world.sessions, confidentiality=2, title=SECRET_TITLE, body=SECRET_BODY)
    top_secret = await add_document(world.sessions, confidentiality=3, title=SECRET_TITLE + "(秘)", body=SECRET_BODY)
    await set_preferences(
        world.sessions, MANAGER, ["chat", "email"], email="kacho@city.example.lg.jp", chat_user_id="U0MANAGER"
    )
    for document in (secret, top_secret):
        for kind, detail in KINDS:
            await add_notice(world.sessions, document, MANAGER, kind, detail)

    report = await world.dispatcher().run_once(NOON)

    assert report.sent == 2 * len(KINDS) * 2
    assert len(world.smtp.to("kacho@city.example.lg.jp")) == 2 * len(KINDS)
    assert len(world.chat.to("U0MANAGER")) == 2 * len(KINDS)
    for mail in world.smtp.messages:
        assert not mail_leaks(mail.raw, SECRET_TITLE) and not mail_leaks(mail.raw, SECRET_BODY), mail.subject
        assert "の文書」(" in mail.subject and "機密性" in mail.subject
        assert f"{PUBLIC_URL}/documents/" in mail.text
    for post in world.chat.posts:
        assert not chat_leaks(post.raw, SECRET_TITLE) and not chat_leaks(post.raw, SECRET_BODY), post.json
        assert f"{PUBLIC_URL}/documents/" in post.json["text"]
        assert post.headers["authorization"] == "Bearer xoxb-test-token"
    subjects = {m.subject for m in world.smtp.messages}
    assert any(s.startswith("【期限超過】「機密性3の文書」") for s in subjects), subjects


async def test_open_documents_show_their_title_but_never_the_body(world: World) -> None:
    document = await add_document(world.sessions, confidentiality=1, title=OPEN_TITLE, body=OPEN_BODY)
    await set_preferences(
        world.sessions, MANAGER, ["chat", "email"], email="kacho@city.example.lg.jp", chat_user_id="U0MANAGER"
    )
    for kind, detail in KINDS:
        await add_notice(world.sessions, document, MANAGER, kind, detail)

    await world.dispatcher().run_once(NOON)

    assert len(world.smtp.messages) == len(world.chat.posts) == len(KINDS)
    for mail in world.smtp.messages:
        assert f"「{OPEN_TITLE}」" in mail.subject
        assert f"{PUBLIC_URL}/documents/{document.id}" in mail.text
        assert not mail_leaks(mail.raw, OPEN_BODY)
        assert mail.message["Message-ID"].endswith("@city.example.lg.jp>")
    for post in world.chat.posts:
        assert OPEN_TITLE in post.json["text"] and not chat_leaks(post.raw, OPEN_BODY)


INJECTING_TITLE = "<!channel> 至急 <http://evil.example/|ringi で確認> &amp;\r\nBcc: all@city.example.lg.jp"


async def test_a_title_injects_nothing_into_chat_or_mail(world: World) -> None:
    """A stored title with chat markup and CR/LF: chat shows it escaped (no @channel, no disguised link); the mail
    goes out once with a one-line subject and no extra header (it does not fail and retry forever)."""
    document = await add_document(world.sessions, confidentiality=1, title=INJECTING_TITLE, body=OPEN_BODY)
    await set_preferences(
        world.sessions, MANAGER, ["chat", "email"], email="kacho@city.example.lg.jp", chat_user_id="U0MANAGER"
    )
    await add_notice(world.sessions, document, MANAGER)
    await set_preferences(world.sessions, DEPUTY, ["chat"], chat_user_id="U0DEPUTY>|<!here")
    await add_notice(world.sessions, document, DEPUTY)

    report = await world.dispatcher().run_once(NOON)
    hook = await world.dispatcher(chat_base_url="", chat_webhook_url=world.chat.webhook_url).run_once(NOON)

    assert report.sent == 3 and hook.sent == 0
    (mail,) = world.smtp.messages
    assert "\r" not in mail.subject and "\n" not in mail.subject and mail.message["Bcc"] is None
    assert "<!channel> 至急" in mail.subject
    for post in world.chat.posts:
        text = post.json["text"]
        assert "<!channel>" not in text and "<http://evil" not in text and "<!here" not in text, text
        assert "&lt;!channel&gt; 至急 &lt;http://evil.example/|ringi で確認&gt; &amp;amp;" in text, text


async def test_the_webhook_escapes_the_text_and_the_recipient(world: World) -> None:
    document = await add_document(world.sessions, confidentiality=1, title="<!channel> 至急", body=OPEN_BODY)
    await set_preferences(world.sessions, MANAGER, ["chat"], chat_user_id="U0MANAGER> <!everyone")
    await add_notice(world.sessions, document, MANAGER)

    await world.dispatcher(chat_base_url="", chat_webhook_url=world.chat.webhook_url).run_once(NOON)

    (post,) = world.chat.posts
    assert post.json["text"].startswith("<@U0MANAGER&gt; &lt;!everyone> 【決裁】「&lt;!channel&gt; 至急」"), post.json


async def test_level_names_are_configurable(world: World) -> None:
    document = await add_document(world.sessions, confidentiality=2, title=SECRET_TITLE, body=SECRET_BODY)
    await set_preferences(world.sessions, MANAGER, ["email"], email="kacho@city.example.lg.jp")
    await add_notice(world.sessions, document, MANAGER)

    await world.dispatcher(confidentiality_names={2: "重要性II", 3: "重要性I"}).run_once(NOON)

    (mail,) = world.smtp.messages
    assert "「重要性IIの文書」" in mail.subject and "機密性" not in mail.subject
    assert not mail_leaks(mail.raw, SECRET_TITLE)


async def test_incoming_webhook_mentions_the_recipient(world: World) -> None:
    document = await add_document(world.sessions, confidentiality=2, title=SECRET_TITLE, body=SECRET_BODY)
    await set_preferences(world.sessions, MANAGER, ["chat"], chat_user_id="U0MANAGER")
    await add_notice(world.sessions, document, MANAGER)

    await world.dispatcher(chat_base_url="", chat_webhook_url=world.chat.webhook_url).run_once(NOON)

    (post,) = world.chat.posts
    assert post.path.startswith("/hooks/")
    assert post.json["text"].startswith("<@U0MANAGER> 【決裁】「機密性2の文書」")
    assert not chat_leaks(post.raw, SECRET_TITLE) and not chat_leaks(post.raw, SECRET_BODY)


async def test_a_city_may_keep_classified_matters_out_of_chat(world: World) -> None:
    classified = await add_document(world.sessions, confidentiality=2, title=SECRET_TITLE, body=SECRET_BODY)
    open_doc = await add_document(world.sessions, confidentiality=1, title=OPEN_TITLE, body=OPEN_BODY)
    await set_preferences(
        world.sessions, MANAGER, ["chat", "email"], email="kacho@city.example.lg.jp", chat_user_id="U0MANAGER"
    )
    await add_notice(world.sessions, classified, MANAGER)
    await add_notice(world.sessions, open_doc, MANAGER)

    await world.dispatcher(chat_max_confidentiality=1).run_once(NOON)

    assert [p.json["text"].split("\n")[0] for p in world.chat.posts] == [
        f"【決裁】「{OPEN_TITLE}」 があなたの決裁を待っています"
    ]
    assert len(world.smtp.messages) == 2
    by_channel = {d.channel: d for d in await world.deliveries(classified.id)}
    assert by_channel["chat"].state == "skipped" and "policy" in by_channel["chat"].last_error
    assert by_channel["email"].state == "sent"


async def test_preferences_choose_the_channels(world: World) -> None:
    document = await add_document(world.sessions, confidentiality=1, title=OPEN_TITLE, body=OPEN_BODY)
    await set_preferences(
        world.sessions, MANAGER, ["email"], email="kacho@city.example.lg.jp", chat_user_id="U0MANAGER"
    )
    await set_preferences(world.sessions, DEPUTY, ["chat"], email="hosa@city.example.lg.jp", chat_user_id="U0DEPUTY")
    for recipient in (MANAGER, DEPUTY, DRAFTER):  # the drafter chose nothing: in-app only
        await add_notice(world.sessions, document, recipient)

    await world.dispatcher().run_once(NOON)

    assert [m.recipients for m in world.smtp.messages] == [["kacho@city.example.lg.jp"]]
    assert [p.json["channel"] for p in world.chat.posts] == ["U0DEPUTY"]
    assert sorted(d.channel for d in await world.deliveries(document.id)) == ["chat", "email"]


async def test_quiet_hours_defer_until_they_end(world: World) -> None:
    document = await add_document(world.sessions, confidentiality=1, title=OPEN_TITLE, body=OPEN_BODY)
    await set_preferences(
        world.sessions,
        MANAGER,
        ["chat", "email"],
        email="kacho@city.example.lg.jp",
        chat_user_id="U0MANAGER",
        quiet=("22:00", "07:00"),
    )
    await add_notice(world.sessions, document, MANAGER, "escalate")  # escalations wait too
    late = datetime(2026, 12, 1, 23, 30, tzinfo=JST)
    dispatcher = world.dispatcher()

    assert (await dispatcher.run_once(late)).deferred == 2
    assert (await dispatcher.run_once(late + timedelta(hours=7, minutes=29))).deferred == 0  # 06:59: not yet due
    assert world.smtp.messages == [] and world.chat.posts == []
    deliveries = await world.deliveries(document.id)
    assert {d.next_attempt_at for d in deliveries} == {datetime(2026, 12, 2, 7, 0, tzinfo=JST)}
    assert all(d.attempts == 0 for d in deliveries)

    report = await dispatcher.run_once(datetime(2026, 12, 2, 7, 0, tzinfo=JST))

    assert report.sent == 2 and len(world.smtp.messages) == len(world.chat.posts) == 1


async def test_a_failing_channel_is_retried_with_backoff_and_blocks_no_other(world: World) -> None:
    document = await add_document(world.sessions, confidentiality=1, title=OPEN_TITLE, body=OPEN_BODY)
    await set_preferences(
        world.sessions, MANAGER, ["chat", "email"], email="kacho@city.example.lg.jp", chat_user_id="U0MANAGER"
    )
    await add_notice(world.sessions, document, MANAGER)
    world.chat.fail_next = 2
    world.smtp.refuse_next = 1
    dispatcher = world.dispatcher()

    first = await dispatcher.run_once(NOON)
    assert (first.sent, first.failed) == (0, 2)
    assert (await dispatcher.run_once(NOON + timedelta(seconds=29))).failed == 0  # backing off: not yet due
    second = await dispatcher.run_once(NOON + timedelta(seconds=30))
    assert (second.sent, second.failed) == (1, 1)  # mail goes through; chat fails again, now waits 60 s
    assert len(world.smtp.messages) == 1 and world.chat.posts == []
    assert (await dispatcher.run_once(NOON + timedelta(seconds=89))).failed == 0
    third = await dispatcher.run_once(NOON + timedelta(seconds=90))
    assert third.sent == 1

    assert len(world.chat.posts) == 1 and world.chat.failed == 2 and world.smtp.refused == 1
    async with world.sessions() as session:
        repository = DeliveryRepository(session)
        by_channel = {d.channel: d for d in await world.deliveries(document.id)}
        attempts = {c: [(a.ok, a.address) for a in await repository.attempts(d.id)] for c, d in by_channel.items()}
    assert attempts == {
        "chat": [(False, "U0MANAGER"), (False, "U0MANAGER"), (True, "U0MANAGER")],
        "email": [(False, "kacho@city.example.lg.jp"), (True, "kacho@city.example.lg.jp")],
    }
    assert {d.state for d in by_channel.values()} == {"sent"}


async def test_a_channel_that_keeps_failing_is_given_up(world: World) -> None:
    document = await add_document(world.sessions, confidentiality=1, title=OPEN_TITLE, body=OPEN_BODY)
    await set_preferences(world.sessions, MANAGER, ["chat"], chat_user_id="U0MANAGER")
    await add_notice(world.sessions, document, MANAGER)
    world.chat.fail_next = 100
    dispatcher = world.dispatcher(notify_max_attempts=3)

    for minutes in range(0, 60, 5):
        await dispatcher.run_once(NOON + timedelta(minutes=minutes))

    (delivery,) = await world.deliveries(document.id)
    assert (delivery.state, delivery.attempts, world.chat.failed) == ("failed", 3, 3)
    assert "chat" in delivery.last_error


async def test_a_retried_or_concurrent_dispatch_sends_nothing_twice(world: World) -> None:
    documents = [
        await add_document(world.sessions, confidentiality=1, title=f"{OPEN_TITLE}{i}", body=OPEN_BODY)
        for i in range(5)
    ]
    await set_preferences(
        world.sessions, MANAGER, ["chat", "email"], email="kacho@city.example.lg.jp", chat_user_id="U0MANAGER"
    )
    for document in documents:
        await add_notice(world.sessions, document, MANAGER)

    await asyncio.gather(world.dispatcher().run_once(NOON), world.dispatcher().run_once(NOON))
    again = await world.dispatcher().run_once(NOON + timedelta(hours=2))

    assert again.sent == again.planned == 0
    assert sorted(m.subject for m in world.smtp.messages) == sorted(set(m.subject for m in world.smtp.messages))
    assert len(world.smtp.messages) == len(world.chat.posts) == len(documents)


async def test_a_delivery_held_by_a_crashed_dispatcher_is_sent_once_its_lease_expires(world: World) -> None:
    """At-least-once: a dispatcher that leased a delivery and died leaves it to the next, after the lease."""
    document = await add_document(world.sessions, confidentiality=1, title=OPEN_TITLE, body=OPEN_BODY)
    await set_preferences(world.sessions, MANAGER, ["email"], email="kacho@city.example.lg.jp")
    await add_notice(world.sessions, document, MANAGER)
    dispatcher = world.dispatcher()
    await dispatcher.plan(NOON, DispatchReport())
    (delivery,) = await world.deliveries(document.id)
    async with world.sessions() as session, session.begin():
        assert await DeliveryRepository(session).lease(delivery.id, NOON, NOON + LEASE)  # then "crashes"

    assert (await dispatcher.run_once(NOON + timedelta(minutes=1))).sent == 0
    assert (await dispatcher.run_once(NOON + LEASE + timedelta(seconds=1))).sent == 1
    assert len(world.smtp.messages) == 1


async def test_a_pass_that_fails_after_leasing_gives_back_what_it_could_not_record(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bench/chaos.py: the database lost mid-pass left the pass's leases to expire (5 minutes) before anyone
    retried.  Now what it leased and could not record is leasable at once; what it did record keeps its state."""
    document = await add_document(world.sessions, confidentiality=1, title=OPEN_TITLE, body=OPEN_BODY)
    await set_preferences(
        world.sessions, MANAGER, ["chat", "email"], email="kacho@city.example.lg.jp", chat_user_id="U0MANAGER"
    )
    await add_notice(world.sessions, document, MANAGER)
    broken = world.dispatcher()
    record = broken._record

    async def lost_for_chat(delivery: NotificationDeliveryRow, outcome: _Outcome, now: datetime) -> None:
        if delivery.channel == "chat":
            raise ConnectionResetError("connection to the database lost")
        await record(delivery, outcome, now)

    monkeypatch.setattr(broken, "_record", lost_for_chat)
    with pytest.raises(ConnectionResetError):
        await broken.run_once(NOON)

    by_channel = {d.channel: d for d in await world.deliveries(document.id)}
    assert (by_channel["email"].state, by_channel["chat"].state) == ("sent", "pending")
    assert by_channel["chat"].lease_until is None
    again = await world.dispatcher().run_once(NOON + timedelta(seconds=1))  # long before NOON + LEASE
    assert again.sent == 1
    assert len(world.smtp.messages) == 1  # the recorded mail is not sent again
    first, second = world.chat.to("U0MANAGER")  # the unrecorded chat message is (at-least-once, same key)
    assert first.json["metadata"] == second.json["metadata"]


async def test_a_pass_that_cannot_even_give_back_its_leases_leaves_them_to_expire(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = await add_document(world.sessions, confidentiality=1, title=OPEN_TITLE, body=OPEN_BODY)
    await set_preferences(world.sessions, MANAGER, ["email"], email="kacho@city.example.lg.jp")
    await add_notice(world.sessions, document, MANAGER)
    broken = world.dispatcher()

    async def lost(*_: object) -> None:
        raise ConnectionResetError("connection to the database lost")

    async def still_away(*_: object) -> int:
        raise ConnectionRefusedError("the database is still away")

    monkeypatch.setattr(broken, "_record", lost)
    monkeypatch.setattr(DeliveryRepository, "release", still_away)
    with pytest.raises(ConnectionResetError):  # the pass's own error, not the release's
        await broken.run_once(NOON)

    (delivery,) = await world.deliveries(document.id)
    assert delivery.lease_until is not None
    assert (await world.dispatcher().run_once(NOON + timedelta(minutes=1))).sent == 0
    assert (await world.dispatcher().run_once(NOON + LEASE + timedelta(seconds=1))).sent == 1


async def test_a_pass_cancelled_mid_send_gives_back_its_leases(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker stopping (SIGTERM) cancels the dispatcher mid-pass: the next worker retries at once."""
    document = await add_document(world.sessions, confidentiality=1, title=OPEN_TITLE, body=OPEN_BODY)
    await set_preferences(world.sessions, MANAGER, ["email"], email="kacho@city.example.lg.jp")
    await add_notice(world.sessions, document, MANAGER)
    stopping = world.dispatcher()
    sending = asyncio.Event()

    async def hangs(*_: object) -> _Outcome:
        sending.set()
        await asyncio.sleep(60)
        raise AssertionError("never sent")

    monkeypatch.setattr(stopping, "_try", hangs)
    task = asyncio.create_task(stopping.run_once(NOON))
    await asyncio.wait_for(sending.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    (delivery,) = await world.deliveries(document.id)
    assert (delivery.state, delivery.lease_until) == ("pending", None)
    assert (await world.dispatcher().run_once(NOON + timedelta(seconds=1))).sent == 1


async def test_an_absent_deciders_notice_goes_to_the_first_substitute(world: World, hr_url: str) -> None:
    day = date(2031, 6, 3)  # a day no other test marks anyone absent
    document = await add_document(world.sessions, confidentiality=2, title=SECRET_TITLE, body=SECRET_BODY)
    await set_preferences(world.sessions, MANAGER, ["email"], email="kacho@city.example.lg.jp")
    await set_preferences(world.sessions, DEPUTY, ["email"], email="hosa@city.example.lg.jp")
    await add_notice(world.sessions, document, MANAGER, "assigned", {"stage_kind": "decide", "stage_index": 0})
    now = datetime.combine(day, datetime.min.time(), JST).replace(hour=9).astimezone(UTC)
    async with HttpHrClient(hr_url) as hr:
        absence = await hr.add_absence(MANAGER, kind="leave", start=day, end=day, note="年次休暇")
        try:
            dispatcher = world.dispatcher(hr)
            first = await dispatcher.run_once(now)
            await dispatcher.run_once(now)  # the forwarded notice is planned and sent on the next pass
        finally:
            await hr.delete_absence(absence.id)

    assert first.forwarded == [DEPUTY]
    (to_deputy,) = world.smtp.to("hosa@city.example.lg.jp")
    assert to_deputy.subject.startswith("【代決】「機密性2の文書」")
    assert len(world.smtp.to("kacho@city.example.lg.jp")) == 1  # the absent decider hears of it too
    assert not mail_leaks(to_deputy.raw, SECRET_TITLE)


async def test_a_notice_of_a_matter_barred_from_daiketsu_is_not_forwarded(world: World, hr_url: str) -> None:
    """The projection marks a 決裁 that 代決 may not decide (重要, 合議不調, the rulebook): nobody else is asked."""
    day = date(2031, 6, 4)  # a day no other test marks anyone absent
    document = await add_document(world.sessions, confidentiality=1, title=OPEN_TITLE, body=OPEN_BODY)
    await set_preferences(world.sessions, DEPUTY, ["email"], email="hosa@city.example.lg.jp")
    detail = {"stage_kind": "decide", "stage_index": 0, "delegable": False}
    await add_notice(world.sessions, document, MANAGER, "assigned", detail)
    now = datetime.combine(day, datetime.min.time(), JST).replace(hour=9).astimezone(UTC)
    async with HttpHrClient(hr_url) as hr:
        absence = await hr.add_absence(MANAGER, kind="leave", start=day, end=day, note="年次休暇")
        try:
            dispatcher = world.dispatcher(hr)
            first = await dispatcher.run_once(now)
            await dispatcher.run_once(now)
        finally:
            await hr.delete_absence(absence.id)
    assert first.forwarded == []
    assert world.smtp.to("hosa@city.example.lg.jp") == []


async def test_the_workers_dispatcher_loop_delivers_on_its_own(world: World) -> None:
    document = await add_document(world.sessions, confidentiality=1, title=OPEN_TITLE, body=OPEN_BODY)
    await set_preferences(world.sessions, MANAGER, ["email"], email="kacho@city.example.lg.jp")
    await add_notice(world.sessions, document, MANAGER)
    settings = world.settings.model_copy(update={"notify_poll_seconds": 0.05})
    async with running_dispatcher(settings, world.sessions, None):
        assert await asyncio.to_thread(world.smtp.arrived.wait, 15)
    (mail,) = world.smtp.messages
    assert OPEN_TITLE in mail.subject


async def test_hr_away_holds_back_only_the_decisions_that_may_need_a_substitute(world: World, hr_url: str) -> None:
    document = await add_document(world.sessions, confidentiality=1, title=OPEN_TITLE, body=OPEN_BODY)
    await set_preferences(world.sessions, MANAGER, ["email"], email="kacho@city.example.lg.jp")
    await add_notice(world.sessions, document, MANAGER, "assigned", {"stage_kind": "decide", "stage_index": 1})
    await add_notice(world.sessions, document, MANAGER, "remind")
    async with HttpHrClient("http://127.0.0.1:9") as dead_hr:
        away = await world.dispatcher(dead_hr).run_once(NOON)
    assert (away.planned, away.sent) == (1, 1)
    assert [m.subject[:4] for m in world.smtp.messages] == ["【督促】"]

    async with HttpHrClient(hr_url) as hr:
        back = await world.dispatcher(hr).run_once(NOON)
    assert (back.planned, back.sent, back.forwarded) == (1, 1, [])
    assert [m.subject[:4] for m in world.smtp.messages] == ["【督促】", "【決裁】"]
