"""Long polling that confirms an update to Telegram only after it was handled.

Telegram forgets every update below the ``offset`` of the next ``getUpdates`` call.
python-telegram-bot's own poller asks for the next batch while the updates of the last one
may still be in progress (they run concurrently), so a crash at that moment lost them: a
person's press was never handled, and Telegram never sent it again.

:class:`Poller` keeps the offset at the oldest update not yet handled. An update is
therefore handled at least once: after a crash, Telegram delivers again everything that was
not finished. It is applied at most once because every screen's buttons carry a nonce: a
press delivered again finds its screen already replaced and re-draws the current one.

Updates go to :class:`~bot.telegram.dispatch.UpdateDispatcher` in ``update_id`` order, which
takes each chat's turn at once, so a chat's updates are applied in the order Telegram
numbered them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from telegram import Bot, Update
from telegram.error import InvalidToken, RetryAfter, TelegramError

from bot.telegram.backoff import Backoff

logger = logging.getLogger(__name__)

#: How long one ``getUpdates`` waits on Telegram's side for something to arrive.
LONG_POLL = 10
#: Telegram's largest batch.
BATCH = 100
#: While updates are in progress and nothing new came, how long to wait before asking again
#: (sooner if one of them finishes). Telegram answers at once while unconfirmed updates
#: exist, so this is what keeps the poller from spinning; short, so that a slow update does
#: not hold back other people's: at most 20 calls a second, and only while busy.
BUSY_WAIT = 0.05


class Poller:
    """Fetches updates, dispatches them in order, and confirms only handled ones."""

    def __init__(
        self,
        bot: Bot,
        dispatch: Callable[[Update], asyncio.Task[None]],
        *,
        allowed_updates: Sequence[str],
        long_poll: int = LONG_POLL,
    ) -> None:
        """Poll with ``bot``; ``dispatch`` starts handling an update and returns its task."""
        self._bot = bot
        self._dispatch = dispatch
        self._allowed = list(allowed_updates)
        self._long_poll = long_poll
        #: update_id → its task, for every update dispatched and not yet handled.
        self._pending: dict[int, asyncio.Task[None]] = {}
        #: The highest update_id dispatched so far (-1: none yet).
        self._newest = -1
        self._backoff = Backoff()

    @property
    def offset(self) -> int | None:
        """The ``offset`` to ask with: confirms exactly the updates handled so far."""
        if self._pending:
            return min(self._pending)
        return self._newest + 1 if self._newest >= 0 else None

    async def run(self, stopping: asyncio.Event) -> None:
        """Poll until ``stopping`` is set, then finish the updates in progress and confirm
        them. :class:`~telegram.error.InvalidToken` ends it (nothing else does)."""
        while not stopping.is_set():
            busy = bool(self._pending)
            updates = await self._fetch(stopping, timeout=0 if busy else self._long_poll)
            if updates is None:
                continue
            fresh = sorted(
                (u for u in updates if u.update_id > self._newest), key=lambda u: u.update_id
            )
            for update in fresh:
                self._start(update)
            if self._pending and not fresh:
                # Everything Telegram returned is already in progress: wait for some of it
                # to finish (the offset can then move) rather than asking again at once.
                waiting = asyncio.ensure_future(stopping.wait())
                await asyncio.wait(
                    [*self._pending.values(), waiting],
                    timeout=BUSY_WAIT,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                waiting.cancel()
        await self._finish()

    def _start(self, update: Update) -> None:
        update_id = update.update_id
        task = self._dispatch(update)
        self._pending[update_id] = task
        self._newest = update_id
        task.add_done_callback(lambda _: self._pending.pop(update_id, None))

    async def _fetch(self, stopping: asyncio.Event, *, timeout: int) -> tuple[Update, ...] | None:
        """One ``getUpdates``; ``None`` after a failure (already waited) or when stopping."""
        call = asyncio.ensure_future(
            self._bot.get_updates(
                offset=self.offset,
                limit=BATCH,
                timeout=timeout,
                allowed_updates=self._allowed,
            )
        )
        waiting = asyncio.ensure_future(stopping.wait())
        await asyncio.wait([call, waiting], return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        if not call.done():
            # Stopping in the middle of a long poll: whatever it would have returned is not
            # confirmed yet, so Telegram delivers it again after the restart.
            call.cancel()
            await asyncio.gather(call, return_exceptions=True)
            return None
        try:
            updates = call.result()
        except InvalidToken:
            raise
        except RetryAfter as exc:
            logger.error("Telegram asked to slow down", exc_info=(type(exc), exc, None))
            retry_after = exc.retry_after
            pause = retry_after if isinstance(retry_after, int) else retry_after.total_seconds()
            await self._backoff.wait(stopping, pause=float(pause))
            return None
        except TelegramError as exc:
            # NetworkError, TimedOut, Conflict (another instance polling), 5xx: logged by
            # kind (and so counted for `health`), then tried again after a growing pause.
            logger.error("getting updates failed", exc_info=(type(exc), exc, None))
            await self._backoff.wait(stopping)
            return None
        self._backoff.reset()
        return updates

    async def _finish(self) -> None:
        """Let the updates in progress finish, then confirm them to Telegram."""
        if self._pending:
            await asyncio.gather(*self._pending.values(), return_exceptions=True)
        if self._newest < 0:
            return
        try:
            await self._bot.get_updates(offset=self._newest + 1, limit=1, timeout=0)
        except TelegramError as exc:
            # Harmless: they come again at the next start, and a press delivered twice only
            # re-draws its screen.
            logger.warning("could not confirm the last updates (%s)", type(exc).__name__)
