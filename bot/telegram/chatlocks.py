"""A queue of turns per chat, so a chat's updates are handled one at a time, in order.

Updates run concurrently, so two quick taps of one person could otherwise load the same
session and overwrite each other's save, or be applied in the wrong order.

**The order is decided when an update arrives, not when it gets to run.** :meth:`ChatLocks.
take` is synchronous: the poller (in ``update_id`` order) and the webhook (in order of
arrival) take each update's turn *before anything awaits*, and only then start handling it.
Whatever the handling awaits afterwards (answering the button, a retry, the rate limiter, an
edit that Telegram answers late) cannot let a later tap of the same chat overtake an earlier
one. Before, the turn was taken inside the handler after ``answerCallbackQuery``, so the tap
whose answer came back first won: under load, usually the second.

A chat's entry exists only while one of its updates holds or waits for a turn, so idle chats
cost nothing and nothing here outlives the updates (no chat ids kept).
"""

from __future__ import annotations

import asyncio
from collections import deque
from types import TracebackType


class ChatLocks:
    """``turn = locks.take(chat_id)`` now; ``async with turn:`` later runs alone, in order."""

    def __init__(self) -> None:
        """No chat is held."""
        self._queues: dict[int, deque[Turn]] = {}

    def __len__(self) -> int:
        """How many chats have an update in progress or waiting."""
        return len(self._queues)

    def take(self, chat_id: int) -> Turn:
        """Queue a turn for the chat behind every turn taken before (synchronous: call it
        the moment the update arrives)."""
        queue = self._queues.get(chat_id)
        if queue is None:
            queue = self._queues[chat_id] = deque()
        turn = Turn(self, chat_id)
        queue.append(turn)
        return turn

    def _is_first(self, turn: Turn) -> bool:
        return self._queues[turn.chat_id][0] is turn

    def _leave(self, turn: Turn) -> None:
        """Remove ``turn`` from its queue (done, failed or given up) and wake the next."""
        queue = self._queues[turn.chat_id]
        was_first = queue[0] is turn
        queue.remove(turn)
        if not queue:
            del self._queues[turn.chat_id]
        elif was_first:
            queue[0].wake()


class Turn:
    """One update's place in its chat's queue (see :meth:`ChatLocks.take`).

    Entered once: it waits until every earlier turn of the chat has left, then holds the
    chat until the block ends. A turn that is never entered must be given up with
    :meth:`give_up`, or the chat would wait for it for ever.
    """

    __slots__ = ("_done", "_locks", "_woken", "chat_id")

    def __init__(self, locks: ChatLocks, chat_id: int) -> None:
        self._locks = locks
        self.chat_id = chat_id
        self._woken: asyncio.Event | None = None
        self._done = False

    def wake(self) -> None:
        """Called when this turn has become the first of its chat."""
        if self._woken is not None:
            self._woken.set()

    async def __aenter__(self) -> None:
        if self._locks._is_first(self):
            return  # nobody ahead: no await, no event created (most updates)
        self._woken = asyncio.Event()
        try:
            await self._woken.wait()
        except BaseException:  # cancelled while waiting: give up the turn
            self.give_up()
            raise

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.give_up()

    def give_up(self) -> None:
        """Leave the queue (idempotent): the next turn of the chat may go."""
        if not self._done:
            self._done = True
            self._locks._leave(self)
