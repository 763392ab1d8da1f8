"""One lock per chat, so a chat's updates are handled one at a time, in order.

Updates run concurrently (python-telegram-bot's ``concurrent_updates``), so two quick taps of
one user could otherwise load the same session and overwrite each other's save. Other users'
updates never wait for each other.

A chat's lock exists only while one of its updates is in progress: it is counted in and
out, so idle chats cost nothing and nothing here outlives the updates (no chat ids kept).
"""

from __future__ import annotations

import asyncio
from types import TracebackType


class _Held:
    """A chat's lock and how many of its updates hold it or wait for it."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class ChatLocks:
    """``async with locks.hold(chat_id):`` runs the block alone for that chat."""

    def __init__(self) -> None:
        """No chat is held."""
        self._held: dict[int, _Held] = {}

    def __len__(self) -> int:
        """How many chats have an update in progress."""
        return len(self._held)

    def hold(self, chat_id: int) -> _Holding:
        """A context manager that waits for the chat's earlier updates, then holds it."""
        return _Holding(self._held, chat_id)


class _Holding:
    """One update's turn on its chat's lock (see :meth:`ChatLocks.hold`)."""

    __slots__ = ("_chat_id", "_entry", "_held")

    def __init__(self, held: dict[int, _Held], chat_id: int) -> None:
        self._held = held
        self._chat_id = chat_id

    async def __aenter__(self) -> None:
        entry = self._held.get(self._chat_id)
        if entry is None:
            entry = self._held[self._chat_id] = _Held()
        # Counted before waiting, so the entry stays while this update waits for its turn.
        entry.users += 1
        self._entry = entry
        try:
            await entry.lock.acquire()
        except BaseException:  # cancelled while waiting: give up the turn
            self._leave()
            raise

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._entry.lock.release()
        self._leave()

    def _leave(self) -> None:
        self._entry.users -= 1
        if not self._entry.users:
            del self._held[self._chat_id]
