"""Storage: session reads and writes a second, forgetting, and purging expired sessions.

Operations run one after another through :class:`~bot.storage.sessions.SessionStore`, as
the bot runs them (one connection, one statement at a time). Sessions are realistic: the
state JSON of a conversation on a result screen and a few message ids.

The purge fills the table with expired rows directly (one bulk transaction, not timed),
next to live ones, then times ``purge_expired`` (``secure_delete`` zeroes every deleted row,
then the WAL is checkpointed and truncated) and checks that exactly the expired rows went.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import secrets
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bench.common import Latencies, ms, table

TTL = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Config:
    """How big a run is."""

    sessions: int
    forgets: int
    expired: int
    live: int


FULL = Config(sessions=10_000, forgets=500, expired=100_000, live=10_000)
TINY = Config(sessions=200, forgets=20, expired=2_000, live=200)


def sample_session() -> object:
    """A session as the engine leaves it on a result screen (what a row typically holds)."""
    from bot.engine.state import Session

    return Session(
        language="uk",
        view="node:result",
        history=("node:welcome", "node:menu", "node:where", "node:safe", "node:return"),
        facts={"country": "RS", "in_danger": False, "fears_return": True},
        nonce=123_456,
        buttons=(
            "go:pathway:rs_reflection",
            "go:pathway:rs_temporary_residence",
            "go:pathway:rs_asylum",
            "go:orgs",
            "back",
            "menu",
            "help",
            "hide",
        ),
    )


async def _timed(count: int, operation: Callable[[int], Awaitable[object]]) -> Latencies:
    timings = []
    for n in range(count):
        began = time.perf_counter_ns()
        await operation(n)
        timings.append(time.perf_counter_ns() - began)
    return Latencies.of(timings)


@dataclass(frozen=True)
class Result:
    """Timings of one run."""

    config: Config
    operations: list[tuple[str, Latencies]]
    purge_seconds: float
    purged: int


async def measure(config: Config) -> Result:
    """Time saves, loads and forgetting, then the purge."""
    from bot.storage.db import Database
    from bot.storage.keys import ChatKeyer
    from bot.storage.sessions import SessionStore

    session = sample_session()
    keyer = ChatKeyer(secrets.token_hex(32).encode())
    chats = [800_000_001 + n for n in range(config.sessions)]
    operations: list[tuple[str, Latencies]] = []
    with tempfile.TemporaryDirectory(prefix="pathways-bench-") as work:
        db = await Database.open(Path(work) / "sessions.sqlite3")
        store = SessionStore(db, keyer, TTL)
        try:
            operations.append(
                (
                    "save, new session",
                    await _timed(config.sessions, lambda n: store.save(chats[n], session, [n])),  # type: ignore[arg-type]
                )
            )
            operations.append(
                (
                    "save, existing session (+1 message id)",
                    await _timed(
                        config.sessions,
                        lambda n: store.save(chats[n], session, [n + 10_000_000]),  # type: ignore[arg-type]
                    ),
                )
            )

            operations.append(
                (
                    "save, existing session (no new id: a button press)",
                    await _timed(config.sessions, lambda n: store.save(chats[n], session)),  # type: ignore[arg-type]
                )
            )

            async def load(n: int) -> None:
                if await store.load(chats[n]) is None:
                    raise RuntimeError("a saved session did not load")

            async def load_recent(n: int) -> None:
                if await store.load_session(chats[n]) != session:
                    raise RuntimeError("a saved session did not load")

            operations.append(("load (the database)", await _timed(config.sessions, load)))
            operations.append(
                (
                    "load, recently saved (memory, as the bot does)",
                    await _timed(config.sessions, load_recent),
                )
            )
            operations.append(
                (
                    "forget (delete + WAL checkpoint)",
                    await _timed(config.forgets, lambda n: store.forget(chats[n])),
                )
            )
        finally:
            await db.close()
        purge_seconds, purged = await _purge(Path(work) / "purge.sqlite3", keyer, config)
    return Result(config, operations, purge_seconds, purged)


async def _purge(path: Path, keyer: object, config: Config) -> tuple[float, int]:
    """Time purging ``config.expired`` expired sessions among ``config.live`` live ones."""
    from bot.engine.state import Session
    from bot.storage.db import Database
    from bot.storage.keys import ChatKeyer
    from bot.storage.sessions import SessionStore

    assert isinstance(keyer, ChatKeyer)
    session = sample_session()
    assert isinstance(session, Session)
    db = await Database.open(path)  # creates the schema
    await db.close()
    now = int(time.time())
    state = session.to_json()
    old, fresh = now - int(TTL.total_seconds()) - 3600, now - 60
    rows = [
        (
            keyer.key(900_000_001 + n),
            state,
            json.dumps([[n, old], [n + 1, old]]),
            old if n < config.expired else fresh,
        )
        for n in range(config.expired + config.live)
    ]
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO sessions (key, state, messages, touched) VALUES (?, ?, ?, ?)", rows
        )
    db = await Database.open(path)
    try:
        store = SessionStore(db, keyer, TTL)
        began = time.perf_counter()
        purged = await store.purge_expired()
        seconds = time.perf_counter() - began
        left = await db.fetchone("SELECT count(*) FROM sessions")
    finally:
        await db.close()
    if purged != config.expired or left != (config.live,):
        raise RuntimeError(
            f"purge removed {purged} sessions and left {left} (expected {config.expired} "
            f"removed and {config.live} left)"
        )
    return seconds, purged


def report(result: Result) -> str:
    """The result as two tables."""
    config = result.config
    rows = [
        [name, t.count, f"{t.per_second:,.0f}", ms(t.mean), ms(t.p50), ms(t.p99), ms(t.max)]
        for name, t in result.operations
    ]
    text = table(
        f"Storage: SessionStore, {config.sessions:,} sessions, one operation at a time",
        ["operation", "count", "per s", "mean ms", "p50 ms", "p99 ms", "max ms"],
        rows,
    )
    text += "\n" + table(
        f"Purge: {config.expired:,} expired sessions among {config.live:,} live ones",
        ["expired sessions deleted", "seconds", "rows per s"],
        [
            [
                f"{result.purged:,}",
                f"{result.purge_seconds:.2f}",
                f"{result.purged / result.purge_seconds:,.0f}",
            ]
        ],
    )
    return text


def run(config: Config) -> str:
    """Run and report."""
    return report(asyncio.run(measure(config)))
