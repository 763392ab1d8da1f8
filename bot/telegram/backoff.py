"""Growing pauses between attempts to reach Telegram, cut short when the bot is stopping."""

from __future__ import annotations

import asyncio
import contextlib

#: The first pause, and the longest: an outage is retried for as long as it lasts.
FIRST_PAUSE = 0.5
LONGEST_PAUSE = 30.0


class Backoff:
    """Doubles the pause after each failure, up to :data:`LONGEST_PAUSE`; a success resets it."""

    def __init__(self, first: float = FIRST_PAUSE, longest: float = LONGEST_PAUSE) -> None:
        """Pauses start at ``first`` seconds and grow to ``longest``."""
        self._first = first
        self._longest = longest
        self._next = first

    def reset(self) -> None:
        """After a success: the next failure waits the first pause again."""
        self._next = self._first

    def next_pause(self) -> float:
        """The pause to wait now (the one after it is twice as long)."""
        pause = self._next
        self._next = min(self._next * 2, self._longest)
        return pause

    async def wait(self, stopping: asyncio.Event, pause: float | None = None) -> None:
        """Sleep for the next pause (or ``pause``), or until ``stopping`` is set."""
        seconds = self.next_pause() if pause is None else pause
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=seconds)
