"""Per-chat flood limiting, in memory only.

Each private chat has a token bucket: it holds up to :data:`BURST` updates and refills at
:data:`RATE` updates a second. A person tapping and typing never empties it; a script or a
stuck client does, and its excess updates are then dropped before they cost a database
round trip or a Bot API call, so one chat cannot use up the bot's share of Telegram's
limits (about 30 messages a second for all chats together) and slow everyone else down.

While a chat is flooding it gets at most one short "slow down" note every
:data:`NOTE_EVERY` seconds. Nothing here is written to disk: the buckets live in this
process, keyed by chat id, and are forgotten once full again (idle). The ids of dropped
messages and of the note are kept (at most :data:`MAX_PENDING`, for at most 48 hours) so
that the next saved update or the quick exit can delete them with the rest of the chat.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

#: Updates a chat may send at once, and how many it gets back per second.
BURST = 15
RATE = 1.0
#: At most one "slow down" note per chat in this many seconds.
NOTE_EVERY = 30.0
#: Message ids kept per chat for the quick exit, and for how long (Telegram's 48 hours).
MAX_PENDING = 1000
PENDING_LIFETIME = 48 * 3600.0
#: Idle buckets are swept at most this often.
SWEEP_EVERY = 60.0


class Verdict(Enum):
    """What to do with one update."""

    ADMIT = "admit"
    #: Drop it, and tell the user to slow down (the first drop in :data:`NOTE_EVERY`).
    DROP_WITH_NOTE = "drop with note"
    DROP = "drop"


@dataclass
class _Bucket:
    tokens: float
    updated: float
    noted_at: float | None = None
    language: str = ""
    pending: list[int] = field(default_factory=list)
    pending_since: float = 0.0


class FloodGate:
    """Token buckets per chat id; ``clock`` is monotonic seconds (injectable for tests)."""

    def __init__(
        self,
        burst: int = BURST,
        rate: float = RATE,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """A gate letting ``burst`` updates through at once and ``rate`` a second after."""
        if burst < 1 or rate <= 0:
            raise ValueError("burst must be at least 1 and rate positive")
        self.burst = burst
        self.rate = rate
        self._clock = clock
        self._buckets: dict[int, _Bucket] = {}
        self._swept = clock()

    def __len__(self) -> int:
        """How many chats are tracked right now."""
        return len(self._buckets)

    def check(self, chat_id: int) -> Verdict:
        """Take one token for ``chat_id``'s update, or say how to drop it."""
        now = self._clock()
        self._sweep(now)
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            bucket = self._buckets[chat_id] = _Bucket(tokens=float(self.burst), updated=now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.ADMIT
        if bucket.noted_at is None or now - bucket.noted_at >= NOTE_EVERY:
            bucket.noted_at = now
            return Verdict.DROP_WITH_NOTE
        return Verdict.DROP

    def language(self, chat_id: int, default: str) -> str:
        """The language the chat last used (for the note), or ``default``."""
        bucket = self._buckets.get(chat_id)
        return bucket.language if bucket is not None and bucket.language else default

    def remember_language(self, chat_id: int, language: str) -> None:
        """Note the chat's language after an admitted update, for a later note."""
        bucket = self._buckets.get(chat_id)
        if bucket is not None:
            bucket.language = language

    def keep_for_wipe(self, chat_id: int, *message_ids: int) -> None:
        """Remember ids of messages that were dropped or sent outside a step."""
        bucket = self._buckets.get(chat_id)
        if bucket is None or not message_ids:
            return
        if not bucket.pending:
            bucket.pending_since = self._clock()
        bucket.pending = [*bucket.pending, *message_ids][-MAX_PENDING:]

    def take_for_wipe(self, chat_id: int) -> list[int]:
        """The remembered ids (then forgotten here: the caller stores or deletes them)."""
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            return []
        pending, bucket.pending = bucket.pending, []
        return pending

    def _sweep(self, now: float) -> None:
        """Forget buckets that are full again and hold nothing to delete."""
        if now - self._swept < SWEEP_EVERY:
            return
        self._swept = now
        refill = self.burst / self.rate
        for chat_id, bucket in list(self._buckets.items()):
            idle = now - bucket.updated
            if bucket.pending and now - bucket.pending_since >= PENDING_LIFETIME:
                bucket.pending = []  # Telegram no longer lets anyone delete them
            if idle >= max(refill, NOTE_EVERY) and not bucket.pending:
                del self._buckets[chat_id]
