"""Sessions: round trip, idle expiry, message ids for the wipe, forgetting, restarts."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

import bot.storage.sessions as sessions_module
from bot.engine.state import Session
from bot.storage.db import Database
from bot.storage.errors import StorageError
from bot.storage.keys import ChatKeyer
from bot.storage.sessions import MAX_MESSAGES, SessionStore
from tests.support.privacy import find_leaks

SECRET = b"a-test-secret-that-is-long-enough-0123456789"
CHAT = 5_550_123_987
TTL = dt.timedelta(hours=24)
T0 = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
#: A distinctive value inside the session JSON, to look for in the raw files.
MARKER = "zq-marker-7f3b9c1e"
SESSION = Session(
    "ar", view="pathway_residence", history=("start", "country"), facts={"note": MARKER}
)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime = T0) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "pathways.sqlite3"


@pytest.fixture
async def db(path: Path) -> AsyncIterator[Database]:
    database = await Database.open(path)
    yield database
    await database.close()


@pytest.fixture
def store(db: Database, clock: Clock) -> SessionStore:
    return SessionStore(db, ChatKeyer(SECRET), TTL, clock=clock)


async def rows(db: Database) -> int:
    row = await db.fetchone("SELECT count(*) FROM sessions")
    assert row is not None
    return int(row[0])


async def stored_messages(db: Database) -> list[list[int]]:
    row = await db.fetchone("SELECT messages FROM sessions")
    assert row is not None
    return list(json.loads(row[0]))


# -- round trip ------------------------------------------------------------------------------


async def test_a_saved_session_loads_back(store: SessionStore) -> None:
    assert await store.load(CHAT) is None
    await store.save(CHAT, SESSION, [11, 12])
    loaded = await store.load(CHAT)
    assert loaded is not None
    assert loaded.session == SESSION
    assert loaded.message_ids == (11, 12)


async def test_saving_replaces_the_state_and_merges_message_ids(
    store: SessionStore, db: Database, clock: Clock
) -> None:
    await store.save(CHAT, SESSION, [11, 12])
    clock.advance(minutes=5)
    later = SESSION.with_view("pathway_asylum")
    await store.save(CHAT, later, [12, 13])
    loaded = await store.load(CHAT)
    assert loaded is not None
    assert loaded.session == later
    assert loaded.message_ids == (11, 12, 13)
    assert await rows(db) == 1


async def test_ids_of_messages_sent_after_the_save_are_added_without_the_state(
    store: SessionStore, db: Database
) -> None:
    """The handlers save before showing, then add the ids of what they sent: the quick
    exit deletes those too, and the state saved first is untouched."""
    await store.save(CHAT, SESSION, [11])
    await store.add_message_ids(CHAT, [14, 13])
    await store.add_message_ids(CHAT, [])
    loaded = await store.load(CHAT)
    assert loaded is not None
    assert loaded.session == SESSION
    assert loaded.message_ids == (11, 13, 14)
    assert await store.forget(CHAT) == (11, 13, 14)
    await store.add_message_ids(CHAT, [15])  # no session any more: nothing is created
    assert await rows(db) == 0


async def test_chats_are_kept_apart_and_keyed_by_the_secret(
    store: SessionStore, db: Database, clock: Clock
) -> None:
    await store.save(CHAT, SESSION, [1])
    await store.save(CHAT + 1, Session("en"), [2])
    loaded = await store.load(CHAT)
    assert loaded is not None and loaded.session == SESSION
    # The same chat under another secret is another key: nothing is found.
    other = SessionStore(db, ChatKeyer(b"another-secret-" * 3), TTL, clock=clock)
    assert await other.load(CHAT) is None
    keys = {row[0] for row in await db.fetchall("SELECT key FROM sessions")}
    assert keys == {ChatKeyer(SECRET).key(CHAT), ChatKeyer(SECRET).key(CHAT + 1)}


async def test_a_stored_session_that_cannot_be_read_starts_over(
    store: SessionStore, db: Database
) -> None:
    await store.save(CHAT, SESSION, [1])
    await db.execute("UPDATE sessions SET state = '{\"v\": 99}'")
    assert await store.load(CHAT) is None


async def test_stored_times_are_rounded_to_the_minute(store: SessionStore, db: Database) -> None:
    await store.save(CHAT, SESSION, [1])
    row = await db.fetchone("SELECT touched, messages FROM sessions")
    assert row is not None
    minute = int(T0.timestamp()) // 60 * 60
    assert row[0] == minute
    assert json.loads(row[1]) == [[1, minute]]


# -- expiry ----------------------------------------------------------------------------------


async def test_a_session_idle_longer_than_the_ttl_is_gone(
    store: SessionStore, db: Database, clock: Clock
) -> None:
    await store.save(CHAT, SESSION, [1])
    clock.advance(hours=23, minutes=59)
    assert await store.load(CHAT) is not None
    clock.advance(minutes=2)
    assert await store.load(CHAT) is None  # expired, even before the purge ran
    assert await store.purge_expired() == 1
    assert await rows(db) == 0


async def test_saving_restarts_the_idle_clock(store: SessionStore, clock: Clock) -> None:
    await store.save(CHAT, SESSION)
    clock.advance(hours=20)
    await store.save(CHAT, SESSION)
    clock.advance(hours=20)
    assert await store.purge_expired() == 0
    assert await store.load(CHAT) is not None


async def test_purge_deletes_only_expired_sessions_and_counts_them(
    store: SessionStore, db: Database, clock: Clock
) -> None:
    for chat in (101_000_001, 101_000_002, 101_000_003):
        await store.save(chat, SESSION)
    clock.advance(hours=12)
    await store.save(CHAT, SESSION)
    clock.advance(hours=13)
    assert await store.purge_expired() == 3
    assert await rows(db) == 1
    assert await store.load(CHAT) is not None
    assert await store.purge_expired() == 0


async def test_purge_at_start_up_removes_what_expired_while_the_bot_was_down(
    path: Path, clock: Clock
) -> None:
    db = await Database.open(path)
    await SessionStore(db, ChatKeyer(SECRET), TTL, clock=clock).save(CHAT, SESSION)
    await db.close()
    clock.advance(days=3)
    db = await Database.open(path)
    try:
        assert await SessionStore(db, ChatKeyer(SECRET), TTL, clock=clock).purge_expired() == 1
        assert await rows(db) == 0
    finally:
        await db.close()


async def test_message_ids_older_than_48_hours_are_dropped(
    store: SessionStore, db: Database, clock: Clock
) -> None:
    await store.save(CHAT, SESSION, [1, 2])
    clock.advance(hours=20)
    await store.save(CHAT, SESSION, [3])
    clock.advance(hours=20)
    await store.save(CHAT, SESSION, [4])
    clock.advance(hours=9)  # ids 1 and 2 are 49 hours old now
    loaded = await store.load(CHAT)
    assert loaded is not None and loaded.message_ids == (3, 4)
    # The purge drops them from the row too, and a save drops them on the way.
    assert await store.purge_expired() == 0
    assert sorted(m[0] for m in await stored_messages(db)) == [3, 4]
    clock.advance(hours=20)  # id 3 is now 49 hours old
    await store.save(CHAT, SESSION, [5])
    assert sorted(m[0] for m in await stored_messages(db)) == [4, 5]


async def test_message_ids_are_capped_to_the_newest(
    store: SessionStore, db: Database, clock: Clock
) -> None:
    await store.save(CHAT, SESSION, range(1, MAX_MESSAGES + 201))
    loaded = await store.load(CHAT)
    assert loaded is not None
    assert loaded.message_ids == tuple(range(201, MAX_MESSAGES + 201))
    # Merging keeps the cap, and keeps the newest messages.
    clock.advance(minutes=1)
    await store.save(CHAT, SESSION, range(5000, 5300))
    loaded = await store.load(CHAT)
    assert loaded is not None
    assert len(loaded.message_ids) == MAX_MESSAGES
    assert loaded.message_ids[-300:] == tuple(range(5000, 5300))
    assert len(await stored_messages(db)) == MAX_MESSAGES


# -- forgetting ------------------------------------------------------------------------------


async def test_forget_deletes_the_row_at_once_and_returns_young_ids(
    store: SessionStore, db: Database, clock: Clock
) -> None:
    await store.save(CHAT, SESSION, [1])
    clock.advance(hours=47)
    await store.save(CHAT, SESSION, [2, 3])
    clock.advance(hours=2)
    assert await store.forget(CHAT) == (2, 3)  # id 1 is too old to delete on Telegram
    assert await rows(db) == 0
    assert await store.load(CHAT) is None
    assert await store.forget(CHAT) == ()


async def test_a_forgotten_session_is_gone_from_every_file_on_disk(
    store: SessionStore, db: Database, path: Path
) -> None:
    # Several saves leave several versions of the page in the WAL and the main file.
    for view in ("start", "country", "pathway_residence"):
        await store.save(CHAT, SESSION.with_view(view), [7])
    await db.checkpoint()
    await store.save(CHAT, SESSION, [8])
    await store.save(CHAT + 1, Session("en"), [9])  # another chat stays
    secrets = [MARKER, ChatKeyer(SECRET).key(CHAT)]
    assert find_leaks([path], secrets), "the scan cannot see the session: it proves nothing"
    await store.forget(CHAT)
    assert find_leaks([path], secrets) == []
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size == 0
    assert await store.load(CHAT + 1) is not None


async def test_reset_overwrites_the_old_answers_on_disk_and_keeps_the_message_ids(
    store: SessionStore, db: Database, path: Path
) -> None:
    for view in ("start", "country", "pathway_residence"):
        await store.save(CHAT, SESSION.with_view(view), [7, 8])
    assert find_leaks([path], [MARKER])
    fresh = Session("ar", view="start")
    await store.reset(CHAT, fresh)
    assert find_leaks([path], [MARKER]) == []
    loaded = await store.load(CHAT)
    assert loaded is not None
    assert loaded.session == fresh and loaded.message_ids == (7, 8)
    assert await rows(db) == 1


async def test_expired_sessions_are_gone_from_disk_after_the_purge(
    store: SessionStore, path: Path, clock: Clock
) -> None:
    await store.save(CHAT, SESSION, [7])
    assert find_leaks([path], [MARKER])
    clock.advance(days=2)
    assert await store.purge_expired() == 1
    assert find_leaks([path], [MARKER]) == []


# -- restarts --------------------------------------------------------------------------------


async def test_a_restart_resumes_the_conversation(path: Path, clock: Clock) -> None:
    db = await Database.open(path)
    await SessionStore(db, ChatKeyer(SECRET), TTL, clock=clock).save(CHAT, SESSION, [4, 5])
    await db.close()
    clock.advance(minutes=3)
    db = await Database.open(path)
    try:
        loaded = await SessionStore(db, ChatKeyer(SECRET), TTL, clock=clock).load(CHAT)
        assert loaded is not None
        assert loaded.session == SESSION and loaded.message_ids == (4, 5)
    finally:
        await db.close()


async def test_a_session_store_survives_a_recreated_database(
    store: SessionStore, db: Database, path: Path
) -> None:
    await store.save(CHAT, SESSION, [1])
    path.unlink()
    assert await store.forget(CHAT) == ()  # gone with the file; no crash
    await store.save(CHAT, SESSION, [2])
    loaded = await store.load(CHAT)
    assert loaded is not None and loaded.message_ids == (2,)
    assert db.recreated == 1


# -- recent sessions kept in memory ----------------------------------------------------------


class CountedReads:
    """Counts the database reads of a store (a read of memory is not one)."""

    def __init__(self, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        read = db.fetchall

        async def counted(*args: object, **kwargs: object) -> object:
            self.count += 1
            return await read(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(db, "fetchall", counted)


async def test_a_recently_saved_session_is_loaded_without_reading_the_database(
    store: SessionStore, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = CountedReads(db, monkeypatch)
    assert await store.load_session(CHAT) is None
    assert reads.count == 1
    await store.save(CHAT, SESSION, [1])
    newer = replace(SESSION, view="node:police", nonce=7)
    await store.save(CHAT, newer)
    assert await store.load_session(CHAT) == newer
    assert reads.count == 1
    loaded = await store.load(CHAT)  # the database agrees
    assert loaded is not None and loaded.session == newer and loaded.message_ids == (1,)


async def test_a_forgotten_or_expired_session_is_not_loaded_from_memory(
    store: SessionStore, clock: Clock
) -> None:
    await store.save(CHAT, SESSION)
    await store.forget(CHAT)
    assert await store.load_session(CHAT) is None
    await store.save(CHAT, SESSION)
    clock.advance(hours=24, minutes=2)
    assert await store.load_session(CHAT) is None
    await store.save(CHAT + 1, SESSION)
    clock.advance(hours=24, minutes=2)
    await store.purge_expired()
    assert store._recent == {}  # nothing expired stays in memory either
    assert await store.load_session(CHAT + 1) is None


async def test_a_save_that_failed_is_not_remembered(
    store: SessionStore, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store.save(CHAT, SESSION)

    async def failing(*args: object, **kwargs: object) -> None:
        raise StorageError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr(db, "write", failing)
        with pytest.raises(StorageError):
            await store.save(CHAT, replace(SESSION, view="node:police"))
    assert await store.load_session(CHAT) == SESSION  # what the database holds


async def test_only_the_most_recently_saved_sessions_are_kept_in_memory(
    store: SessionStore, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sessions_module, "RECENT_SESSIONS", 2)
    for chat in (1, 2, 3):
        await store.save(chat, replace(SESSION, nonce=chat))
    reads = CountedReads(db, monkeypatch)
    assert [(await store.load_session(chat)).nonce for chat in (3, 2)] == [3, 2]  # type: ignore[union-attr]
    assert reads.count == 0
    assert (await store.load_session(1)) == replace(SESSION, nonce=1)  # read from the database
    assert reads.count == 1


async def test_a_database_changed_by_someone_else_is_read_again(
    store: SessionStore, db: Database, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store.save(CHAT, SESSION)
    await db.checkpoint()
    # Another process (the stats command, a restored copy...) touches the file.
    os.utime(path, ns=(1, 1))
    reads = CountedReads(db, monkeypatch)
    assert await store.load_session(CHAT) == SESSION
    assert reads.count == 1
