"""The database's file and its settings: how a connection is set up, the files created
with tight modes, looked at, checked and removed.

Helpers of :class:`bot.storage.db.Database`, which notices when its file is deleted,
replaced or damaged while the bot runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import stat
import time
from pathlib import Path

import aiosqlite

from bot.storage.errors import StorageError, error_name, is_busy

logger = logging.getLogger("bot.storage.db")

#: Set on every connection. ``secure_delete`` zeroes deleted content instead of leaving it in
#: free space; ``synchronous = NORMAL`` is safe with WAL (a power cut may lose the last
#: commits, never consistency); ``journal_size_limit = 0`` truncates the WAL whenever it is
#: reset, so old page versions are not kept around in it. ``wal_autocheckpoint = 0``: SQLite
#: would checkpoint inside whichever commit crosses 1,000 pages, and that commit may be one
#: run on the event loop's thread; :class:`Database` checkpoints on aiosqlite's thread instead
#: (every ``bot.storage.db.CHECKPOINT_EVERY`` writes).
PRAGMAS: tuple[str, ...] = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA journal_size_limit = 0",
    "PRAGMA wal_autocheckpoint = 0",
)
#: RETURNING (3.35) is used by forgetting; JSON functions are built in from 3.38 on most
#: builds, and were an extension before.
MIN_SQLITE = (3, 35, 0)

#: The database file and the files SQLite keeps beside it.
SUFFIXES = ("", "-wal", "-shm", "-journal")


def prepare_files(path: Path) -> None:
    """Create the folder (0700) and the file (0600); tighten loosened modes of the files."""
    directory = path.parent
    try:
        if not directory.exists():
            directory.mkdir(mode=0o700, parents=True)
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise StorageError(
            f"cannot create the database {path} ({exc.strerror}); "
            "check that DATA_DIR exists and is writable"
        ) from exc
    for suffix in SUFFIXES:
        file = path.with_name(path.name + suffix)
        with contextlib.suppress(FileNotFoundError):
            if stat.S_IMODE(file.stat().st_mode) & 0o077:
                # Someone loosened it (or an old copy was restored): only we read it.
                logger.warning("%s was readable by others; set its mode to 0600", file.name)
                file.chmod(0o600)


def file_identity(fspath: str) -> tuple[int, int, int, int] | None:
    """(device, inode, size, mtime) of the file; ``None`` when it (or its folder) is gone.

    Raises ``OSError`` when the file exists but cannot be looked at.
    """
    try:
        info = os.stat(fspath)  # noqa: PTH116 (a str: pathlib costs more than the call)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


class Backoff:
    """Waits between attempts, longer each time, until ``budget`` seconds have passed."""

    def __init__(self, budget: float) -> None:
        self._deadline = time.monotonic() + budget
        self._delay = 0.002

    async def wait(self) -> bool:
        """Sleep before the next attempt; ``False`` (at once) when the time is up."""
        if time.monotonic() >= self._deadline:
            return False
        await asyncio.sleep(self._delay)
        self._delay = min(self._delay * 2, 0.5)
        return True


def remove_file(file: Path) -> None:
    """Delete ``file`` if it is there."""
    try:
        file.unlink(missing_ok=True)
    except NotADirectoryError:
        pass  # its folder is gone (replaced by a file): _connect says so
    except OSError as exc:
        raise StorageError(f"cannot remove {file} ({exc.strerror})") from exc


def check_integrity(path: Path, timeout: float) -> str:
    """'' if a fresh connection reads ``path`` as a sound database, else what is wrong."""
    try:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    except sqlite3.Error as exc:
        return error_name(exc)
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as exc:
        return "" if is_busy(exc) else error_name(exc)
    finally:
        conn.close()
    return "" if rows == [("ok",)] else "quick_check failed"


async def configure(conn: aiosqlite.Connection, path: Path) -> None:
    """Set up a new connection: no busy handler, WAL, the pragmas."""
    await conn.execute("PRAGMA busy_timeout = 0")  # we wait: see bot.storage.db
    async with conn.execute("PRAGMA journal_mode = WAL") as cursor:
        row = await cursor.fetchone()
    mode = str(row[0]).lower() if row else ""
    if mode != "wal":
        raise StorageError(
            f"cannot use WAL journaling for {path} (got {mode!r}); "
            "keep DATA_DIR on a local file system"
        )
    for pragma in PRAGMAS:
        await conn.execute(pragma)


async def truncate_checkpoint(conn: aiosqlite.Connection) -> bool:
    """Checkpoint and empty the WAL; whether it was complete."""
    async with conn.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
        row = await cursor.fetchone()
    return row is not None and row[0] == 0


async def passive_checkpoint(conn: aiosqlite.Connection) -> None:
    """Checkpoint what no reader needs, without waiting."""
    await conn.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
