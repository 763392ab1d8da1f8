"""The real ``python -m bot run`` process against a fake Bot API server on 127.0.0.1.

:class:`BotProcess` starts, stops (SIGTERM), kills (SIGKILL) and restarts the bot with the
fixture content; :class:`User` plays one person in a private chat and checks, at the end,
that no update was lost or answered twice: every button press answered exactly once, every
message answered with exactly one new screen, every press with exactly one edit.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tests.conftest import ENGINE_FIXTURES, ROOT
from tests.support.fake_telegram import TOKEN, FakeBotApiServer, FakeTelegram, Message

#: Short enough to keep the drills fast, long enough for a loaded CI machine.
WAIT = 20.0


def wait_for(
    condition: Callable[[], object], what: str, timeout: float = WAIT, seen: Callable[[], str] = str
) -> None:
    """Poll until ``condition()`` is truthy; on time-out say what was ``seen`` instead."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}; saw: {seen()}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_env(path: str, secret_token: str) -> dict[str, str]:
    """Settings for webhook mode on a free port of 127.0.0.1, Telegram posting to ``path``
    (through a reverse proxy, which the tests play)."""
    return {
        "WEBHOOK_URL": f"https://bot.example.org{path}",
        "WEBHOOK_SECRET_TOKEN": secret_token,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(free_port()),
    }


class BotProcess:
    """``python -m bot run`` with its own data directory and one log file for all its runs."""

    def __init__(
        self,
        server: FakeBotApiServer,
        data_dir: Path,
        log_path: Path,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.server = server
        self.data_dir = data_dir
        self.log_path = log_path
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": server.base_url,
            "DATA_DIR": str(data_dir),
            # Fixture content and one language stay put while the real ones grow: the
            # drills are about failures, not about which languages the bot offers.
            "CONTENT_DIR": str(ENGINE_FIXTURES),
            "LANGUAGES": "en",
            "LOG_LEVEL": "DEBUG",
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def webhook(self) -> bool:
        """Whether the bot runs in webhook mode."""
        return bool(self.env.get("WEBHOOK_URL"))

    def start(self, *, wait: bool = True) -> None:
        """Start the bot; with ``wait``, until it is polling (or its webhook is set)."""
        telegram = self.server.telegram
        ready_method = "setWebhook" if self.webhook else "getUpdates"
        before = telegram.count(ready_method)
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if wait:
            wait_for(
                lambda: telegram.count(ready_method) > before or self.exited(),
                "the bot to start",
                seen=self.logs,
            )
            assert not self.exited(), self.logs()
            if self.webhook:
                wait_for(self._listening, "the webhook server to listen", seen=self.logs)

    def _listening(self) -> bool:
        port = int(self.env["WEBHOOK_PORT"])
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    def exited(self) -> bool:
        """Whether the process has ended."""
        return self.process is not None and self.process.poll() is not None

    def stop(self, timeout: float = WAIT) -> int:
        """SIGTERM, then wait for the exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=WAIT)

    def logs(self) -> str:
        """Everything the bot has logged so far, over all its runs."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wal(self) -> Path:
        """The database's write-ahead log file (may not exist)."""
        return self.data_dir / "pathways.sqlite3-wal"

    def close(self) -> None:
        """Make sure the process is gone (after a failed test)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=WAIT)

    def __enter__(self) -> BotProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class User:
    """One person's private chat, seen from their phone, with the drills' bookkeeping."""

    def __init__(self, telegram: FakeTelegram, chat_id: int) -> None:
        self.telegram = telegram
        self.chat_id = chat_id
        self.messages_sent = 0
        self.presses = 0

    def screen(self) -> Message:
        """The newest bot message with buttons."""
        found = [m for m in self.telegram.bot_messages(self.chat_id) if m.reply_markup]
        assert found, f"no screen yet; saw: {self.transcript()}"
        return found[-1]

    def screen_text(self) -> str:
        """The current screen's text, or '' when there is none yet."""
        found = [m for m in self.telegram.bot_messages(self.chat_id) if m.reply_markup]
        return (found[-1].text or "") if found else ""

    def transcript(self) -> str:
        """The bot's messages in the chat, for failure messages."""
        return " | ".join((m.text or "")[:80] for m in self.telegram.bot_messages(self.chat_id))

    def ok_calls(self, method: str) -> list[Any]:
        """Successful calls of ``method`` for this chat."""
        return [
            c
            for c in self.telegram.calls_to(method)
            if c.ok and str(c.params.get("chat_id")) == str(self.chat_id)
        ]

    def send(self, text: str, expect: str = "", *, wait: bool = True) -> None:
        """Send a message; with ``wait``, until its one new screen shows ``expect``."""
        before = len(self.ok_calls("sendMessage"))
        self.messages_sent += 1
        self.telegram.user_sends(self.chat_id, text)
        if wait:
            self.wait_for_screen(expect, sends=before + 1)

    def button(self, label: str) -> tuple[int, str]:
        """(message id, callback data) of the current screen's button containing ``label``."""
        screen = self.screen()
        rows = (screen.reply_markup or {}).get("inline_keyboard", [])
        found = [b["callback_data"] for row in rows for b in row if label in b["text"]]
        assert found, f"no button {label!r} on: {screen.text}"
        return screen.message_id, found[0]

    def click(self, label: str, expect: str = "", *, wait: bool = True) -> None:
        """Press a button; with ``wait``, until it is answered and the screen shows ``expect``."""
        message_id, data = self.button(label)
        self.presses += 1
        update = self.telegram.user_clicks(self.chat_id, message_id, data)
        if wait:
            query = update["callback_query"]["id"]
            wait_for(
                lambda: self.telegram.answers_per_query()[query] and expect in self.screen_text(),
                f"the press of {label!r} to show {expect!r}",
                seen=self.transcript,
            )

    def wait_for_screen(self, expect: str, *, sends: int | None = None) -> None:
        """Until the chat shows ``expect`` (and, if given, ``sends`` new messages were sent)."""
        wait_for(
            lambda: (
                (sends is None or len(self.ok_calls("sendMessage")) >= sends)
                and expect in self.screen_text()
            ),
            repr(expect),
            seen=self.transcript,
        )

    def check_each_update_answered_once(self) -> None:
        """Every press answered once; one new screen per message; one edit per press."""
        answers = self.telegram.answers_per_query()
        sent = self.telegram.sent_queries
        assert all(answers[q] == 1 for q in sent), {q: answers[q] for q in sent}
        assert len(self.ok_calls("sendMessage")) == self.messages_sent, self.transcript()
        assert len(self.ok_calls("editMessageText")) == self.presses, self.transcript()
