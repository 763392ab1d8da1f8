"""The one SQLite connection of the process (aiosqlite, WAL) and what keeps it usable.

Everything goes through :class:`Database`, which

* serialises operations (one asyncio lock), so a multi-statement transaction from one
  handler never interleaves with another's statements on the shared connection;
* runs a single small statement (the per-update session read and write) straight away on
  the event loop's thread when nothing else is using the connection, and everything else on
  aiosqlite's thread (see :meth:`Database._at_once`);
* retries ``SQLITE_BUSY`` / ``SQLITE_LOCKED`` with back-off for a bounded time, because
  another process (``python -m bot stats``) may hold a lock. SQLite's own busy handler is
  off (``busy_timeout = 0``): it would sleep on whichever thread runs the statement, which
  may be the event loop's, and it is not called in every case anyway (e.g. WAL snapshot
  upgrades). Waiting is done here, with ``asyncio.sleep``, between attempts;
* notices when the file was deleted, replaced or overwritten while the bot runs, and when
  SQLite reports it damaged, and then starts a new, empty database with a logged error: every
  conversation starts over, nothing crashes. The data is short-lived by design, so an empty
  database is the safe way back.

Files are created with mode 0600 (SQLite gives the ``-wal`` and ``-shm`` files the same
mode) in a directory created with mode 0700. ``secure_delete`` overwrites deleted rows and
:meth:`Database.checkpoint` (``TRUNCATE``) empties the WAL, so forgotten data does not
linger in free pages or old WAL frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.storage.dbfiles import (
    MIN_SQLITE,
    PRAGMAS,
    SUFFIXES,
    Backoff,
    check_integrity,
    configure,
    file_identity,
    passive_checkpoint,
    prepare_files,
    remove_file,
    truncate_checkpoint,
)
from bot.storage.errors import StorageError, error_name, is_busy, is_damaged
from bot.storage.migrations import migrate

__all__ = ["PRAGMAS", "Database", "StorageError"]

logger = logging.getLogger(__name__)
# aiosqlite logs every statement with its parameters (session keys and state) at DEBUG. Like
# httpx's token-bearing lines, that must never reach a log, whatever LOG_LEVEL says.
logging.getLogger("aiosqlite").setLevel(logging.WARNING)

T = TypeVar("T")

#: Writes between two (passive) checkpoints. A session save writes one page, so this is
#: SQLite's own default of 1,000 pages (a WAL of about 4 MB). Each checkpoint syncs the file,
#: so doing it more often costs more.
CHECKPOINT_EVERY = 1000
#: Positional (``?``) or named (``:name``) parameters.
Params = Sequence[Any] | Mapping[str, Any]
Row = tuple[Any, ...]


class Database:
    """One aiosqlite connection, opened with :meth:`open` and closed with :meth:`close`."""

    def __init__(self, path: Path, *, busy_timeout: float, retry_for: float, recover: bool):
        """Use :meth:`open`; this only sets fields."""
        self.path = path
        self._fspath = os.fspath(path)  # os.stat on a str: pathlib costs more than the call
        self._busy_timeout = busy_timeout
        self._retry_for = retry_for
        self._recover = recover
        self._conn: aiosqlite.Connection | None = None
        #: The sqlite3 connection inside ``_conn``, for :meth:`_at_once`.
        self._raw: sqlite3.Connection | None = None
        #: Writes since the last checkpoint (SQLite's automatic one is off: see PRAGMAS).
        self._writes = 0
        #: The checkpoint running in the background, if any (see _wrote).
        self._checkpointing: asyncio.Task[None] | None = None
        #: Set by :meth:`close`; until then a lost connection is opened again when needed.
        self._closed = False
        #: (device, inode, size, mtime) of the file after our last operation.
        self._seen: tuple[int, int, int, int] | None = None
        self._lock = asyncio.Lock()
        #: How many times a busy database was retried, and how often it was recreated.
        self.busy_retries = 0
        self.recreated = 0
        #: Goes up whenever the connection is (re)opened, maybe on another file: whatever a
        #: caller remembers of the database's contents is out of date when it changed.
        self.generation = 0

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        busy_timeout: float = 5.0,
        retry_for: float = 10.0,
        recover: bool = True,
    ) -> Database:
        """Open (creating if needed) the database at ``path`` and apply its migrations.

        ``retry_for`` is how long :class:`Database` keeps retrying a statement while the
        database is locked, ``busy_timeout`` how long a checkpoint keeps trying while another
        connection reads (and how long a checking connection waits for a lock). With ``recover``
        (the bot), a damaged or vanished file is replaced by a new, empty database; without
        it (the stats command) that is an error instead, so a reader never deletes data.
        Raises :class:`StorageError` when the database cannot be used.
        """
        if sqlite3.sqlite_version_info < MIN_SQLITE:
            raise StorageError(
                f"SQLite {sqlite3.sqlite_version} is too old "
                f"(expected {'.'.join(map(str, MIN_SQLITE))} or newer)"
            )
        db = cls(path, busy_timeout=busy_timeout, retry_for=retry_for, recover=recover)
        async with db._lock:
            try:
                await db._connect()
            except sqlite3.Error as exc:
                if not (recover and is_damaged(exc)):
                    raise StorageError(
                        f"cannot open the database {path} ({error_name(exc)}: {exc})"
                    ) from exc
                await db._recreate(f"could not be read at start-up ({error_name(exc)})")
        return db

    async def close(self) -> None:
        """Checkpoint the WAL into the main file (truncating it) and close the connection."""
        await self.settled()
        async with self._lock:
            self._closed = True
            conn, self._conn, self._raw = self._conn, None, None
            if conn is None:
                return
            try:
                await truncate_checkpoint(conn)
            except sqlite3.Error as exc:
                logger.warning("WAL checkpoint at close failed (%s)", error_name(exc))
            finally:
                await conn.close()

    # -- operations -------------------------------------------------------------------------

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement (atomic on its own: autocommit); returns the rows changed."""

        async def run(conn: aiosqlite.Connection) -> int:
            async with conn.execute(sql, params) as cursor:
                return cursor.rowcount

        changed = await self.run(run)
        await self._wrote()
        return changed

    async def write(self, sql: str, params: Params = ()) -> None:
        """Run one statement (atomic on its own) without asking for the rows it changed.

        The per-update save takes this path: run at once on the event loop's thread when the
        connection is free (see :meth:`_at_once`), else one round trip to aiosqlite's thread.
        """
        if not self._at_once(lambda raw: raw.execute(sql, params).fetchall()):

            async def run(conn: aiosqlite.Connection) -> None:
                await conn.execute_fetchall(sql, params)

            await self.run(run)
        await self._wrote()

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Run one statement and return every row (also for ``... RETURNING``).

        Run at once on the event loop's thread when the connection is free (see
        :meth:`_at_once`): the per-update session read takes this path.
        """
        rows: list[Row] = []
        if self._at_once(lambda raw: rows.extend(map(tuple, raw.execute(sql, params)))):
            return rows

        async def run(conn: aiosqlite.Connection) -> list[Row]:
            # One round trip to the database thread (execute, fetch and close there), not
            # three: each costs a thread switch, which is most of a small query's time.
            return [tuple(row) for row in await conn.execute_fetchall(sql, params)]

        return await self.run(run)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """Run one query and return its first row, or ``None``."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def transaction(self, statements: Iterable[tuple[str, Params]]) -> None:
        """Run ``(sql, params)`` statements in one ``BEGIN IMMEDIATE`` transaction."""
        batch = list(statements)

        async def run(conn: aiosqlite.Connection) -> None:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in batch:
                    await conn.execute(sql, params)
                await conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    await conn.execute("ROLLBACK")
                raise

        await self.run(run)
        await self._wrote()

    async def checkpoint(self) -> bool:
        """Copy the WAL into the main file and truncate the WAL, so old page versions
        (including deleted rows) are gone from disk; ``False`` if a reader kept blocking it
        for ``busy_timeout``."""
        backoff = Backoff(self._busy_timeout)
        while not await self.run(truncate_checkpoint):
            if not await backoff.wait():
                logger.warning("WAL checkpoint incomplete: another connection is reading")
                return False
        self._writes = 0
        return True

    async def run(self, operation: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        """Run ``operation`` on the connection with the lock held, retrying while busy.

        If the file vanished, was replaced or overwritten, or SQLite finds it damaged, a new
        empty database is made and ``operation`` runs once more on it. ``operation`` must
        leave no transaction open when it fails. Raises :class:`StorageError`.
        """
        async with self._lock:
            try:
                await self._check_file()
                try:
                    return await self._retrying(operation)
                except sqlite3.Error as exc:
                    if not (self._recover and is_damaged(exc)):
                        raise
                    await self._recreate(f"is damaged ({error_name(exc)})")
                return await self._retrying(operation)
            except sqlite3.Error as exc:
                raise StorageError(f"database error ({error_name(exc)}: {exc})") from exc
            finally:
                self._remember_file()

    # -- internals --------------------------------------------------------------------------

    def _at_once(self, operation: Callable[[sqlite3.Connection], object]) -> bool:
        """Run one small statement now, on the event loop's thread; ``False`` when it was not
        run (and had no effect), for the caller to go through :meth:`run` instead.

        A statement of the per-update path takes 10-50 µs in SQLite, and handing it to
        aiosqlite's thread and back costs several times that in thread switches. Running it
        here is safe only when nothing can make it wait, so it is declined when

        * another operation holds the lock (a transaction may be open, or aiosqlite's thread
          is using the connection);
        * the file changed since our last operation (:meth:`_check_file` decides what to do);
        * SQLite reports any error: busy (it never sleeps waiting for a lock: the busy
          timeout is 0), damage, anything. A single statement in autocommit mode is atomic,
          so a failed one changed nothing, and :meth:`run` tries it again with retries and
          recovery.

        Commits do not wait for the disk (``synchronous = NORMAL`` with WAL) and never
        checkpoint (``wal_autocheckpoint = 0``): both happen on aiosqlite's thread.
        """
        raw = self._raw
        if raw is None or self._closed or self._lock.locked():
            return False
        if self._recover and not self.unchanged():
            return False
        try:
            operation(raw)
        except sqlite3.Error as exc:
            logger.debug("database busy or failing (%s); going the long way", error_name(exc))
            return False
        # The file is as it was: with WAL a statement writes only to the -wal file, and only
        # a checkpoint (never run here) changes the database file itself.
        return True

    def unchanged(self) -> bool:
        """Whether the file is still the one this connection last used, as it left it (one
        ``stat``): until it changes, what a caller remembers of the contents holds."""
        if self._raw is None or self._closed:
            return False
        try:
            return file_identity(self._fspath) == self._seen
        except OSError:
            return False

    async def settled(self) -> None:
        """Wait for the background checkpoint, if one is running."""
        if self._checkpointing is not None:
            await asyncio.wait([self._checkpointing])

    async def _wrote(self) -> None:
        """Count a write; every :data:`CHECKPOINT_EVERY` writes, start copying the WAL into the
        main file on aiosqlite's thread (passive: never waits for a reader). The write is
        already committed: the update that made it does not wait for the copy."""
        self._writes += 1
        if self._writes < CHECKPOINT_EVERY or self._checkpointing is not None:
            return
        self._writes = 0
        self._checkpointing = asyncio.create_task(self._checkpoint_quietly(), name="checkpoint")

    async def _checkpoint_quietly(self) -> None:
        try:
            await self.run(passive_checkpoint)
        except StorageError as exc:
            # The next one (or the checkpoint at close) catches up; the data is in the WAL.
            logger.warning("background WAL checkpoint failed (%s)", type(exc).__name__)
        finally:
            self._checkpointing = None

    async def _retrying(self, operation: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        backoff = Backoff(self._retry_for)
        while True:
            try:
                return await operation(self._connection())
            except sqlite3.Error as exc:
                if not is_busy(exc):
                    raise
                logger.debug("database busy; retrying")
                if not await backoff.wait():
                    raise StorageError(
                        f"the database stayed locked for more than {self._retry_for:g} s "
                        "(another process is holding it)"
                    ) from exc
                self.busy_retries += 1

    def _connection(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise StorageError("the database is closed")
        return self._conn

    async def _connect(self) -> None:
        """Create the file (0600) if needed, connect, set pragmas, migrate."""
        prepare_files(self.path)
        raw: list[sqlite3.Connection] = []

        def connector() -> sqlite3.Connection:
            # Made on aiosqlite's thread; also used on the event loop's thread by _at_once,
            # never by both at once (the lock), hence check_same_thread=False.
            connection = sqlite3.connect(
                self.path, isolation_level=None, timeout=0, check_same_thread=False
            )
            raw.append(connection)
            return connection

        conn = await aiosqlite.Connection(connector, iter_chunk_size=64)
        try:
            self._conn = conn

            async def set_up(conn: aiosqlite.Connection) -> None:
                await configure(conn, self.path)
                await migrate(conn)

            await self._retrying(set_up)
        except BaseException:
            self._conn = None
            await conn.close()
            raise
        self._raw = raw[0]
        self.generation += 1
        self._remember_file()

    def _remember_file(self) -> None:
        try:
            self._seen = file_identity(self._fspath)
        except OSError:
            self._seen = None  # the next operation looks again (and reports the problem)

    async def _check_file(self) -> None:
        """Notice changes made to the file by anyone but this connection since last time.

        SQLite cannot: with WAL it trusts its page cache, and on Linux a deleted file stays
        usable (and is lost at close). A cheap stat tells us; a fresh connection (never a
        plain ``open()``, whose close would drop SQLite's POSIX locks) then checks content.
        """
        if self._closed:
            raise StorageError("the database is closed")
        if not self._recover:
            return
        if self._conn is None:
            # An earlier recovery failed half-way (a full disk, a vanished directory): try
            # again now rather than fail every later operation.
            await self._reconnect()
            return
        try:
            now = file_identity(self._fspath)
        except OSError as exc:
            raise StorageError(f"cannot check the database {self.path} ({exc.strerror})") from exc
        if now == self._seen:
            return
        if now is None:
            await self._recreate("disappeared while the bot was running")
            return
        if self._seen is not None and now[:2] != self._seen[:2]:
            logger.warning("%s was replaced by another file; opening that", self.path.name)
            # The -wal and -shm beside it belong to the file that was replaced: opened with
            # the new file, SQLite would read the old pages from them and never notice.
            await self._reconnect(remove_siblings=True)
            return
        # Same file, changed by someone else: the stats command's checkpoint, or damage.
        problem = await asyncio.to_thread(check_integrity, self.path, self._busy_timeout)
        if problem:
            await self._recreate(f"was changed by something else and is damaged ({problem})")

    async def _disconnect(self, *, remove_siblings: bool) -> None:
        """Close the connection (if any), then delete the files SQLite keeps beside the
        database when ``remove_siblings``."""
        conn, self._conn, self._raw = self._conn, None, None
        if conn is not None:
            # Closing may try to checkpoint into a damaged or deleted file: let it fail.
            with contextlib.suppress(sqlite3.Error, ValueError):
                await conn.close()
        if not remove_siblings:
            return
        for suffix in SUFFIXES[1:]:
            remove_file(self.path.with_name(self.path.name + suffix))

    async def _reconnect(self, *, remove_siblings: bool = False) -> None:
        await self._disconnect(remove_siblings=remove_siblings)
        try:
            await self._connect()
        except sqlite3.Error as exc:
            if not is_damaged(exc):
                raise
            await self._recreate(f"could not be read ({error_name(exc)})")

    async def _recreate(self, reason: str) -> None:
        """Replace the database by a new, empty one and say so (no user data in the log)."""
        logger.error(
            "The database %s %s: starting a new, empty one; every conversation starts over.",
            self.path.name,
            reason,
        )
        await self._disconnect(remove_siblings=True)
        remove_file(self.path)
        self.recreated += 1
        await self._connect()
