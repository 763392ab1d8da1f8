"""End to end: the real ``python -m bot run`` process against a Bot API server on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ENGINE_FIXTURES, ROOT
from tests.support.fake_telegram import TOKEN, FakeBotApiServer, FakeTelegram, Message
from tests.support.privacy import find_leaks

CHAT_ID = 731_955_204
FIRST_NAME = "Olena"
USERNAME = "olena_k_1999"
TYPED = "my boss took my passport"


def wait_for(
    condition: Callable[[], object], what: str, timeout: float = 20.0, seen: Callable[[], str] = str
) -> None:
    """Poll until ``condition()`` is truthy; on time-out say what was ``seen`` instead."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; saw: {seen()}")


class Chat:
    """The user's side of the conversation, over the fake server."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram

    def screen(self) -> Message:
        found = [m for m in self.telegram.bot_messages(CHAT_ID) if m.reply_markup]
        assert found
        return found[-1]

    def send_and_wait(self, text: str, expect: str) -> None:
        self.telegram.user_sends(CHAT_ID, text)
        wait_for(
            lambda: any(expect in (m.text or "") for m in self.telegram.bot_messages(CHAT_ID)),
            repr(expect),
            seen=self.transcript,
        )

    def transcript(self) -> str:
        return " | ".join(m.text or "" for m in self.telegram.bot_messages(CHAT_ID))

    def click_and_wait(self, label: str, expect: str) -> None:
        screen = self.screen()
        buttons = [b for row in (screen.reply_markup or {})["inline_keyboard"] for b in row]
        data = next(b["callback_data"] for b in buttons if label in b["text"])
        self.telegram.user_clicks(CHAT_ID, screen.message_id, data)
        wait_for(lambda: expect in (self.screen().text or ""), repr(expect), seen=self.transcript)


@pytest.fixture
def server() -> Iterator[FakeBotApiServer]:
    with FakeBotApiServer() as running:
        running.telegram.add_user(CHAT_ID, FIRST_NAME, USERNAME, "uk")
        yield running


def test_whole_conversation_over_http(server: FakeBotApiServer, tmp_path: Path) -> None:
    log_path = tmp_path / "bot.log"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": server.base_url,
        "DATA_DIR": str(tmp_path / "data"),
        # The fixture content stays put while the real content grows; the real content's
        # conversations are covered by the golden transcripts.
        "CONTENT_DIR": str(ENGINE_FIXTURES),
        "LOG_LEVEL": "DEBUG",
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: server.telegram.calls_to("setMyCommands"), "start-up")
        chat = Chat(server.telegram)
        # A deep link without a language: every enabled language is offered first, the
        # question in the language Telegram's app is set to (Ukrainian here).
        chat.send_and_wait("/start e2e_poster", "Виберіть мову")
        chat.click_and_wait("Deutsch", "Welcome")  # the fixture content is English-only
        chat.send_and_wait("/language", "Wählen Sie Ihre Sprache")
        chat.click_and_wait("English", "Welcome")
        chat.click_and_wait("Continue", "What would you like to do?")
        chat.click_and_wait("Find my options", "Where are you now?")
        chat.click_and_wait("Serbia", "Are you safe right now?")
        chat.send_and_wait(TYPED, "did not understand")
        chat.click_and_wait("Yes", "Are you afraid to go back?")
        chat.click_and_wait("Yes", "Your options")
        assert "Helpers" in (chat.screen().text or "")
        chat.click_and_wait("Help now", "192")
        screen = chat.screen()
        buttons = [b for row in (screen.reply_markup or {})["inline_keyboard"] for b in row]
        hide = next(b["callback_data"] for b in buttons if "Hide" in b["text"])
        server.telegram.user_clicks(CHAT_ID, screen.message_id, hide)
        wait_for(lambda: server.telegram.all_messages(CHAT_ID) == [], "every message deleted")
        wait_for(
            lambda: set(server.telegram.sent_queries) <= server.telegram.answered_queries,
            "every button press answered",
        )
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    assert code == 0, log_path.read_text()
    logs = log_path.read_text()
    assert "Traceback" not in logs
    secrets = [CHAT_ID, FIRST_NAME, USERNAME, TYPED, "passport", TOKEN.split(":")[1]]
    data_dir = tmp_path / "data"
    leaks = find_leaks([*data_dir.iterdir(), log_path], secrets)
    assert leaks == [], leaks
