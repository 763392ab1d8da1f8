"""Pseudonymous sessions: the engine's session and the message ids the quick exit deletes.

A row holds only the keyed hash of the chat id, the session JSON, the ids of recent
messages with the minute they were sent, and the minute of the last save. Times are kept to
the minute, not the second, so the database is a poorer match for anyone else's records of
when someone wrote. Nothing else about the user is stored.

The most recently saved sessions are also kept in memory (under the same keyed hash), so the next update of an active chat does not read the database: that
read was a sixth of an update's cost. Every save still writes the database first; memory only
mirrors it, and anything that removes a session from the database (forgetting, expiry, a
database replaced or recreated) removes it from memory too.
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
#: Sessions mirrored in memory (the most recently saved). A session takes one or two
#: kilobytes, so this is at most about 20 MB; chats beyond it are read from the database.
RECENT_SESSIONS = 10_000

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

# A save that adds no message ids (a button press edits its message in place: most updates)
# leaves the list alone; ids older than 48 hours go at the next save that adds one, or at the
# hourly purge. A third cheaper than merging.
_SAVE_STATE = """
INSERT INTO sessions (key, state, touched) VALUES (:key, :state, :now)
ON CONFLICT (key) DO UPDATE SET state = excluded.state, touched = excluded.touched
"""

# Only new message ids, for a session saved a moment ago (before its screen was sent): the
# state is already stored, so it is not written again. Old ids are dropped at the next save
# that merges (above) or at the hourly purge; the list is capped there too.
_ADD_MESSAGES = """
UPDATE sessions SET messages = (
    SELECT json_group_array(json(value)) FROM (
        SELECT value FROM json_each(sessions.messages)
        UNION ALL
        SELECT value FROM json_each(:messages)
    )
)
WHERE key = :key
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
        self._ttl_seconds = ttl.total_seconds()
        self._clock = clock
        #: key → (session, minute saved): what the database holds, for recent savers, oldest
        #: save first. Valid for the database connection of ``_generation``. Sessions are
        #: immutable (the engine returns new ones), so the saved object itself is kept.
        self._recent: dict[str, tuple[Session, int]] = {}
        self._generation = db.generation

    def _now(self) -> int:
        seconds = int(self._clock().timestamp())
        return seconds - seconds % TIME_STEP

    def _expired(self, touched: object, now: int) -> bool:
        return not isinstance(touched, int) or touched < now - self._ttl_seconds

    async def load(self, chat_id: int) -> StoredSession | None:
        """The chat's session and message ids, from the database; ``None`` if there is none,
        it expired or cannot be parsed."""
        row = await self._db.fetchone(
            "SELECT state, messages, touched FROM sessions WHERE key = ?",
            (self._keyer.key(chat_id),),
        )
        if row is None:
            return None
        state, messages, touched = row
        now = self._now()
        if self._expired(touched, now):
            return None  # expired: purge_expired removes the row
        session = Session.from_json(state) if isinstance(state, str) else None
        if session is None:
            return None
        return StoredSession(session, _young_ids(messages, now))

    async def load_session(self, chat_id: int) -> Session | None:
        """The chat's session, as :meth:`load` finds it (without the message ids): from
        memory when this store saved it recently and the database file is as it was."""
        key = self._keyer.key(chat_id)
        recent = self._recent.get(key) if self._mirror_is_current() else None
        if recent is None:
            stored = await self.load(chat_id)
            return stored.session if stored else None
        session, touched = recent
        return None if self._expired(touched, self._now()) else session

    def _mirror_is_current(self) -> bool:
        """Whether :attr:`_recent` still mirrors the database."""
        # A file changed by something else: the database path finds out what happened.
        return not self._reopened() and self._db.unchanged()

    def _reopened(self) -> bool:
        """Whether the database was reopened (maybe recreated empty, or replaced by another
        file) since :attr:`_recent` was filled; if so, empties it."""
        if self._db.generation == self._generation:
            return False
        self._recent.clear()
        self._generation = self._db.generation
        return True

    def _remember(self, key: str, session: Session, now: int) -> None:
        """Mirror what was just written (to the database of the current generation)."""
        self._reopened()
        self._recent.pop(key, None)  # re-inserted last: the dict stays in order of saving
        self._recent[key] = (session, now)
        if len(self._recent) > RECENT_SESSIONS:
            del self._recent[next(iter(self._recent))]

    async def save(
        self, chat_id: int, session: Session, new_message_ids: Iterable[int] = ()
    ) -> None:
        """Store ``session`` and add ``new_message_ids`` (sent now) to the chat's list.

        One upsert, and the idle clock restarts; when ids are added, those older than 48
        hours are dropped on the way.
        """
        now = self._now()
        fresh = sorted({int(i) for i in new_message_ids})
        key, state = self._keyer.key(chat_id), session.to_json()
        try:
            if fresh:
                await self._db.write(
                    _SAVE,
                    {
                        "key": key,
                        "state": state,
                        "messages": json.dumps([[i, now] for i in fresh[-MAX_MESSAGES:]]),
                        "now": now,
                        "cutoff": now - int(MESSAGE_LIFETIME.total_seconds()),
                        "cap": MAX_MESSAGES,
                    },
                )
            else:
                await self._db.write(_SAVE_STATE, {"key": key, "state": state, "now": now})
        except BaseException:
            self._recent.pop(key, None)  # whatever the database holds now, read it there
            raise
        self._remember(key, session, now)

    async def add_message_ids(self, chat_id: int, message_ids: Iterable[int]) -> None:
        """Add the ids of messages just sent to the chat's saved session (for the quick exit),
        without writing its state again: cheaper than a second :meth:`save`."""
        now = self._now()
        fresh = sorted({int(i) for i in message_ids})[-MAX_MESSAGES:]
        if not fresh:
            return
        await self._db.write(
            _ADD_MESSAGES,
            {"key": self._keyer.key(chat_id), "messages": json.dumps([[i, now] for i in fresh])},
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
        key = self._keyer.key(chat_id)
        self._recent.pop(key, None)
        rows = await self._db.fetchall(
            "DELETE FROM sessions WHERE key = ? RETURNING messages", (key,)
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
        oldest = now - int(self._ttl.total_seconds())
        for key in [k for k, (_, touched) in self._recent.items() if touched < oldest]:
            del self._recent[key]
        deleted = await self._db.execute("DELETE FROM sessions WHERE touched < ?", (oldest,))
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
