"""The database: migrations, private files, pragmas, busy retries and recovery from damage."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import os
import shutil
import sqlite3
import stat
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiosqlite
import pytest

import bot.storage.db as db_module
from bot.engine.state import Session
from bot.storage.db import Database
from bot.storage.errors import StorageError
from bot.storage.keys import ChatKeyer
from bot.storage.migrations import MIGRATIONS, Migration, applied_migrations, migrate
from bot.storage.sessions import SessionStore

SECRET = b"s" * 64
SESSION = Session("en", view="start", facts={"country": "AT"}, nonce=7)


def schema(path: Path) -> list[tuple[str, str, str]]:
    """Every table and index of the database at ``path`` with its SQL."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
            "ORDER BY type, name"
        ).fetchall()


def recorded(path: Path) -> list[str]:
    """The migration names recorded in the database at ``path``."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return [row[0] for row in conn.execute("SELECT name FROM migrations ORDER BY name")]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextlib.contextmanager
def umask(value: int) -> Iterator[None]:
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


async def fresh_schema(tmp_path: Path) -> list[tuple[str, str, str]]:
    path = tmp_path / "fresh" / "db.sqlite3"
    db = await Database.open(path)
    await db.close()
    return schema(path)


# -- migrations ------------------------------------------------------------------------------


def test_migration_names_are_unique_and_in_order() -> None:
    names = [m.name for m in MIGRATIONS]
    assert len(set(names)) == len(names)
    # applied_migrations() sorts by name, and the code applies them in tuple order.
    assert names == sorted(names)


async def test_an_empty_file_gets_every_migration(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    path.touch()
    db = await Database.open(path)
    await db.close()
    assert recorded(path) == [m.name for m in MIGRATIONS]
    tables = {name for kind, name, _ in schema(path) if kind == "table"}
    assert tables == {"migrations", "sessions", "counters"}


@pytest.mark.parametrize("applied", range(len(MIGRATIONS)), ids=lambda n: f"at-{n:04d}")
async def test_every_earlier_version_upgrades_to_the_current_schema(
    tmp_path: Path, applied: int
) -> None:
    path = tmp_path / "old.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        assert await migrate(conn, MIGRATIONS[:applied]) == [m.name for m in MIGRATIONS[:applied]]
        if applied >= 1:  # 0001 made the sessions table: its rows must survive the upgrade
            await conn.execute(
                "INSERT INTO sessions (key, state, touched) VALUES ('k', ?, 60)",
                (SESSION.to_json(),),
            )
    db = await Database.open(path)
    await db.close()
    assert recorded(path) == [m.name for m in MIGRATIONS]
    assert schema(path) == await fresh_schema(tmp_path)
    if applied >= 1:
        with contextlib.closing(sqlite3.connect(path)) as conn:
            assert conn.execute("SELECT key, state FROM sessions").fetchall() == [
                ("k", SESSION.to_json())
            ]


async def test_migrating_twice_applies_nothing(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        assert len(await migrate(conn)) == len(MIGRATIONS)
        assert await migrate(conn) == []
        assert await applied_migrations(conn) == [m.name for m in MIGRATIONS]


async def test_a_database_from_a_newer_version_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    db = await Database.open(path)
    await db.close()
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("INSERT INTO migrations VALUES ('0099_from_the_future', '2031-01-01')")
    with pytest.raises(StorageError, match=r"0099_from_the_future.*newer version"):
        await Database.open(path)  # recover=True: even the bot must not replace it
    assert "0099_from_the_future" in recorded(path)


BROKEN = Migration(
    "0003_broken",
    (
        "CREATE TABLE half_done (x INTEGER)",
        "INSERT INTO no_such_table VALUES (1)",
    ),
)


async def test_a_failing_migration_is_rolled_back_entirely(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        with pytest.raises(StorageError, match=r"migration 0003_broken failed .*rolled back"):
            await migrate(conn, (*MIGRATIONS, BROKEN))
        assert not conn.in_transaction
    # The earlier migrations stay; nothing of the broken one does (no table, no record).
    assert recorded(path) == [m.name for m in MIGRATIONS]
    assert "half_done" not in {name for _, name, _ in schema(path)}


async def test_a_failing_migration_stops_the_database_from_opening(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "db.sqlite3"
    monkeypatch.setattr(
        db_module, "migrate", functools.partial(migrate, migrations=(*MIGRATIONS, BROKEN))
    )
    with pytest.raises(StorageError, match="0003_broken"):
        await Database.open(path)
    assert recorded(path) == [m.name for m in MIGRATIONS]
    assert "half_done" not in {name for _, name, _ in schema(path)}


# -- files and pragmas -----------------------------------------------------------------------


async def test_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "data" / "db.sqlite3"
    with umask(0):  # the most permissive: modes must come from the code, not the umask
        db = await Database.open(path)
        try:
            await SessionStore(db, ChatKeyer(SECRET), dt.timedelta(hours=1)).save(1, SESSION)
            files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
            assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
            assert mode(path.parent) == 0o700
        finally:
            await db.close()


async def test_a_loosened_file_mode_is_tightened_at_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "db.sqlite3"
    db = await Database.open(path)
    await db.close()
    path.chmod(0o644)
    db = await Database.open(path)
    await db.close()
    assert mode(path) == 0o600
    assert "readable by others" in caplog.text


async def test_wal_foreign_keys_and_secure_delete_are_on(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        assert await db.fetchone("PRAGMA journal_mode") == ("wal",)
        assert await db.fetchone("PRAGMA foreign_keys") == (1,)
        assert await db.fetchone("PRAGMA secure_delete") == (1,)
    finally:
        await db.close()


async def test_close_empties_the_wal_and_a_closed_database_says_so(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    db = await Database.open(path)
    await SessionStore(db, ChatKeyer(SECRET), dt.timedelta(hours=1)).save(1, SESSION)
    await db.close()
    await db.close()  # twice is harmless
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    with pytest.raises(StorageError, match="closed"):
        await db.fetchall("SELECT 1")


async def test_a_database_that_cannot_be_created_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the data folder should be")
    with pytest.raises(StorageError, match=r"cannot create the database .*DATA_DIR"):
        await Database.open(tmp_path / "data" / "db.sqlite3")


# -- recovery --------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def open_store(
    path: Path, *, busy_timeout: float = 5.0, retry_for: float = 10.0
) -> AsyncIterator[tuple[Database, SessionStore]]:
    """The database at ``path`` (recovering, as the bot opens it) and a session store on it."""
    db = await Database.open(path, busy_timeout=busy_timeout, retry_for=retry_for)
    try:
        yield db, SessionStore(db, ChatKeyer(SECRET), dt.timedelta(hours=1))
    finally:
        await db.close()


async def test_a_database_deleted_while_open_is_recreated(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "data" / "db.sqlite3"
    async with open_store(path) as (db, store):
        await store.save(1, SESSION)
        path.unlink()
        with caplog.at_level(logging.ERROR, logger="bot.storage.db"):
            assert await store.load(1) is None  # the user simply starts over
        assert "disappeared" in caplog.text and db.recreated == 1
        await store.save(2, SESSION)
        loaded = await store.load(2)
        assert loaded is not None and loaded.session == SESSION
        assert path.exists() and mode(path) == 0o600


async def test_a_data_folder_deleted_while_open_is_recreated(tmp_path: Path) -> None:
    path = tmp_path / "data" / "db.sqlite3"
    async with open_store(path) as (db, store):
        await store.save(1, SESSION)
        shutil.rmtree(path.parent)
        await store.save(1, SESSION)
        assert db.recreated == 1
        assert (await store.load(1)) is not None
        assert mode(path.parent) == 0o700


async def test_a_database_overwritten_with_garbage_is_recreated(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "db.sqlite3"
    async with open_store(path) as (db, store):
        await store.save(1, SESSION)
        assert await db.checkpoint()  # the pages are in the main file now, not only the WAL
        garbage = os.urandom(path.stat().st_size)
        path.write_bytes(garbage)  # same file, new content
        assert await store.load(1) is None
        assert "damaged" in caplog.text and db.recreated == 1
        await store.save(1, SESSION)
        assert (await store.load(1)) is not None


async def test_a_database_replaced_by_garbage_is_recreated(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "db.sqlite3"
    async with open_store(path) as (db, store):
        await store.save(1, SESSION)
        other = tmp_path / "other"
        other.write_bytes(b"not a database " * 1000)
        other.replace(path)  # a new file under the same name
        await store.save(2, SESSION)
        assert db.recreated == 1 and "SQLITE_NOTADB" in caplog.text
        assert await store.load(1) is None
        assert (await store.load(2)) is not None


async def test_garbage_at_start_up_is_replaced_by_the_bot(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"garbage " * 2000)
    async with open_store(path) as (db, store):
        assert db.recreated == 1 and "could not be read at start-up" in caplog.text
        await store.save(1, SESSION)
        assert (await store.load(1)) is not None


async def test_garbage_is_left_alone_without_recover(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    garbage = b"garbage " * 2000
    path.write_bytes(garbage)
    with pytest.raises(StorageError, match=r"cannot open the database .*SQLITE_NOTADB"):
        await Database.open(path, recover=False)
    assert path.read_bytes() == garbage


async def test_a_failed_recovery_is_tried_again_on_the_next_operation(tmp_path: Path) -> None:
    path = tmp_path / "data" / "db.sqlite3"
    async with open_store(path) as (_, store):
        shutil.rmtree(path.parent)
        path.parent.write_text("a file where the data folder should be")
        with pytest.raises(StorageError, match="cannot create the database"):
            await store.save(1, SESSION)
        path.parent.unlink()
        await store.save(1, SESSION)  # the folder can be made again: storage works again
        assert (await store.load(1)) is not None


# -- SQLITE_BUSY -----------------------------------------------------------------------------


@contextlib.contextmanager
def write_lock_held(path: Path, seconds: float) -> Iterator[threading.Thread]:
    """Another connection (as another process would) holds the write lock for ``seconds``."""
    locked = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("BEGIN IMMEDIATE")
            locked.set()
            time.sleep(seconds)
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert locked.wait(5)
        yield thread
    finally:
        thread.join()


async def test_a_busy_database_is_retried_until_the_lock_is_released(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    # SQLite's own wait (busy_timeout) is shorter than the lock: our retries must carry it.
    async with open_store(path, busy_timeout=0.02, retry_for=5.0) as (db, store):
        with write_lock_held(path, 0.6):
            started = time.monotonic()
            await store.save(1, SESSION)
            waited = time.monotonic() - started
        assert waited >= 0.2  # it waited for the lock rather than failing or skipping
        assert db.busy_retries > 0
        assert (await store.load(1)) is not None


async def test_a_lock_held_too_long_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with open_store(path, busy_timeout=0.02, retry_for=0.2) as (_, store):
        with (
            write_lock_held(path, 0.8),
            pytest.raises(StorageError, match=r"locked for more than 0\.2 s"),
        ):
            await store.save(1, SESSION)
        await store.save(1, SESSION)  # works again once the lock is gone
        assert (await store.load(1)) is not None


# -- statements run on the event loop's thread -----------------------------------------------


async def test_a_locked_database_never_stalls_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    async with open_store(path, retry_for=5.0) as (db, store):
        await store.save(1, SESSION)  # the session's own statement is known to SQLite
        gaps: list[float] = []
        done = asyncio.Event()

        async def tick() -> None:
            last = time.monotonic()
            while not done.is_set():
                await asyncio.sleep(0.005)
                now = time.monotonic()
                gaps.append(now - last)
                last = now

        ticker = asyncio.create_task(tick())
        with write_lock_held(path, 0.5):
            await store.save(2, SESSION)  # tried at once, busy: waits without blocking
            done.set()
        await ticker
        assert db.busy_retries > 0
        # Other users' updates kept running while this one waited for the lock.
        assert len(gaps) > 20 and max(gaps) < 0.1
        assert await store.load_session(2) == SESSION


async def test_a_statement_never_runs_inside_another_operation(tmp_path: Path) -> None:
    async with open_store(tmp_path / "db.sqlite3") as (db, store):
        inside, release = asyncio.Event(), asyncio.Event()

        async def transaction_left_open(conn: aiosqlite.Connection) -> None:
            await conn.execute("BEGIN IMMEDIATE")
            await conn.execute("INSERT INTO counters VALUES ('2026-01-01', 'start', 'x', 1)")
            inside.set()
            await release.wait()
            await conn.execute("ROLLBACK")

        other = asyncio.create_task(db.run(transaction_left_open))
        await inside.wait()
        save = asyncio.create_task(store.save(1, SESSION))
        try:
            await asyncio.sleep(0.05)
            assert not save.done()  # it waits for the lock instead of joining the transaction
        finally:
            release.set()
            await other
        await save
        # Had the save run inside the transaction, the rollback would have taken it along.
        assert await db.fetchall("SELECT count(*) FROM sessions") == [(1,)]
        assert await db.fetchall("SELECT count(*) FROM counters") == [(0,)]


async def test_the_wal_is_checkpointed_by_the_database_every_so_many_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "CHECKPOINT_EVERY", 5)
    path = tmp_path / "db.sqlite3"
    async with open_store(path) as (db, store):
        # SQLite's own checkpoint would run inside a commit, maybe on the event loop.
        assert await db.fetchall("PRAGMA wal_autocheckpoint") == [(0,)]
        await db.checkpoint()
        before = path.stat().st_mtime_ns, path.stat().st_size
        for chat in range(4):
            await store.save(chat, SESSION)
        assert (path.stat().st_mtime_ns, path.stat().st_size) == before  # only the WAL grew
        await store.save(4, SESSION)
        await db.settled()  # the update does not wait for the copy; the test does
        assert (path.stat().st_mtime_ns, path.stat().st_size) != before
        assert await db.fetchall("SELECT count(*) FROM sessions") == [(5,)]


async def test_a_session_in_memory_is_not_used_once_the_database_was_deleted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "data" / "db.sqlite3"
    async with open_store(path) as (db, store):
        await store.save(1, SESSION)
        path.unlink()  # e.g. to wipe everything: nothing may come back from memory
        with caplog.at_level(logging.ERROR, logger="bot.storage.db"):
            assert await store.load_session(1) is None  # the user simply starts over
        assert db.recreated == 1 and "disappeared" in caplog.text
        await store.save(2, SESSION)
        assert await db.fetchall("SELECT count(*) FROM sessions") == [(1,)]
