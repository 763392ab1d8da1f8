"""Crash drills: ``kill -9`` at a random moment after a press, then a restart, 30 times.

The real ``python -m bot run`` against the fake Bot API server on 127.0.0.1, by long polling
and by webhook (where the test plays Telegram: it posts each update until it is answered
200, as Telegram retries a request that got no answer). After every restart the chat must
go on from the screen the person last saw: the press was applied exactly once (its screen
is shown, perhaps re-drawn with a note), never twice and never lost, and no older screen
ever comes back.
"""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.bot_process import BotProcess, User, wait_for, webhook_env
from tests.support.fake_telegram import FakeBotApiServer, FakeTelegram
from tests.support.privacy import find_leaks

pytestmark = pytest.mark.slow

CHAT_ID = 552_018_733
FIRST_NAME = "Marija"
KILLS = 30
MENU = "What would you like to do?"
WHERE = "Where are you now?"
#: The presses the drill cycles through: (button, the screen it leads to).
CYCLE = [("Find my options", WHERE), ("Back", MENU)]
SECRET_TOKEN = "drill-Secret_token-0123456789"
HOOK_PATH = "/tg/drill-hook"


class Telegram:
    """Delivers updates to a webhook as Telegram does: in order, each until answered 200."""

    def __init__(self, telegram: FakeTelegram, port: int) -> None:
        self.telegram = telegram
        self.url = f"http://127.0.0.1:{port}{HOOK_PATH}"
        self.delivered = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _post(self, update: dict[str, Any]) -> bool:
        request = urllib.request.Request(
            self.url,
            data=json.dumps(update).encode(),
            headers={
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": SECRET_TOKEN,
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return int(response.status) == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False

    def _run(self) -> None:
        while not self._stop.is_set():
            pending = self.telegram.updates[self.delivered :]
            if not pending:
                time.sleep(0.005)
                continue
            if self._post(pending[0]):
                self.delivered += 1
            else:
                time.sleep(0.1)  # no answer: the bot is down; try again, as Telegram does

    def all_delivered(self) -> bool:
        """Whether every update so far was answered 200."""
        return self.delivered == len(self.telegram.updates)

    def close(self) -> None:
        """Stop delivering."""
        self._stop.set()
        self._thread.join(timeout=5)


@pytest.fixture(params=["polling", "webhook"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def server() -> Iterator[FakeBotApiServer]:
    with FakeBotApiServer() as running:
        running.telegram.add_user(CHAT_ID, FIRST_NAME, "", "en")
        yield running


def settled(user: User, telegram: FakeTelegram, query: str, hook: Telegram | None) -> bool:
    """The press was answered and no update of the chat is waiting to be handled."""
    if not telegram.answers_per_query()[query]:
        return False
    if hook is not None:
        return hook.all_delivered()
    # Polling: the bot has confirmed every update (asked with an offset past them).
    return not telegram.updates


def test_kill_at_a_random_moment_after_a_press_then_restart(
    mode: str, server: FakeBotApiServer, tmp_path: Path
) -> None:
    rng = random.Random(20261204)
    telegram = server.telegram
    env = webhook_env(HOOK_PATH, SECRET_TOKEN) if mode == "webhook" else {}
    user = User(telegram, CHAT_ID)
    with BotProcess(server, tmp_path / "data", tmp_path / "bot.log", env=env) as bot:
        bot.start()
        hook = Telegram(telegram, int(env["WEBHOOK_PORT"])) if mode == "webhook" else None
        try:
            user.send("/start", "Welcome")
            user.click("Continue", MENU)
            seen = [MENU]
            for kill in range(KILLS):
                label, expect = CYCLE[kill % len(CYCLE)]
                message_id, data = user.button(label)
                user.presses += 1
                query = telegram.user_clicks(CHAT_ID, message_id, data)["callback_query"]["id"]
                time.sleep(rng.uniform(0.0, 0.3))
                bot.kill()
                bot.start()
                wait_for(
                    lambda q=query: settled(user, telegram, q, hook),
                    f"press {kill} ({label!r}) to be handled after the restart",
                    seen=bot.logs,
                )
                shown = user.screen_text()
                # Applied once: its screen is shown (perhaps re-drawn with a note), not the
                # screen before it (rewound) and not the one after (applied twice).
                assert expect in shown, f"kill {kill}: expected {expect!r}, saw {shown!r}"
                assert user.screen().message_id == message_id, "a new screen instead of an edit"
                seen.append(expect)
        finally:
            if hook is not None:
                hook.close()
        code = bot.stop()
        logs = bot.logs()
        assert code == 0, logs
        assert "Traceback" not in logs
    # Every press answered exactly once, though some were delivered twice.
    answers = telegram.answers_per_query()
    assert all(answers[q] == 1 for q in telegram.sent_queries), answers
    assert len(seen) == KILLS + 1
    files = [p for p in (tmp_path / "data").iterdir() if p.is_file()]
    assert find_leaks([*files, tmp_path / "bot.log"], [CHAT_ID, FIRST_NAME]) == []
