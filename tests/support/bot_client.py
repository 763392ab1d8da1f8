"""Drive the real Telegram Application offline, as a user would.

:class:`BotClient` builds the bot's own ``Application`` with a :class:`FakeRequest` at the
HTTP seam, feeds it updates made by :class:`FakeTelegram` through
the bot's own dispatcher, and reads what the fake chat shows afterwards.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from bot.content import Content
from bot.engine.translator import SourceTranslator, Translator
from bot.telegram.app import Runtime, build_application
from tests.support.fake_telegram import TOKEN, FakeRequest, FakeTelegram, Message

CHAT_ID = 424242001


class BotClient:
    """One user's private chat with the bot."""

    def __init__(
        self,
        app: Application,  # type: ignore[type-arg]
        runtime: Runtime,
        telegram: FakeTelegram,
        chat_id: int,
    ) -> None:
        self.app = app
        self.runtime = runtime
        self.telegram = telegram
        self.chat_id = chat_id

    @classmethod
    async def start(
        cls,
        data_dir: Path,
        content: Content,
        translator: Translator | None = None,
        *,
        telegram: FakeTelegram | None = None,
        chat_id: int = CHAT_ID,
        first_name: str = "Test",
        username: str = "",
        language_code: str = "en",
        settings: dict[str, Any] | None = None,
    ) -> BotClient:
        """Build and initialise the application (as ``run`` does, without polling)."""
        telegram = telegram or FakeTelegram()
        telegram.add_user(chat_id, first_name, username, language_code)
        config = Settings(
            telegram_token=TOKEN,
            data_dir=data_dir,
            session_ttl=dt.timedelta(hours=24),
            **(settings or {}),
        )
        app, runtime = build_application(
            config, content, translator or SourceTranslator(), request=FakeRequest(telegram)
        )
        await app.initialize()
        await runtime.start(app)
        return cls(app, runtime, telegram, chat_id)

    async def close(self) -> None:
        """Stop as the application stops: close storage, shut down."""
        await self.runtime.stop(self.app)
        await self.app.shutdown()

    async def __aenter__(self) -> BotClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def process(self, update: dict[str, Any]) -> None:
        """Feed one update to the application, through the dispatcher that the poller and
        the webhook use (it takes the update's turn on its chat), and wait until handled."""
        await self.runtime.dispatcher.dispatch(Update.de_json(update, self.app.bot))

    async def send(self, text: str) -> None:
        """The user sends a text message (or a command)."""
        await self.process(self.telegram.user_sends(self.chat_id, text))

    async def send_kind(self, kind: str) -> None:
        """The user sends a photo, sticker, voice message, location or contact."""
        await self.process(self.telegram.user_sends(self.chat_id, kind=kind))

    def screen_message(self) -> Message:
        """The bot's newest message with a keyboard (the current screen)."""
        with_keyboard = [m for m in self.telegram.bot_messages(self.chat_id) if m.reply_markup]
        assert with_keyboard, "no screen with buttons in the chat"
        return with_keyboard[-1]

    def buttons(self, message: Message | None = None) -> list[tuple[str, str]]:
        """(label, callback data) of a message's buttons (default: the current screen)."""
        message = message or self.screen_message()
        markup = message.reply_markup or {}
        return [
            (b["text"], b["callback_data"])
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]

    def labels(self) -> list[str]:
        """Labels of the current screen's buttons."""
        return [label for label, _ in self.buttons()]

    async def click(self, label: str) -> None:
        """Press the first button of the current screen whose label contains ``label``."""
        message = self.screen_message()
        found = [data for text, data in self.buttons(message) if label in text]
        assert found, f"no button {label!r} in {self.labels()}"
        await self.press(message.message_id, found[0])

    async def press(self, message_id: int, data: str) -> None:
        """Press a button with any callback data (forged ones too)."""
        await self.process(self.telegram.user_clicks(self.chat_id, message_id, data))

    def last_screen(self) -> tuple[str, list[str]]:
        """The current screen's text (as shown, HTML removed) and button labels."""
        message = self.screen_message()
        return message.text or "", self.labels()

    def text(self) -> str:
        """Text of the bot's newest message."""
        return self.telegram.last_bot_message(self.chat_id).text or ""
