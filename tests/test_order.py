"""Updates applied in the order they were tapped, and confirmed to Telegram only once handled.

The real application, the bot's own poller and dispatcher, and python-telegram-bot's rate
limiter as shipped, against the fake Bot API in-process (at the HTTP seam).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Update

from bot.config import Settings
from bot.content import Content
from bot.engine.translator import SourceTranslator
from bot.telegram.app import ALLOWED_UPDATES, Runtime, build_application
from bot.telegram.polling import Poller
from tests.support.fake_telegram import TOKEN, FakeRequest, FakeTelegram

CHATS = 100
MENU = "What would you like to do?"
#: The menu's two buttons and the view each one leads to.
CHOICES = {"Find my options": "node:where", "Your rights": "node:rights"}


class PollingBot:
    """The bot as ``run`` serves it, polling a :class:`FakeTelegram` in-process."""

    def __init__(self, telegram: FakeTelegram, runtime: Runtime, poller: Poller) -> None:
        self.telegram = telegram
        self.runtime = runtime
        self.poller = poller

    def screen(self, chat_id: int) -> tuple[int, str, dict[str, str]]:
        """(message id, text, label → callback data) of the chat's newest screen."""
        found = [m for m in self.telegram.bot_messages(chat_id) if m.reply_markup]
        if not found:
            return 0, "", {}
        rows = (found[-1].reply_markup or {}).get("inline_keyboard", [])
        buttons = {b["text"]: b["callback_data"] for row in rows for b in row}
        return found[-1].message_id, found[-1].text or "", buttons

    async def until(self, condition: object, what: str, timeout: float = 60.0) -> None:
        """Wait (on the event loop) until ``condition()`` holds."""
        assert callable(condition)
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            assert asyncio.get_running_loop().time() < deadline, f"timed out: {what}"
            await asyncio.sleep(0.01)

    async def view(self, chat_id: int) -> str:
        """The view stored for the chat."""
        sessions = self.runtime.conversations.sessions
        assert sessions is not None
        session = await sessions.load_session(chat_id)
        return session.view if session is not None else ""


@pytest.fixture
async def polling_bot(tmp_path: Path, engine_content: Content) -> AsyncIterator[PollingBot]:
    telegram = FakeTelegram()
    config = Settings(telegram_token=TOKEN, data_dir=tmp_path, session_ttl=dt.timedelta(hours=24))
    app, runtime = build_application(
        config, engine_content, SourceTranslator(), request=FakeRequest(telegram)
    )
    await app.initialize()
    await runtime.start(app)
    poller = Poller(app.bot, runtime.dispatcher.dispatch, allowed_updates=ALLOWED_UPDATES)
    stopping = asyncio.Event()
    polling = asyncio.create_task(poller.run(stopping))
    try:
        yield PollingBot(telegram, runtime, poller)
    finally:
        stopping.set()
        await polling
        await runtime.stop(app)
        await app.shutdown()


async def test_the_first_of_two_quick_taps_wins_in_every_chat(polling_bot: PollingBot) -> None:
    bot, telegram = polling_bot, polling_bot.telegram
    rng = random.Random(17)
    chats = [880_000_000 + n for n in range(CHATS)]
    for chat in chats:
        telegram.add_user(chat)
        telegram.user_sends(chat, "/start")
    await bot.until(lambda: all("Welcome" in bot.screen(c)[1] for c in chats), "welcome")
    for chat in chats:
        message_id, _, buttons = bot.screen(chat)
        telegram.user_clicks(chat, message_id, buttons["Continue ▶"])
    await bot.until(lambda: all(MENU in bot.screen(c)[1] for c in chats), "the menu")

    # Answers to button presses come back late and in any order, as under load.
    telegram.slow("answerCallbackQuery", lambda: rng.uniform(0.0, 0.2))
    first: dict[int, str] = {}

    async def two_taps(chat: int) -> None:
        message_id, _, buttons = bot.screen(chat)
        labels = list(CHOICES)
        rng.shuffle(labels)
        first[chat] = labels[0]
        await asyncio.sleep(rng.uniform(0.0, 1.0))  # people tap at different moments
        telegram.user_clicks(chat, message_id, buttons[labels[0]])
        await asyncio.sleep(rng.uniform(0.001, 0.005))
        telegram.user_clicks(chat, message_id, buttons[labels[1]])

    await asyncio.gather(*(two_taps(c) for c in chats))
    answers = telegram.answers_per_query
    await bot.until(
        lambda: all(answers()[q] == 1 for q in telegram.sent_queries), "every tap answered"
    )
    await bot.until(lambda: len(bot.runtime.dispatcher) == 0, "every update handled")
    wrong = [c for c in chats if await bot.view(c) != CHOICES[first[c]]]
    assert wrong == [], f"{len(wrong)} of {CHATS} chats applied the second tap"
    # The second tap re-drew the first one's screen (with a note), never its own.
    edits_per_chat = dict.fromkeys(chats, 0)
    for call in telegram.calls_to("editMessageText"):
        if call.ok and int(call.params["chat_id"]) in edits_per_chat:
            edits_per_chat[int(call.params["chat_id"])] += 1
    assert set(edits_per_chat.values()) == {3}  # Continue, the first tap, the re-draw


async def test_an_offset_never_confirms_an_update_still_in_progress(
    polling_bot: PollingBot,
) -> None:
    bot, telegram = polling_bot, polling_bot.telegram
    chat = 880_100_001
    telegram.add_user(chat)
    telegram.user_sends(chat, "/start")
    await bot.until(lambda: "Welcome" in bot.screen(chat)[1], "welcome")
    # The next screen's edit hangs for a while: its update stays in progress, and other
    # people's updates meanwhile are handled (the poller does not wait for it).
    telegram.slow("editMessageText", 1.0, when=lambda n: n == 1)
    message_id, _, buttons = bot.screen(chat)
    slow = telegram.user_clicks(chat, message_id, buttons["Continue ▶"])["update_id"]
    others = [880_100_100 + n for n in range(5)]
    for other in others:
        telegram.add_user(other)
        telegram.user_sends(other, "/start")
    await bot.until(lambda: all("Welcome" in bot.screen(o)[1] for o in others), "others")
    assert bot.poller.offset == slow, "an update still in progress was confirmed"
    assert any(u["update_id"] == slow for u in telegram.updates)
    await bot.until(lambda: MENU in bot.screen(chat)[1], "the slow screen")
    await bot.until(lambda: bot.poller.offset == slow + len(others) + 1, "the offset to move on")


async def test_updates_are_dispatched_in_update_id_order(tmp_path: Path) -> None:
    """A batch that Telegram returns out of order is still started in ``update_id`` order."""
    telegram = FakeTelegram()
    order: list[int] = []

    def dispatch(update: Update) -> asyncio.Task[None]:
        order.append(update.update_id)

        async def done() -> None:
            return None

        return asyncio.create_task(done())

    from telegram import Bot

    bot = Bot(TOKEN, request=FakeRequest(telegram), get_updates_request=FakeRequest(telegram))
    await bot.initialize()
    for n in range(5):
        telegram.user_sends(900 + n, "/start")
    telegram.updates.reverse()
    stopping = asyncio.Event()
    poller = Poller(bot, dispatch, allowed_updates=ALLOWED_UPDATES, long_poll=0)
    running = asyncio.create_task(poller.run(stopping))
    deadline = asyncio.get_running_loop().time() + 10
    while len(order) < 5 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
    stopping.set()
    await running
    await bot.shutdown()
    assert order == sorted(order) and len(order) == 5
    # Stopping confirmed every handled update: Telegram holds none of them any more.
    assert telegram.updates == []
