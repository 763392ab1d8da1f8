"""Webhook mode: the real bot process behind a (pretend) reverse proxy.

Telegram would post to ``WEBHOOK_URL`` (https, at the proxy); the proxy forwards the path
to the bot over plain HTTP on ``WEBHOOK_LISTEN:WEBHOOK_PORT``. Here the test is the proxy:
it posts updates to the bot on 127.0.0.1 itself. A request without Telegram's secret-token
header, or with a wrong one, must be refused (403) and never processed.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.bot_process import BotProcess, User, wait_for, webhook_env
from tests.support.fake_telegram import FakeBotApiServer

CHAT_ID = 613_377_019
SECRET_TOKEN = "s3cret-Token_for-the-webhook"
PATH = "/tg/hook-7f3a"


@pytest.fixture
def server() -> Iterator[FakeBotApiServer]:
    with FakeBotApiServer() as running:
        running.telegram.add_user(CHAT_ID, "Amira", "", "en")
        yield running


@pytest.fixture
def bot(server: FakeBotApiServer, tmp_path: Path) -> Iterator[BotProcess]:
    env = webhook_env(PATH, SECRET_TOKEN)
    with BotProcess(server, tmp_path / "data", tmp_path / "bot.log", env=env) as process:
        process.start()
        yield process


def post(bot: BotProcess, update: dict[str, Any], token: str | None, path: str = PATH) -> int:
    """POST an update as Telegram (through the proxy) would; the HTTP status."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = token
    request = urllib.request.Request(
        f"http://127.0.0.1:{bot.env['WEBHOOK_PORT']}{path}",
        data=json.dumps(update).encode(),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_only_requests_with_the_secret_token_are_processed(
    server: FakeBotApiServer, bot: BotProcess
) -> None:
    registered = server.telegram.calls_to("setWebhook")[-1].params
    assert registered["url"] == f"https://bot.example.org{PATH}"
    assert registered["secret_token"] == SECRET_TOKEN
    assert set(registered["allowed_updates"]) == {"message", "callback_query"}
    user = User(server.telegram, CHAT_ID)
    for token in [None, "", "wrong-token", SECRET_TOKEN + "x", SECRET_TOKEN.upper()]:
        forged = server.telegram.user_sends(CHAT_ID, "/start")
        assert post(bot, forged, token) == 403, token
    update = server.telegram.user_sends(CHAT_ID, "/start")
    assert post(bot, update, SECRET_TOKEN, path="/") == 404
    assert post(bot, update, SECRET_TOKEN, path=PATH + "-other") == 404
    time.sleep(0.5)  # had any of them been taken, the bot would have answered by now
    assert user.ok_calls("sendMessage") == []
    # The real one, with the right token, is processed (and only it).
    assert post(bot, update, SECRET_TOKEN) == 200
    user.messages_sent = 1
    user.wait_for_screen("Welcome", sends=1)
    assert bot.stop() == 0
    user.check_each_update_answered_once()


def test_a_conversation_over_the_webhook_and_a_graceful_stop(
    server: FakeBotApiServer, bot: BotProcess
) -> None:
    user = User(server.telegram, CHAT_ID)

    def send(text: str, expect: str) -> None:
        user.send(text, wait=False)
        assert post(bot, server.telegram.updates[-1], SECRET_TOKEN) == 200
        user.wait_for_screen(expect, sends=user.messages_sent)

    def click(label: str, *, expect: str = "", wait: bool = True) -> None:
        user.click(label, wait=False)
        assert post(bot, server.telegram.updates[-1], SECRET_TOKEN) == 200
        if wait:
            user.wait_for_screen(expect)

    send("/start", "Welcome")
    click("Continue", expect="What would you like to do?")
    # SIGTERM while an update is being handled: it is finished, Telegram's request is
    # answered (only then: an unanswered one would be sent again), then the database closed.
    server.telegram.slow("editMessageText", 1.5)
    edits = server.telegram.arrived.count("editMessageText")
    user.click("Find my options", wait=False)
    statuses: list[int] = []
    posting = threading.Thread(
        target=lambda: statuses.append(post(bot, server.telegram.updates[-1], SECRET_TOKEN))
    )
    posting.start()
    wait_for(
        lambda: server.telegram.arrived.count("editMessageText") > edits,
        "the edit to be on its way",
    )
    assert statuses == [], "Telegram's request was answered before the update was handled"
    assert bot.stop() == 0, bot.logs()
    posting.join(timeout=10)
    assert statuses == [200], bot.logs()
    assert "Where are you now?" in user.screen_text()
    assert not bot.wal().exists() or bot.wal().stat().st_size == 0
    assert "Traceback" not in bot.logs()
    user.check_each_update_answered_once()
