"""The one exception storage raises, and how SQLite's errors are told apart."""

from __future__ import annotations

import sqlite3

#: Primary result codes (the low byte of SQLite's extended codes).
_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_DAMAGE_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
#: SQLITE_READONLY_DBMOVED: the file was unlinked or renamed under an open connection.
_DBMOVED = sqlite3.SQLITE_READONLY | (4 << 8)


class StorageError(Exception):
    """The database cannot be used; the message says why and what to do."""


def _code(exc: BaseException) -> int:
    code = getattr(exc, "sqlite_errorcode", None)
    return code if isinstance(code, int) else -1


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` means another connection holds a lock (worth waiting and retrying)."""
    return isinstance(exc, sqlite3.OperationalError) and _code(exc) & 0xFF in _BUSY_CODES


def is_damaged(exc: BaseException) -> bool:
    """Whether ``exc`` means the file is corrupt, not a database, or gone from under us."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = _code(exc)
    return code & 0xFF in _DAMAGE_CODES or code == _DBMOVED


def error_name(exc: BaseException) -> str:
    """SQLite's name for the error (e.g. ``SQLITE_CORRUPT``): safe to log, holds no data."""
    name = getattr(exc, "sqlite_errorname", None)
    return name if isinstance(name, str) else type(exc).__name__
