"""Named schema migrations, recorded in the ``migrations`` table, each in one transaction.

A migration, once shipped, is never edited or renamed: a database records the names it has
applied, and a new version of the bot only appends migrations. :func:`migrate` refuses a
database that has migrations this code does not know (written by a newer version), rather
than guess.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from bot.storage.errors import StorageError, is_busy, is_damaged


@dataclass(frozen=True)
class Migration:
    """One schema change: a stable name and the statements that make it."""

    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0001_sessions",
        (
            # WITHOUT ROWID: the keyed hash is the primary key, so no rowid exists that could
            # hold (or be confused with) a chat id, and rows carry no insertion order.
            """
            CREATE TABLE sessions (
                key TEXT PRIMARY KEY NOT NULL,      -- HMAC-SHA256 of the chat id, hex
                state TEXT NOT NULL,                -- the engine's Session as JSON
                messages TEXT NOT NULL DEFAULT '[]',-- [[message_id, sent], ...] for the quick exit
                touched INTEGER NOT NULL            -- last save, Unix time to the minute
            ) WITHOUT ROWID
            """,
            "CREATE INDEX sessions_touched ON sessions (touched)",
        ),
    ),
    Migration(
        "0002_counters",
        (
            # One row per day, kind and key: aggregates only, ordered by the key, so nothing
            # records which counts rose together or in what order.
            """
            CREATE TABLE counters (
                day TEXT NOT NULL,                  -- YYYY-MM-DD (UTC)
                kind TEXT NOT NULL,                 -- start, language, node, pathway, help, exit
                key TEXT NOT NULL,                  -- campaign, language, node id, ...
                count INTEGER NOT NULL CHECK (count > 0),
                PRIMARY KEY (day, kind, key)
            ) WITHOUT ROWID
            """,
        ),
    ),
    Migration(
        "0003_sessions_without_touched_index",
        (
            # Every save moved the session's entry in this index: a second page written per
            # update, a third of a save's cost. Only the hourly purge looked rows up by age,
            # and reading the whole table takes it milliseconds for 100,000 sessions.
            "DROP INDEX IF EXISTS sessions_touched",
        ),
    ),
)

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS migrations (
    name TEXT PRIMARY KEY NOT NULL,
    applied_on TEXT NOT NULL
) WITHOUT ROWID
"""


async def applied_migrations(conn: aiosqlite.Connection) -> list[str]:
    """Names of the migrations recorded in ``conn``'s database ([] for an empty file)."""
    async with conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'migrations'"
    ) as cursor:
        if await cursor.fetchone() is None:
            return []
    async with conn.execute("SELECT name FROM migrations ORDER BY name") as cursor:
        return [str(row[0]) for row in await cursor.fetchall()]


async def migrate(
    conn: aiosqlite.Connection, migrations: Sequence[Migration] = MIGRATIONS
) -> list[str]:
    """Apply the migrations ``conn`` lacks, in order; returns the names applied.

    ``conn`` must be in autocommit mode (``isolation_level=None``): each migration runs in
    its own ``BEGIN IMMEDIATE`` transaction with its record, so a failure leaves nothing of
    it behind. Busy and damaged-file errors are raised as they are, for the caller to retry
    or recover from; any other failure raises :class:`StorageError`.
    """
    await conn.execute(_CREATE_TABLE)
    done = await applied_migrations(conn)
    known = [m.name for m in migrations]
    unknown = sorted(set(done) - set(known))
    if unknown:
        raise StorageError(
            f"the database has migrations this version does not know ({', '.join(unknown)}): "
            "it was written by a newer version of Pathways; run that version or a newer one"
        )
    applied: list[str] = []
    for migration in migrations:
        if migration.name in done:
            continue
        await conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process (the stats command, a second instance) may have applied it
            # between our look and our lock.
            async with conn.execute(
                "SELECT 1 FROM migrations WHERE name = ?", (migration.name,)
            ) as cursor:
                already = await cursor.fetchone() is not None
            if not already:
                for statement in migration.statements:
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO migrations (name, applied_on) VALUES (?, ?)",
                    (migration.name, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
                )
            await conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error) and not (is_busy(exc) or is_damaged(exc)):
                raise StorageError(
                    f"migration {migration.name} failed ({exc}); it was rolled back"
                ) from exc
            raise
        if not already:
            applied.append(migration.name)
    return applied
