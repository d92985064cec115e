"""GET/PUT /v1/me/notification-preferences: my channels, addresses and quiet hours; bad input is a 422 problem."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.support import assert_problem
from tests.notifications.builders import DEPUTY
from tests.notifications.conftest import NotifyStack
from tests.support.stack import holder

CHIEF = holder("somu.somu", "chief")  # 総務課 係長

PATH = "/v1/me/notification-preferences"


async def test_none_chosen_at_first_then_what_i_put(notify_stack: NotifyStack) -> None:
    stack = notify_stack.stack
    first = await stack.call(CHIEF, "GET", PATH)
    assert first.status_code == 200
    assert first.json() == {"channels": [], "email": None, "chat_user_id": None, "quiet_hours": None}

    wanted = {
        "channels": ["chat", "email"],
        "email": "kakaricho@city.example.lg.jp",
        "chat_user_id": "U0CHIEF",
        "quiet_hours": {"start": "22:00", "end": "07:00"},
    }
    put = await stack.call(CHIEF, "PUT", PATH, json=wanted)
    assert put.status_code == 200, put.text
    assert put.json() == wanted
    assert (await stack.call(CHIEF, "GET", PATH)).json() == wanted
    assert (await stack.call(DEPUTY, "GET", PATH)).json()["channels"] == []  # mine only

    fewer = {"channels": ["email"], "email": "kakaricho@city.example.lg.jp"}
    assert (await stack.call(CHIEF, "PUT", PATH, json=fewer)).status_code == 200
    assert (await stack.call(CHIEF, "GET", PATH)).json() == {**fewer, "chat_user_id": None, "quiet_hours": None}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"channels": ["fax"]}, "channels"),
        ({"channels": ["email"]}, "email address"),
        ({"channels": ["chat"]}, "chat_user_id"),
        ({"channels": ["email", "email"], "email": "a@b.jp"}, "once"),
        ({"email": "not-an-address"}, "email"),
        ({"quiet_hours": {"start": "25:00", "end": "07:00"}}, "quiet_hours.start"),
        ({"quiet_hours": {"start": "22:00", "end": "7:00"}}, "quiet_hours.end"),
        ({"quiet_hours": {"start": "22:00"}}, "quiet_hours.end"),
        ({"quiet_hours": {"start": "08:00", "end": "08:00"}}, "same time"),
        ({"channels": [], "sms": "090"}, "sms"),
    ],
)
async def test_bad_preferences_are_refused_and_change_nothing(
    notify_stack: NotifyStack, body: dict[str, Any], reason: str
) -> None:
    stack = notify_stack.stack
    before = (await stack.call(CHIEF, "GET", PATH)).json()
    problem = assert_problem(await stack.call(CHIEF, "PUT", PATH, json=body), 422)
    assert reason in problem["detail"], problem["detail"]
    assert (await stack.call(CHIEF, "GET", PATH)).json() == before


async def test_preferences_need_a_token(notify_stack: NotifyStack) -> None:
    assert_problem(await notify_stack.stack.http.get(PATH), 401)
