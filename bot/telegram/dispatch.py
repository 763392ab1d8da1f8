"""Hand each update to python-telegram-bot, in its chat's turn, and know when it is done.

The poller and the webhook both call :meth:`UpdateDispatcher.dispatch` the moment an update
arrives. It takes the chat's turn there and then (synchronously, see ``chatlocks``), so a
chat's updates are applied in the order they arrived, and returns the task that handles the
update: the poller confirms an update to Telegram, and the webhook answers Telegram's
request, only once that task is done.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import Application

from bot.telegram.chatlocks import ChatLocks, Turn

logger = logging.getLogger(__name__)


class UpdateDispatcher:
    """Starts handling updates in their chats' order; :meth:`drain` waits for all of them."""

    def __init__(self, app: Application, locks: ChatLocks) -> None:  # type: ignore[type-arg]
        """Handle updates with ``app``'s handlers, in turns from ``locks``."""
        self._app = app
        self._locks = locks
        self._in_flight: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        """How many updates are being handled or waiting for their turn."""
        return len(self._in_flight)

    def dispatch(self, update: Update) -> asyncio.Task[None]:
        """Take the update's turn now and start handling it; the task ends when it is done."""
        chat = update.effective_chat
        turn = self._locks.take(chat.id) if chat is not None else None
        task = asyncio.create_task(self._handle(update, turn))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        if turn is not None:
            # A task cancelled before it ever ran must not keep its chat waiting.
            task.add_done_callback(lambda _: turn.give_up())
        return task

    async def _handle(self, update: Update, turn: Turn | None) -> None:
        try:
            if turn is None:
                await self._app.process_update(update)
                return
            async with turn:
                await self._app.process_update(update)
        except Exception as exc:
            # Handlers' errors go to the error handler; this is anything that escaped it.
            # Logged by kind only (no update content), and the update counts as handled:
            # one that fails every time must not block its chat or the poller for ever.
            logger.error("an update could not be handled", exc_info=(type(exc), exc, None))

    async def drain(self) -> None:
        """Wait until every update dispatched so far has been handled."""
        while self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
