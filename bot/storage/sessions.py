"""Pseudonymous sessions: the engine's session and the message ids the quick exit deletes.

A row holds only the keyed hash of the chat id, the session JSON, the ids of recent
messages with the minute they were sent, and the minute of the last save. Times are kept to
the minute, not the second, so the database is a poorer match for anyone else's records of
when someone wrote. Nothing else about the user is stored.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from bot.engine.state import Session
from bot.storage.db import Database
from bot.storage.keys import ChatKeyer

#: Telegram lets a bot delete messages only while they are younger than this.
MESSAGE_LIFETIME = dt.timedelta(hours=48)
#: At most this many message ids are kept per chat (the newest), so a row cannot grow
#: without bound; the wipe deletes them in batches of 100.
MAX_MESSAGES = 1000
#: Stored times are rounded down to this many seconds.
TIME_STEP = 60

# One statement per update: insert, or replace the state and merge the message ids (old
# ones dropped, duplicates merged, capped) in SQL, so a save is one atomic write.
_SAVE = """
INSERT INTO sessions (key, state, messages, touched)
VALUES (:key, :state, :messages, :now)
ON CONFLICT (key) DO UPDATE SET
    state = excluded.state,
    touched = excluded.touched,
    messages = (
        SELECT json_group_array(json_array(id, sent)) FROM (
            SELECT id, sent FROM (
                SELECT json_extract(value, '$[0]') AS id, max(json_extract(value, '$[1]')) AS sent
                FROM (
                    SELECT value FROM json_each(sessions.messages)
                    UNION ALL
                    SELECT value FROM json_each(excluded.messages)
                )
                GROUP BY id
            )
            WHERE sent > :cutoff
            ORDER BY sent DESC, id DESC
            LIMIT :cap
        )
    )
"""

_TRIM = """
UPDATE sessions SET messages = (
    SELECT json_group_array(json(value)) FROM json_each(sessions.messages)
    WHERE json_extract(value, '$[1]') > :cutoff
)
WHERE EXISTS (
    SELECT 1 FROM json_each(sessions.messages) WHERE json_extract(value, '$[1]') <= :cutoff
)
"""


def utc_now() -> dt.datetime:
    """The current time in UTC (the default clock)."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class StoredSession:
    """A loaded session and the ids of the chat's messages still young enough to delete."""

    session: Session
    message_ids: tuple[int, ...]


class SessionStore:
    """Sessions by keyed chat id, with idle expiry and immediate forgetting."""

    def __init__(
        self,
        db: Database,
        keyer: ChatKeyer,
        ttl: dt.timedelta,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        """Store in ``db``; sessions idle longer than ``ttl`` are expired."""
        self._db = db
        self._keyer = keyer
        self._ttl = ttl
        self._clock = clock

    def _now(self) -> int:
        seconds = int(self._clock().timestamp())
        return seconds - seconds % TIME_STEP

    async def load(self, chat_id: int) -> StoredSession | None:
        """The chat's session; ``None`` if there is none, it expired or cannot be parsed."""
        row = await self._db.fetchone(
            "SELECT state, messages, touched FROM sessions WHERE key = ?",
            (self._keyer.key(chat_id),),
        )
        if row is None:
            return None
        state, messages, touched = row
        now = self._now()
        if not isinstance(touched, int) or touched < now - self._ttl.total_seconds():
            return None  # expired: purge_expired removes the row
        session = Session.from_json(state) if isinstance(state, str) else None
        if session is None:
            return None
        return StoredSession(session, _young_ids(messages, now))

    async def save(
        self, chat_id: int, session: Session, new_message_ids: Iterable[int] = ()
    ) -> None:
        """Store ``session`` and add ``new_message_ids`` (sent now) to the chat's list.

        One upsert: ids older than 48 hours are dropped on the way, and the idle clock
        restarts.
        """
        now = self._now()
        fresh = sorted({int(i) for i in new_message_ids})
        await self._db.write(
            _SAVE,
            {
                "key": self._keyer.key(chat_id),
                "state": session.to_json(),
                "messages": json.dumps([[i, now] for i in fresh[-MAX_MESSAGES:]]),
                "now": now,
                "cutoff": now - int(MESSAGE_LIFETIME.total_seconds()),
                "cap": MAX_MESSAGES,
            },
        )

    async def reset(
        self, chat_id: int, session: Session, new_message_ids: Iterable[int] = ()
    ) -> None:
        """Replace the chat's session by ``session`` (``/reset``) so the old answers are gone
        from disk too; the message ids stay, for a later quick exit.

        A plain :meth:`save` would leave the previous state in older copies of the page (in
        the WAL and the main file) until the next checkpoint; this checkpoints at once.
        """
        await self.save(chat_id, session, new_message_ids)
        await self._db.checkpoint()

    async def forget(self, chat_id: int) -> tuple[int, ...]:
        """Delete the chat's row now; return its message ids still young enough to delete.

        ``secure_delete`` zeroes the row's bytes and the WAL checkpoint removes older
        copies of the page from the WAL, so the data is gone from disk, not just unlisted.
        """
        rows = await self._db.fetchall(
            "DELETE FROM sessions WHERE key = ? RETURNING messages",
            (self._keyer.key(chat_id),),
        )
        if not rows:
            return ()
        await self._db.checkpoint()
        return _young_ids(rows[0][0], self._now())

    async def purge_expired(self) -> int:
        """Delete sessions idle longer than the TTL and drop message ids older than 48 h.

        Returns how many sessions were deleted. Meant for start-up and a periodic job; it
        ends with a WAL checkpoint so deleted rows leave no copies behind.
        """
        now = self._now()
        deleted = await self._db.execute(
            "DELETE FROM sessions WHERE touched < ?", (now - int(self._ttl.total_seconds()),)
        )
        await self._db.execute(_TRIM, {"cutoff": now - int(MESSAGE_LIFETIME.total_seconds())})
        await self._db.checkpoint()
        return deleted


def _young_ids(raw: Any, now: int) -> tuple[int, ...]:
    """Message ids from the stored JSON sent within the last 48 hours, ascending."""
    cutoff = now - int(MESSAGE_LIFETIME.total_seconds())
    try:
        pairs = json.loads(raw)
    except (TypeError, ValueError):
        return ()
    if not isinstance(pairs, list):
        return ()
    ids = {
        pair[0]
        for pair in pairs
        if isinstance(pair, list)
        and len(pair) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in pair)
        and pair[1] > cutoff
    }
    return tuple(sorted(ids))
